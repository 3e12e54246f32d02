"""forethought-audit against pandas + Fairlearn MetricFrame, whole processes side by side.

    .venv/bin/python benchmarks/cli_bench.py            # 1M rows (about a minute)
    .venv/bin/python benchmarks/cli_bench.py --rows 200000

One Parquet file of N rows with three sensitive features (race 5 × sex 2 × age 3). Each
side is a fresh Python process, timed from start to its JSON on disk:

* ``forethought-audit FILE --y-true y --y-pred pred --sensitive race,sex,age`` (per-group
  rates for every feature and the intersection, Fairlearn's between-groups summaries, tests
  and intervals), with ``--bootstrap 0`` (Fairlearn has no bootstrap) and with the default
  1000 resamples;
* pandas reads the file and Fairlearn's MetricFrame computes the same seven per-group rates
  for each feature and for the intersection, with ``difference()`` and ``ratio()``, and
  writes them as JSON.

Also: the CLI's start-up alone (``--help``) and ``import audits.engine.pipeline``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

FAIRLEARN = r"""
import json, sys
import pandas as pd
from fairlearn.metrics import (MetricFrame, false_negative_rate, false_positive_rate,
    selection_rate, true_negative_rate, true_positive_rate)
from sklearn.metrics import accuracy_score, precision_score
df = pd.read_parquet(sys.argv[1])
metrics = {"selection_rate": selection_rate, "tpr": true_positive_rate,
    "fpr": false_positive_rate, "fnr": false_negative_rate, "tnr": true_negative_rate,
    "accuracy": accuracy_score, "ppv": lambda y, p: precision_score(y, p, zero_division=0)}
out = {}
for name, cols in (("race", ["race"]), ("sex", ["sex"]), ("age", ["age"]),
                   ("intersection", ["race", "sex", "age"])):
    mf = MetricFrame(metrics=metrics, y_true=df["y"], y_pred=df["pred"],
                     sensitive_features=df[cols])
    out[name] = {"by_group": json.loads(mf.by_group.reset_index().to_json()),
                 "difference": mf.difference().to_dict(), "ratio": mf.ratio().to_dict()}
json.dump(out, open(sys.argv[2], "w"))
"""


def make(path: Path, n: int) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "race": rng.choice(["A", "B", "C", "D", "E"], n),
            "sex": rng.choice(["female", "male"], n),
            "age": rng.choice(["18-25", "26-60", "60+"], n),
        }
    )
    df["y"] = (rng.random(n) < 0.4).astype("int8")
    df["pred"] = (rng.random(n) < 0.3 + 0.3 * df["y"]).astype("int8")
    df.to_parquet(path)


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def best(cmd: list[str], repeat: int) -> float:
    return min(timed(cmd) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "predictions.parquet"
        make(data, args.rows)
        cli = [str(BIN / "forethought-audit"), str(data), "--y-true", "y", "--y-pred", "pred"]
        cli += ["--sensitive", "race,sex,age", "--output", str(Path(folder) / "ours.json")]
        theirs_cmd = [sys.executable, "-c", FAIRLEARN, str(data), str(Path(folder) / "fl.json")]
        startup = best([str(BIN / "forethought-audit"), "--help"], args.repeat)
        ours0 = best([*cli, "--bootstrap", "0"], args.repeat)
        ours = best(cli, args.repeat)
        theirs = best(theirs_cmd, args.repeat)
    print(f"rows: {args.rows:,}; best of {args.repeat} fresh processes each")
    print(f"forethought-audit --help (start-up):          {startup:7.3f} s")
    print(f"forethought-audit, --bootstrap 0:              {ours0:7.3f} s")
    print(f"forethought-audit, 1000 bootstrap resamples:   {ours:7.3f} s")
    print(f"pandas + Fairlearn MetricFrame (4 frames):     {theirs:7.3f} s")
    print(f"ratio (Fairlearn / ours, bootstrap 0):         {theirs / ours0:7.1f}x")
    print(f"ratio (Fairlearn / ours, bootstrap 1000):      {theirs / ours:7.1f}x")


if __name__ == "__main__":
    main()
