"""Counts batches with score bins: the batch's audit run gains AUC, the Brier score and
calibration (those of rows at the bins' midpoints), a monitor of a score column reads its
predictions from the bins, and bad bins are refused with a field message."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse
from sklearn.metrics import brier_score_loss, roc_auc_score

from audits.engine.audit import audit_frame
from audits.engine.config import AuditConfig
from audits.monitoring import services
from audits.monitoring.models import Batch
from tests.conftest import api_as

from .conftest import approved, committed

EDGES = [i / 10 for i in range(11)]
MIDDLE = [(a + b) / 2 for a, b in zip(EDGES, EDGES[1:], strict=False)]


def scored(seed: int, n: int = 3000) -> pd.DataFrame:
    """Rows with a score, its bin of EDGES, the bin's midpoint and a decision at 0.5."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "sex": rng.choice(["f", "m"], n),
            "age": rng.choice(["18-25", "26-40", "41+"], n),
            "y": rng.integers(0, 2, n),
        }
    )
    score = np.clip(rng.normal(0.35 + 0.3 * df["y"], 0.2), 0, 1)
    df["bin"] = np.minimum((score * 10).astype(int), 9)
    df["mid"] = [MIDDLE[b] for b in df["bin"]]
    df["p"] = (df["bin"] >= 5).astype(int)
    return df


def binned(df: pd.DataFrame, prediction: bool = True) -> list[dict[str, Any]]:
    grouped = df.groupby(["sex", "age", "y", "p", "bin"]).size().reset_index(name="count")
    rows = []
    for r in grouped.itertuples():
        row = {
            "groups": {"sex": r.sex, "age": r.age},
            "label": int(r.y),
            "count": int(r.count),
            "score_bin": int(r.bin),
        }
        if prediction:
            row["prediction"] = int(r.p)
        rows.append(row)
    return rows


