"""An audit that meets a limit fails with a message naming the setting; a long computation
keeps its claim alive; the broker's visibility timeout outlasts the time limits."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.management import call_command
from django.utils import timezone

from audits import services, tasks
from audits.checks import visibility_outlasts_time_limits
from audits.engine.errors import AuditInputError
from audits.models import AuditRun, RunStatus
from tests.conftest import run_small_audit

ROOT = Path(__file__).resolve().parents[2]


def test_deployment_limits_reach_the_engine(owner, review, settings):
    settings.AUDIT_MAX_VALUES_PER_FEATURE = 1
    run = run_small_audit(owner, review)
    assert run.status == RunStatus.FAILED
    assert "AUDIT_MAX_VALUES_PER_FEATURE" in run.error and "limit is 1" in run.error


def test_a_result_too_large_to_store_fails_the_run_naming_the_setting(owner, review, settings):
    settings.AUDIT_MAX_RESULT_BYTES = 10_000
    run = run_small_audit(owner, review)
    assert run.status == RunStatus.FAILED
    assert run.result is None
    assert "the limit is 0 MiB (AUDIT_MAX_RESULT_MB)" in run.error


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (SoftTimeLimitExceeded(), "longer than 1800 s (AUDIT_SOFT_TIME_LIMIT)"),
        (MemoryError(), "more memory than a worker may use (6144 MB, AUDIT_WORKER_MEMORY_MB)"),
        (ValueError("x"), "Internal error: ValueError"),
    ],
)
def test_a_run_stopped_by_a_limit_says_which(owner, review, monkeypatch, error, words):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audits.engine.config import AuditConfig
    from tests.conftest import small_csv

    dataset = services.dataset_upload(
        actor=owner,
        organization=review.organization,
        upload=SimpleUploadedFile("d.csv", small_csv()),
    )
    config = AuditConfig(y_true="y", y_score="score", threshold=0.5, sensitive=("sex",))
    run = services.audit_start(actor=owner, review=review, dataset=dataset, config=config)

    def boom(**kwargs):
        raise error

    monkeypatch.setattr(services, "audit_execute", boom)
    outcome = tasks.execute_audit.apply(args=[run.pk], throw=False)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert words in run.error
    # A limit is an answer (the task ends); anything else is a bug and is raised.
    assert outcome.failed() == isinstance(error, ValueError)


def test_a_split_run_refused_while_planning_fails_with_the_reason(owner, review, monkeypatch):
    run = run_small_audit(owner, review)
    AuditRun.objects.filter(pk=run.pk).update(status=RunStatus.PENDING, result=None, parts=2)

    def refuse(run):
        raise AuditInputError("race has 5,000 distinct values; the limit is 1,000.")

    monkeypatch.setattr(services, "split_plan", refuse)
    tasks.dispatch_split_audit(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error.startswith("race has 5,000")
    # The chord's errback does not overwrite a reason already given.
    tasks.fail_split_audit(run_id=run.pk)
    run.refresh_from_db()
    assert run.error.startswith("race has 5,000")


@pytest.mark.django_db(transaction=True)
def test_a_long_computation_keeps_its_claim_alive(owner, review, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reviews.harms.models import HarmCategory
    from reviews.harms.taxonomy import load_taxonomy
    from tests.conftest import small_csv

    load_taxonomy(HarmCategory)
    dataset = services.dataset_upload(
        actor=owner,
        organization=review.organization,
        upload=SimpleUploadedFile("d.csv", small_csv()),
    )
    stale = timezone.now() - datetime.timedelta(minutes=10)
    run = AuditRun.objects.create(
        organization_id=review.organization_id,
        review=review,
        dataset=dataset,
        config={"y_true": "y", "y_pred": "p", "sensitive": ["sex"]},
        status=RunStatus.RUNNING,
        heartbeat_at=stale,
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.AUDIT_STALE_SECONDS = 4  # a beat every second
    with services.heartbeat(run.pk):
        time.sleep(2.5)
    beat = AuditRun.objects.get(pk=run.pk).heartbeat_at
    assert beat > timezone.now() - datetime.timedelta(seconds=3)
    # A second delivery of the task now finds the run alive and leaves it alone.
    assert services.audit_claim(run.pk, "second-worker") == "busy"


def test_the_visibility_timeout_must_outlast_the_time_limits(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert visibility_outlasts_time_limits() == []  # the defaults agree
    settings.VISIBILITY_TIMEOUT = settings.AUDIT_TIME_LIMIT
    warnings = visibility_outlasts_time_limits()
    assert [w.id for w in warnings] == ["forethought.W001"]
    assert "CELERY_VISIBILITY_TIMEOUT" in warnings[0].msg
    with pytest.raises(Exception, match="forethought.W001"):
        call_command("check", "--fail-level", "WARNING")


def test_a_worker_process_cannot_reserve_more_than_its_memory_limit(tmp_path):
    """What a worker process does at start (config/celery.py), in a process of its own:
    the cap holds, and an allocation beyond it is a MemoryError, not the OOM killer."""
    script = (
        "import django, resource, numpy as np;"
        "django.setup();"
        "from config.celery import limit_memory;"
        "limit_memory();"
        "print(resource.getrlimit(resource.RLIMIT_AS)[0]);"
        "\ntry:\n    np.ones(3 * 2**30 // 8)\nexcept MemoryError:\n    print('MemoryError')"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "AUDIT_WORKER_MEMORY_MB": "2048",
        "FORETHOUGHT_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(2048 * 2**20), "MemoryError"]


def test_the_run_page_renders_labels_that_look_like_math_and_groups_with_no_positives(
    owner, review, client
):
    """Once a 500 forever: a group name like $\\undefinedcmd$ (parsed as math text) and a
    group selected for nothing (its Wilson bound fell a hair below zero)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from audits.engine.config import AuditConfig

    rows = ["\ufeffy_true,y_pred,group"]  # Excel's "CSV UTF-8" starts with a byte-order mark
    for i in range(240):
        group = ["$\\undefinedcmd$", "{" * 200, "plain"][i % 3]
        rows.append(f"{i % 2},{0 if group == 'plain' else i % 2},{group}")
    dataset = services.dataset_upload(
        actor=owner,
        organization=review.organization,
        upload=SimpleUploadedFile("excel.csv", "\n".join(rows).encode("utf-8")),
    )
    assert dataset.columns == ["y_true", "y_pred", "group"]
    config = AuditConfig(y_true="y_true", y_pred="y_pred", sensitive=("group",), bootstrap=20)
    run = services.audit_start(actor=owner, review=review, dataset=dataset, config=config)
    assert services.audit_claim(run.pk, "w") == "claimed"
    run = services.audit_execute(run_id=run.pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    client.force_login(owner)
    page = client.get(reverse("audit_run_detail", args=[run.pk]))
    assert page.status_code == 200
    assert "$\\undefinedcmd$" in page.content.decode()
    assert client.get(reverse("audit_run_status", args=[run.pk])).status_code == 200
