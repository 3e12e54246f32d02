from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pandas as pd
import pytest

from audits import services as audits
from audits.engine.config import AuditConfig
from audits.monitoring import services
from reviews.models import Review, ReviewStatus

CONFIG = {"y_true": "y", "y_pred": "p", "sensitive": ["sex", "age"]}
GATE = {"metric": "demographic_parity_ratio", "comparator": ">=", "threshold": 0.8}


def committed() -> Any:
    """Run the on-commit callbacks of the block (and those they add) at its end, as a
    real commit would."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def approved(review: Review) -> Review:
    """Approval needs sign-offs and a passing audit (tested in tests/reviews); monitoring
    tests start from an approved review."""
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.APPROVED, round=1)
    review.refresh_from_db()
    return review


def frame(rng: np.random.Generator, n: int, rate_f: float, rate_m: float = 0.5) -> pd.DataFrame:
    sex = rng.choice(["f", "m"], n)
    rate = np.where(sex == "f", rate_f, rate_m)
    return pd.DataFrame(
        {
            "sex": sex,
            "age": rng.choice(["18-25", "26-40", "41+"], n),
            "y": rng.integers(0, 2, n),
            "p": (rng.random(n) < rate).astype(int),
        }
    )


def counts_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    grouped = df.groupby(["sex", "age", "y", "p"]).size().reset_index(name="count")
    return [
        {
            "groups": {"sex": r.sex, "age": r.age},
            "label": int(r.y),
            "prediction": int(r.p),
            "count": int(r.count),
        }
        for r in grouped.itertuples()
    ]


def csv_upload(df: pd.DataFrame, name: str = "batch.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.StringIO()
    df.to_csv(buffer, index=False)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


@pytest.fixture
def gate(review, owner):
    return audits.launch_gate_create(
        actor=owner, review=review, sensitive_feature="sex", action="rollback", **GATE
    )


@pytest.fixture
def monitor(review, gate, owner, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return services.monitor_create(
        actor=owner,
        review=approved(review),
        name="Loan model in production",
        config=AuditConfig.from_dict({**CONFIG, "bootstrap": 0}),
        gates=[gate],
        window=5,
    )


def _bind(handler: Any) -> ThreadingHTTPServer:
    """A port of this helper's range (8270-8279), the first one free."""
    for port in range(8270, 8280):
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError:
            continue
    raise RuntimeError("No free port in 8270-8279 for the test receiver.")


class Receiver:
    """A local webhook receiver on 127.0.0.1: answers ``codes`` in turn (then 200) and
    keeps what it got."""

    def __init__(self, codes: list[int]) -> None:
        self.codes = list(codes)
        self.got: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append((dict(self.headers), body))
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _bind(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/forethought"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Any]:
    made: list[Receiver] = []

    def start(codes: list[int] | None = None) -> Receiver:
        made.append(Receiver(codes or []))
        return made[-1]

    yield start
    for r in made:
        r.close()
