"""forethought-audit: exit status 0/1/2, JSON, Markdown and JUnit XML, gates from YAML, a
start that imports nothing heavy before the options are read, and --push of counts (not
rows) into a monitor."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from audits.engine import pipeline
from audits.monitoring.models import Batch
from orgs.api_support import ScopedViewSet  # noqa: F401 - the API is loaded for live_server

from .conftest import frame

GATES = """gates:
  - metric: demographic_parity_ratio
    sensitive_feature: sex
    comparator: ">="
    threshold: 0.8
    action: rollback
  - metric: equal_opportunity_difference
    sensitive_feature: sex
    comparator: "<="
    threshold: 0.01
    blocking: false
"""
ARGS = ["--y-true", "y", "--y-pred", "p", "--sensitive", "sex,age", "--bootstrap", "0"]


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(11)
    fair, unfair = tmp_path / "fair.csv", tmp_path / "unfair.parquet"
    frame(rng, 4000, 0.5).to_csv(fair, index=False)
    frame(rng, 4000, 0.2).to_parquet(unfair)
    gates = tmp_path / "gates.yaml"
    gates.write_text(GATES)
    return fair, unfair, gates


def test_it_exits_0_when_blocking_gates_pass_and_1_when_one_fails(files, capsys):
    fair, unfair, gates = files
    assert pipeline.main([str(fair), *ARGS, "--gates", str(gates)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [g["verdict"] for g in out["gates"]][0] == "pass"
    assert out["gates"][0]["value"] == pytest.approx(
        out["dimensions"][0]["summary"]["demographic_parity_ratio"]["value"]
    )
    assert pipeline.main([str(unfair), *ARGS, "--gates", str(gates), "--format", "junit"]) == 1
    xml = capsys.readouterr().out
    assert 'failures="1"' in xml and "<failure message=" in xml and "Not blocking:" in xml
    assert pipeline.main([str(unfair), *ARGS, "--gates", str(gates), "--format", "markdown"]) == 1
    assert "| demographic_parity_ratio on sex >= 0.8 | fail |" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["missing.csv", *ARGS], "No such file"),
        (["{fair}", "--y-true", "nope", "--y-pred", "p", "--sensitive", "sex"], "'nope'"),
        (["{fair}", *ARGS, "--gates", "{bad}"], "Unknown metric"),
        (["{fair}", *ARGS, "--push", "https://x.example/api/monitors/1/batches/"], "--token"),
        (["{fair}", *ARGS, "--push-score-bins", "0"], "between 1 and 4096"),
    ],
)
def test_it_exits_2_with_a_message_on_bad_input(files, capsys, tmp_path, args, says):
    fair, _unfair, _gates = files
    bad = tmp_path / "bad.yaml"
    bad.write_text("gates:\n  - {metric: accuracy, comparator: '>=', threshold: 1}\n")
    args = [a.format(fair=fair, bad=bad) for a in args]
    assert pipeline.main(args) == 2
    assert says in capsys.readouterr().err


def test_it_starts_without_importing_heavy_libraries():
    """--help, and reading the options, import neither numpy, pandas, pyarrow nor scipy."""
    code = (
        "import sys; from audits.engine import pipeline; "
        "assert pipeline.main(['--help']) == 0; "
        "print(sorted(m for m in ('numpy', 'pandas', 'pyarrow', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().endswith("[]"), out


def test_it_pushes_counts_into_a_monitor(files, monitor, owner, live_server, capsys):
    from rest_framework.authtoken.models import Token

    fair, _unfair, _gates = files
    token = Token.objects.create(user=owner).key
    url = f"{live_server.url}/api/monitors/{monitor.pk}/batches/"
    assert pipeline.main([str(fair), *ARGS, "--push", url, "--token", token]) == 0
    assert "pushed: HTTP 202" in capsys.readouterr().err
    batch = Batch.objects.get(monitor=monitor)
    assert batch.kind == "counts" and batch.status == "done" and batch.rows == 4000
    # The same file again: the idempotency key (its SHA-256) makes it count once.
    assert pipeline.main([str(fair), *ARGS, "--push", url, "--token", token]) == 0
    assert Batch.objects.filter(monitor=monitor).count() == 1


def test_it_pushes_score_bins_with_a_score_column(tmp_path, monitor, owner, live_server, capsys):
    from rest_framework.authtoken.models import Token
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(12)
    df = frame(rng, 3000, 0.5).drop(columns="p")
    df["s"] = np.clip(rng.normal(0.4 + 0.2 * df["y"], 0.2), 0, 1)
    path = tmp_path / "scores.parquet"
    df.to_parquet(path)
    args = ["--y-true", "y", "--y-score", "s", "--threshold", "0.5", "--sensitive", "sex,age"]
    token = Token.objects.create(user=owner).key
    url = f"{live_server.url}/api/monitors/{monitor.pk}/batches/"
    push = ["--bootstrap", "0", "--push", url, "--token", token]
    assert pipeline.main([str(path), *args, *push]) == 0
    mine = json.loads(capsys.readouterr().out)
    batch = Batch.objects.get(monitor=monitor)
    assert batch.status == "done" and batch.rows == 3000
    assert len(batch.score_bins) == 101  # 100 equal-width bins over the scores' range
    theirs = batch.run.result["dimensions"][0]
    low, high = df["s"].min(), df["s"].max()
    binned = np.clip(((df["s"] - low) / (high - low) * 100).astype(int), 0, 99)
    for group, own in zip(theirs["groups"], mine["dimensions"][0]["groups"], strict=True):
        # Decisions are the CLI's (score ≥ 0.5); AUC is scikit-learn's on the binned scores.
        assert group["metrics"]["selection_rate"] == own["metrics"]["selection_rate"]
        part = df["sex"] == group["group"]
        assert group["auc"] == pytest.approx(roc_auc_score(df.loc[part, "y"], binned[part]))
        assert group["auc"] == pytest.approx(own["auc"], abs=0.005)  # 100 bins against 4096
