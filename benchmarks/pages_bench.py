"""Pages as history grows: the review page, the audits home, the trend, the register and
the API lists at 10, 100 and 1,000 audit runs or harms, on PostgreSQL.

    .venv/bin/python benchmarks/pages_bench.py             # 10, 100, 1,000
    .venv/bin/python benchmarks/pages_bench.py --quick     # 10, 100

Prints each page's median milliseconds (of 5 requests after one that draws and stores the
charts) and its queries per size, and the peak resident memory of the process that served
them (a fresh process per size, like a gunicorn worker). Goals: every page under 300 ms and
flat in queries at the largest size; peak memory under 400 MB at 1,000 runs.

Each audit run carries a real result of the engine (three sensitive features and their
intersection) padded to ~250 KB, the size the issue measured; its summary is written as a
finished run's would be. Needs PostgreSQL (benchmarks/_server.py); makes and drops its own
database.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

from _server import ROOT, database

RESULT_BYTES = 250_000


def result_json() -> dict:
    import numpy as np
    import pandas as pd

    from audits.engine.audit import audit_frame
    from audits.engine.config import AuditConfig

    rng = np.random.default_rng(0)
    n = 20_000
    df = pd.DataFrame(
        {
            "race": rng.choice(list("ABCDE"), n),
            "sex": rng.choice(["female", "male"], n),
            "age": rng.choice(["18-25", "26-60", "60+"], n),
            "y": rng.integers(0, 2, n),
        }
    )
    df["pred"] = (rng.random(n) < 0.3 + 0.3 * df["y"]).astype(int)
    config = AuditConfig(y_true="y", y_pred="pred", sensitive=("race", "sex", "age"))
    result = json.loads(json.dumps(audit_frame(df, config), default=float))
    size = len(json.dumps(result))
    if size < RESULT_BYTES:
        result["padding"] = "x" * (RESULT_BYTES - size)
    return result


def seed(size: int) -> dict:
    """One organization with ``size`` audit runs of one system and ``size`` harms."""
    from django.utils import timezone

    from audits.engine.trend import summary_of
    from audits.models import AuditRun, Dataset, GateVerdict, LaunchGate, RunStatus
    from tests.conftest import make_org, make_review, make_system, make_user
    from tests.perf import fill

    owner = make_user(f"owner{size}")
    org = make_org(owner, name=f"Org {size}", slug=f"org-{size}")
    system = make_system(org, owner)
    review = make_review(system, owner)
    harms = fill.harms(review, size, author=owner)
    fill.ratings(harms, [owner])
    fill.mitigations(harms, owner)
    dataset = Dataset.objects.create(
        organization=org,
        name="Predictions",
        file="datasets/none.csv",
        format="csv",
        sha256="0" * 64,
        size_bytes=1,
        columns=["y", "pred", "race", "sex", "age"],
    )
    gate = LaunchGate.objects.create(
        organization=org,
        review=review,
        metric="demographic_parity_ratio",
        comparator=">=",
        threshold=0.8,
        action="block_launch",
    )
    result = result_json()
    summary = summary_of(result)
    for start in range(0, size, 50):
        runs = AuditRun.objects.bulk_create(
            AuditRun(
                organization=org,
                review=review,
                dataset=dataset,
                config={"y_true": "y", "y_pred": "pred", "sensitive": ["race", "sex", "age"]},
                status=RunStatus.SUCCEEDED,
                result=result,
                summary=summary,
                created_by=owner,
                finished_at=timezone.now(),
            )
            for _ in range(min(50, size - start))
        )
        GateVerdict.objects.bulk_create(
            GateVerdict(organization=org, run=r, gate=gate, verdict="pass", reason="ok")
            for r in runs
        )
    return {"owner": owner.pk, "review": review.pk, "system": system.pk}


def pages(ids: dict) -> dict[str, str]:
    return {
        "review page": f"/reviews/{ids['review']}/",
        "audits home": "/audits/",
        "trend": f"/systems/{ids['system']}/trend/",
        "register": f"/reviews/{ids['review']}/register/",
        "API audit runs": "/api/audit-runs/",
        "API harms": "/api/harms/",
        "API mitigations": "/api/mitigations/",
        "API reviews": "/api/reviews/",
    }


def measure(ids: dict) -> None:
    """In a fresh process: each page's median ms and queries, and this process's peak RSS."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(pk=ids["owner"]))
    out = {}
    for name, url in pages(ids).items():
        first = client.get(url)  # draws and stores the charts once
        assert first.status_code == 200, (url, first.status_code)
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200
        out[name] = {"ms": statistics.median(times) * 1000, "queries": len(queries)}
    out["_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        import django

        django.setup()
        measure(json.loads(args.measure))
        return
    sizes = [10, 100] if args.quick else [10, 100, 1000]
    results = {}
    with database():
        for size in sizes:
            started = time.perf_counter()
            ids = seed(size)
            seeded = time.perf_counter() - started
            child = subprocess.run(
                [sys.executable, __file__, "--measure", json.dumps(ids)],
                cwd=ROOT,
                env={**os.environ},
                capture_output=True,
                text=True,
            )
            if child.returncode:
                sys.exit(child.stderr)
            results[size] = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"(seeded {size} runs and harms in {seeded:.0f} s)", file=sys.stderr)
    names = list(pages({"review": 0, "system": 0}))
    header = "".join(f"{f'{s:,} ms':>10}{'q':>5}" for s in sizes)
    print(f"{'page':<18}{header}")
    slow, growing = [], []
    for name in names:
        row = "".join(
            f"{results[s][name]['ms']:>10.0f}{results[s][name]['queries']:>5d}" for s in sizes
        )
        print(f"{name:<18}{row}")
        last, first = results[sizes[-1]][name], results[sizes[0]][name]
        if last["ms"] >= 300:
            slow.append(name)
        if last["queries"] > first["queries"]:
            growing.append(name)
    rss = {s: results[s]["_rss_mb"] for s in sizes}
    print(
        "peak RSS of the serving process: " + ", ".join(f"{rss[s]:.0f} MB at {s:,}" for s in sizes)
    )
    verdict = "met" if not slow else f"NOT MET {slow}"
    print(f"goal: every page under 300 ms at {sizes[-1]:,}: {verdict}")
    print(f"goal: flat queries: {'met' if not growing else 'NOT MET ' + str(growing)}")
    print(f"goal: peak RSS under 400 MB: {'met' if rss[sizes[-1]] < 400 else 'NOT MET'}")


if __name__ == "__main__":
    main()
