"""Audit runs on real workers: a run on one worker, a split run through a chord, and a
worker killed mid-run whose run completes on the next worker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from audits import services
from audits.engine.audit import audit_file
from audits.engine.config import AuditConfig
from audits.models import AuditRun, RunStatus
from config.celery import app as celery_app
from reviews import services as core
from tests.audits.test_engine import assert_close
from tests.conftest import make_org, make_system, make_user
from tests.integration.test_worker_and_chain import ROOT, _test_database_url, _wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def start_worker(tmp_media: Path, name: str, **env) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "MEDIA_ROOT": str(tmp_media),
        **env,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{name}@%h",
        ],
        cwd=ROOT,
        env=environment,
        stdout=(tmp_media.parent / f"{name}.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"worker {name} exited early")
        replies = celery_app.control.ping(timeout=1.0) or []
        if any(name in key for reply in replies for key in reply):
            return proc
    proc.kill()
    pytest.fail(f"worker {name} did not answer within 60 s")


def stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    celery_app.control.purge()
    return settings.MEDIA_ROOT


def _review():
    owner = make_user("olivia")
    org = make_org(owner)
    review = core.review_create(actor=owner, system=make_system(org, owner), title="R")
    return owner, org, review


def _parquet_bytes(rows: int, row_group: int) -> bytes:
    rng = np.random.default_rng(0)
    table = pa.table(
        {
            "g": pa.array(rng.choice(["a", "b", "c"], rows)),
            "h": pa.array(rng.choice(["x", "y"], rows)),
            "y": pa.array(rng.integers(0, 2, rows).astype(np.int8)),
            "s": pa.array(np.round(rng.random(rows), 3)),
        }
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=row_group)
    return sink.getvalue().to_pybytes()


def test_a_split_run_is_counted_by_a_chord_and_equals_one_pass(media, settings):
    owner, org, review = _review()
    dataset = services.dataset_upload(
        actor=owner,
        organization=org,
        upload=SimpleUploadedFile("big.parquet", _parquet_bytes(300_000, 50_000)),
    )
    settings.AUDIT_SPLIT_BYTES = dataset.size_bytes // 3 + 1  # three parts
    workers = [start_worker(media, f"split{i}") for i in range(2)]
    try:
        with transaction.atomic():
            run = services.audit_start(
                actor=owner,
                review=review,
                dataset=dataset,
                config=AuditConfig.from_dict(
                    dict(
                        y_true="y",
                        y_score="s",
                        threshold=0.5,
                        sensitive=["g", "h"],
                        bootstrap=200,
                        seed=5,
                    )
                ),
            )
        assert run.parts == 3
        done = _wait_for(
            lambda: AuditRun.objects.filter(pk=run.pk, status__in=["succeeded", "failed"]).first(),
            timeout=120,
        )
    finally:
        for w in workers:
            stop(w)
    assert done.status == RunStatus.SUCCEEDED, done.error
    assert done.result["timings"]["parts"] == 3
    whole = audit_file(Path(dataset.file.path), services.run_config(done))
    assert_close(done.result["dimensions"], whole["dimensions"])
    assert done.result["rows"] == 300_000


def test_a_run_whose_worker_is_killed_completes_on_the_next_worker(media):
    owner, org, review = _review()
    dataset = services.dataset_upload(
        actor=owner,
        organization=org,
        upload=SimpleUploadedFile("slow.parquet", _parquet_bytes(1_000_000, 20_000)),
    )
    env = {
        "AUDIT_CHUNK_ROWS": "1000",
        "AUDIT_STALE_SECONDS": "3",
        "CELERY_VISIBILITY_TIMEOUT": "5",
        # Look for the dead worker's unacknowledged task every second (default 10 s).
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    }
    first = start_worker(media, "doomed", **env)
    try:
        with transaction.atomic():
            run = services.audit_start(
                actor=owner,
                review=review,
                dataset=dataset,
                config=AuditConfig.from_dict(
                    dict(
                        y_true="y",
                        y_score="s",
                        threshold=0.5,
                        sensitive=["g"],
                        bootstrap=0,
                    )
                ),
            )
        _wait_for(
            lambda: AuditRun.objects.filter(pk=run.pk, status="running", progress__gt=0).exists(),
            timeout=60,
        )
    finally:
        stop(first, signal.SIGKILL)  # the machine dies: no ack, no cleanup
    killed = AuditRun.objects.get(pk=run.pk)
    assert killed.status == RunStatus.RUNNING and killed.progress < 100
    second = start_worker(media, "heir", **env)
    try:
        done = _wait_for(
            lambda: AuditRun.objects.filter(pk=run.pk, status__in=["succeeded", "failed"]).first(),
            timeout=300,
        )
    finally:
        stop(second)
    assert done.status == RunStatus.SUCCEEDED, done.error
    assert done.result["rows"] == 1_000_000
    assert done.worker.startswith("") and done.worker  # written by the second worker
