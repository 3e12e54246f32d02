"""Model card formats on the demo's card (an analysis of 3 features and their intersection,
about 400 numbers): export and import time per format, against a bare parse of the same
file (libyaml's safe loader / json.loads), which shows the cost of checking the file
(line numbers are worked out only for an error).

    .venv/bin/python benchmarks/modelcard_bench.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audits.demo import synthetic_loans  # noqa: E402
from audits.engine.audit import audit_frame  # noqa: E402
from audits.engine.config import AuditConfig  # noqa: E402
from reviews.modelcards.documents import analysis, formats  # noqa: E402

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def best(fn, repeat: int = 20) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_parse(key: str, text: str) -> None:
    if key == "mct":
        json.loads(text)
    elif key == "huggingface":
        yaml.load(text.split("---\n")[1], Loader=LOADER)  # noqa: S506 - a safe loader


def main() -> None:
    config = AuditConfig(
        y_true="repaid",
        y_score="score",
        threshold=0.7,
        sensitive=("age_band", "sex", "race_ethnicity"),
        bootstrap=200,
        seed=7,
    )
    result = audit_frame(synthetic_loans(), config)
    doc = {
        "metadata": {"name": "Loan approval model", "license": "proprietary"},
        "sections": {"model_details": "Gradient-boosted trees. " * 40, "factors": "Age, sex."},
        "analysis": analysis.from_audit(1, result),
    }
    print(f"{len(doc['analysis']['results'])} numbers in the analysis")
    print(
        f"{'format':<12} {'bytes':>8} {'export ms':>10} {'import ms':>10} {'bare parse ms':>14} "
        f"{'import/bare':>11}"
    )
    for key, fmt in formats().items():
        text = fmt.write(doc)
        export = best(lambda fmt=fmt: fmt.write(doc))
        read = best(lambda fmt=fmt, text=text: fmt.read(text))
        bare = best(lambda key=key, text=text: bare_parse(key, text)) if key != "markdown" else 0
        ratio = f"{read / bare:.1f}×" if bare else "—"
        print(
            f"{key:<12} {len(text):>8} {export * 1e3:>10.1f} {read * 1e3:>10.1f} "
            f"{bare * 1e3:>14.1f} {ratio:>11}"
        )


if __name__ == "__main__":
    main()