def post(owner: Any, monitor: Any, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    with committed():
        return api_as(owner).post(
            f"/api/monitors/{monitor.pk}/batches/", body, format="json", **headers
        )


def test_a_counts_batch_with_score_bins_gives_its_run_auc_brier_and_calibration(
    monitor, owner, client_as
):
    df = scored(1)
    answer = post(owner, monitor, {"counts": binned(df), "score_bins": EDGES})
    assert answer.status_code == 202, answer.json()
    batch = Batch.objects.get(pk=answer.json()["id"])
    assert batch.status == "done" and batch.rows == 3000 and batch.score_bins == EDGES
    sex = batch.run.result["dimensions"][0]
    assert sex["name"] == "sex"
    for group in sex["groups"]:
        part = df[df["sex"] == group["group"]]
        # The oracle: scikit-learn on the scores at the midpoints of their bins.
        assert group["auc"] == pytest.approx(roc_auc_score(part["y"], part["mid"]), abs=1e-12)
        assert group["brier"] == pytest.approx(brier_score_loss(part["y"], part["mid"]))
        for b, cal in enumerate(group["calibration"]):  # ten bins of EDGES: one decile each
            inside = part[part["bin"] == b]
            assert cal["weight"] == len(inside)
            assert cal["mean_score"] == pytest.approx(MIDDLE[b])
            assert cal["observed_rate"] == pytest.approx(inside["y"].mean())
    # The gate reads decisions: the same batch without bins gives the same verdict value.
    plain = [{k: v for k, v in r.items() if k != "score_bin"} for r in binned(df)]
    again = Batch.objects.get(pk=post(owner, monitor, {"counts": plain}).json()["id"])
    assert "auc" not in again.run.result["dimensions"][0]["groups"][0]
    assert batch.run.verdicts.get().value == again.run.verdicts.get().value
    # The window keeps confusion counts only; the run keeps the score metrics.
    assert batch.counts["hist"] is None and batch.counts["cal"] is None
    # The run page shows the AUC column for the batch with bins, not for the one without.
    column = f'href="{reverse("audit_glossary")}#auc"'
    page = client_as(owner).get(f"/audits/runs/{batch.run.pk}/").content.decode()
    assert column in page and f"<td>{sex['groups'][0]['auc']:.3f}</td>" in page
    assert column not in client_as(owner).get(f"/audits/runs/{again.run.pk}/").content.decode()


@pytest.fixture
def score_monitor(review, gate, owner, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    config = {"y_true": "y", "y_score": "mid", "threshold": 0.5, "sensitive": ["sex", "age"]}
    return services.monitor_create(
        actor=owner,
        review=approved(review),
        name="Scores in production",
        config=AuditConfig.from_dict({**config, "bootstrap": 0}),
        gates=[gate],
    )


def test_a_score_monitor_reads_predictions_from_the_bins_as_rows_at_their_midpoints(
    score_monitor, owner, client_as
):
    df = scored(2)
    body = {"counts": binned(df, prediction=False), "score_bins": EDGES}
    answer = post(owner, score_monitor, body)
    assert answer.status_code == 202, answer.json()
    run = Batch.objects.get(pk=answer.json()["id"]).run
    by_rows = audit_frame(df, AuditConfig.from_dict(score_monitor.config))
    for got, want in zip(run.result["dimensions"], by_rows["dimensions"], strict=True):
        for g, r in zip(got["groups"], want["groups"], strict=True):
            assert g["group"] == r["group"] and g["rows"] == r["rows"]
            assert g["auc"] == pytest.approx(r["auc"], abs=1e-12)
            assert g["brier"] == pytest.approx(r["brier"], abs=1e-12)
            for mine, theirs in zip(g["calibration"], r["calibration"], strict=True):
                assert mine["bin"] == theirs["bin"] and mine["weight"] == theirs["weight"]
                for key in ("mean_score", "observed_rate"):
                    assert mine[key] == pytest.approx(theirs[key], abs=1e-12)
            for name in ("selection_rate", "tpr", "fpr"):
                assert g["metrics"][name]["value"] == r["metrics"][name]["value"]
    assert run.verdicts.get().value == pytest.approx(
        by_rows["dimensions"][0]["summary"]["demographic_parity_ratio"]["value"]
    )
    pages = client_as(owner)
    assert pages.get(f"/monitors/{score_monitor.pk}/").status_code == 200
    edit = pages.get(f"/monitors/{score_monitor.pk}/edit/").content.decode()
    assert "outcome y, score mid ≥ 0.5, sensitive sex, age." in edit


def _mixed(rows: list[dict[str, Any]]) -> dict[str, Any]:
    rows[1].pop("score_bin")
    return {"counts": rows, "score_bins": EDGES}


def _outside(rows: list[dict[str, Any]]) -> dict[str, Any]:
    rows[2]["score_bin"] = 10
    return {"counts": rows, "score_bins": EDGES}


def _falling(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"counts": rows, "score_bins": [0, 0.5, 0.4, 1]}


def _no_edges(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"counts": rows}


def _negative(rows: list[dict[str, Any]]) -> dict[str, Any]:
    rows[0]["score_bin"] = -1
    return {"counts": rows, "score_bins": EDGES}


@pytest.mark.parametrize(
    ("spoil", "field", "says"),
    [
        (_mixed, "counts", "Give score_bin on every row or on none."),
        (_outside, "counts", "Row 3: score_bin 10 is not a bin of score_bins (0 to 9)."),
        (_falling, "score_bins", "score_bins increase: edge 3 (0.4) is not above edge 2 (0.5)."),
        (_no_edges, "score_bins", "Rows give a score_bin; give the bins' edges in score_bins."),
    ],
)
def test_it_refuses_score_bins_that_do_not_fit_with_a_field_message(
    monitor, owner, spoil, field, says
):
    answer = post(owner, monitor, spoil(binned(scored(3, 500))))
    assert answer.status_code == 400
    assert answer.json() == {field: [says]}
    assert Batch.objects.count() == 0


def test_it_refuses_a_negative_bin_and_bins_with_a_file(monitor, owner):
    answer = post(owner, monitor, _negative(binned(scored(4, 300))))
    assert answer.status_code == 400
    assert answer.json() == {
        "counts": {"0": {"score_bin": ["Ensure this value is greater than or equal to 0."]}}
    }
    from .conftest import csv_upload, frame

    with pytest.raises(services.ServiceError, match="score_bins go with counts rows"):
        services.batch_push(
            actor=owner,
            monitor=monitor,
            upload=csv_upload(frame(np.random.default_rng(4), 100, 0.5)),
            score_bins=EDGES,
        )
    assert Batch.objects.count() == 0


def test_a_score_monitor_refuses_predictions_its_threshold_contradicts(score_monitor, owner):
    rows = binned(scored(5, 500))
    rows[0]["prediction"] = 1 - rows[0]["prediction"]
    answer = post(owner, score_monitor, {"counts": rows, "score_bins": EDGES})
    assert answer.status_code == 400
    (message,) = answer.json()["counts"]
    assert message.startswith("Row 1: prediction ")
    assert "disagrees with the threshold 0.5: score bin" in message
    coarse = [0.0, 0.25, 0.75, 1.0]  # bin 1 holds the threshold: predictions are needed
    rows = [{**r, "score_bin": 1} for r in binned(scored(5, 500), prediction=False)]
    answer = post(owner, score_monitor, {"counts": rows, "score_bins": coarse})
    assert answer.json() == {
        "counts": [
            "Row 1: score bin 1 [0.25, 0.75) holds the threshold 0.5; give the rows' predictions."
        ]
    }
    assert Batch.objects.count() == 0


def test_a_retried_counts_batch_with_score_bins_counts_once(monitor, owner):
    body = {"counts": binned(scored(6, 800)), "score_bins": EDGES}
    answers = [post(owner, monitor, body, key="bins-2026-11-26") for _ in range(2)]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Batch.objects.filter(monitor=monitor).count() == 1
    assert Batch.objects.get().rows == 800


def test_an_outsider_gets_404_posting_score_bins(monitor, outsider):
    body = {"counts": binned(scored(7, 300)), "score_bins": EDGES}
    answer = api_as(outsider).post(f"/api/monitors/{monitor.pk}/batches/", body, format="json")
    assert answer.status_code == 404
    assert api_as(outsider).get(f"/api/monitors/{monitor.pk}/batches/").status_code == 404
    assert Batch.objects.count() == 0
