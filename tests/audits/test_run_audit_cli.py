import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def predictions(tmp_path) -> Path:
    rng = np.random.default_rng(4)
    n = 2000
    df = pd.DataFrame(
        {
            "sex": rng.choice(["female", "male"], n),
            "age_band": rng.choice(["18-25", "26-60", "60+"], n),
            "outcome": rng.choice(["repaid", "default"], n),
            "score": rng.integers(300, 851, n),
        }
    )
    path = tmp_path / "loans.csv"
    df.to_csv(path, index=False)
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    # A fresh process without DATABASE_URL: the command must not need a database.
    return subprocess.run(
        [sys.executable, "manage.py", "run_audit", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "SQLITE_PATH": "/nonexistent/dir/db.sqlite3"},
    )


def test_it_prints_the_json_result_and_exits_0(predictions):
    result = run(
        str(predictions),
        "--y-true",
        "outcome",
        "--positive",
        "repaid",
        "--y-score",
        "score",
        "--threshold",
        "620",
        "--sensitive",
        "sex,age_band",
        "--reference",
        "sex=female",
        "--bootstrap",
        "200",
        "--seed",
        "7",
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["schema"] == "forethought.audit/1"
    assert body["rows"] == 2000 and body["seed"] == 7
    assert [d["name"] for d in body["dimensions"]] == ["sex", "age_band", "intersection"]
    assert body["dimensions"][0]["reference"] == "female"
    df = pd.read_csv(predictions)
    female = df[df["sex"] == "female"]
    group = next(g for g in body["dimensions"][0]["groups"] if g["group"] == "female")
    assert group["metrics"]["selection_rate"]["value"] == pytest.approx(
        (female["score"] >= 620).mean()
    )
    assert group["metrics"]["base_rate"]["value"] == pytest.approx(
        (female["outcome"] == "repaid").mean()
    )


def test_it_prints_a_readable_table(predictions):
    result = run(
        str(predictions),
        "--y-true",
        "outcome",
        "--positive",
        "repaid",
        "--y-score",
        "score",
        "--threshold",
        "620",
        "--sensitive",
        "sex",
        "--format",
        "table",
        "--bootstrap",
        "0",
    )
    assert result.returncode == 0, result.stderr
    assert "== sex (reference:" in result.stdout
    assert "demographic_parity_difference" in result.stdout
    assert "four-fifths rule:" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--y-true", "outcome", "--y-pred", "score", "--sensitive", "gender"],
            "'gender' is not in the file",
        ),
        (["--y-true", "outcome", "--y-score", "score", "--sensitive", "sex"], "threshold"),
        (
            [
                "--y-true",
                "outcome",
                "--y-score",
                "score",
                "--threshold",
                "600",
                "--sensitive",
                "sex",
            ],
            "--positive",
        ),
        (
            [
                "--y-true",
                "outcome",
                "--y-pred",
                "score",
                "--sensitive",
                "sex",
                "--reference",
                "sex",
            ],
            "COL=VALUE",
        ),
        (
            [
                "--y-true",
                "outcome",
                "--positive",
                "repaid",
                "--y-score",
                "score",
                "--threshold",
                "1",
                "--sensitive",
                "sex",
                "--reference",
                "sex=other",
            ],
            "not a value of 'sex'",
        ),
    ],
)
def test_bad_input_exits_2_with_a_message(predictions, args, message):
    result = run(str(predictions), *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_missing_file_exits_2(tmp_path):
    result = run(str(tmp_path / "nope.csv"), "--y-true", "y", "--y-pred", "p", "--sensitive", "s")
    assert result.returncode == 2 and "No such file" in result.stderr
