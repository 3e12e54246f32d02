import json
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits import services
from audits.engine.config import AuditConfig
from audits.models import AuditRun, Dataset, RunStatus
from orgs.models import Notice
from orgs.plumbing.errors import ServiceError
from tests.conftest import api_as, run_small_audit, small_csv


def start(actor, review, dataset, **config):
    return services.audit_start(
        actor=actor, review=review, dataset=dataset, config=AuditConfig.from_dict(config)
    )


def _upload(owner, org, content=None, name="preds.csv"):
    return services.dataset_upload(
        actor=owner,
        organization=org,
        upload=SimpleUploadedFile(name, small_csv() if content is None else content),
    )


def test_an_upload_is_stored_with_its_hash_and_columns(org, owner):
    import hashlib

    dataset = _upload(owner, org)
    assert dataset.columns == ["sex", "race", "y", "score"]
    assert dataset.sha256 == hashlib.sha256(small_csv()).hexdigest()
    assert dataset.format == "csv" and dataset.size_bytes == len(small_csv())
    with dataset.file.open("rb") as handle:
        assert handle.read() == small_csv()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "x.csv", "empty"),
        (b"a,b\n1,2\n", "x.xlsx", ".csv or .parquet"),
        (b"not parquet", "x.parquet", "not a readable Parquet"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_saved(org, owner, content, name, message):
    with pytest.raises(ServiceError, match=message):
        _upload(owner, org, content, name)
    assert not Dataset.objects.exists()


def test_uploads_over_the_limit_are_refused(org, owner, settings):
    settings.AUDIT_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ServiceError, match="limit is"):
        _upload(owner, org)


def test_a_misspelt_column_is_refused_with_a_suggestion(org, owner, review):
    dataset = _upload(owner, org)
    with pytest.raises(ServiceError, match="Did you mean 'score'"):
        start(
            owner,
            review,
            dataset,
            y_true="y",
            y_score="scor",
            threshold=0.5,
            sensitive=["sex"],
        )
    assert not AuditRun.objects.exists()


def test_a_run_executes_and_stores_the_result(owner, review):
    run = run_small_audit(owner, review)
    assert run.status == RunStatus.SUCCEEDED and run.progress == 100
    assert run.result["schema"] == "forethought.audit/1"
    assert run.result["input"]["sha256"] == run.dataset.sha256
    assert [d["name"] for d in run.result["dimensions"]] == ["sex", "race", "intersection"]


def test_a_duplicate_delivery_does_nothing(owner, review):
    run = run_small_audit(owner, review)
    assert services.audit_claim(run.pk, "second-worker") == "done"
    assert AuditRun.objects.get(pk=run.pk).worker == "test-worker"


def test_a_run_held_by_a_live_worker_is_busy_and_a_dead_workers_run_is_taken_over(
    owner, review, org
):
    import datetime

    from django.utils import timezone

    dataset = _upload(owner, org)
    run = start(
        owner,
        review,
        dataset,
        y_true="y",
        y_score="score",
        threshold=0.5,
        sensitive=["sex"],
        bootstrap=0,
    )
    assert services.audit_claim(run.pk, "w1") == "claimed"
    assert services.audit_claim(run.pk, "w2") == "busy"
    AuditRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert services.audit_claim(run.pk, "w2") == "claimed"
    services.audit_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.worker) == (RunStatus.SUCCEEDED, "w2")


def test_bad_data_fails_the_run_with_the_reason(owner, review, org):
    dataset = _upload(owner, org, b"y,p,g\n1,1,a\n0,1,a\n")
    run = start(owner, review, dataset, y_true="y", y_pred="p", sensitive=["g"])
    services.audit_claim(run.pk, "w")
    run = services.audit_execute(run_id=run.pk)
    assert run.status == RunStatus.FAILED
    assert "single group" in run.error


def test_failing_gates_show_on_the_review_and_notify_the_lead(
    owner, review, facilitator, django_capture_on_commit_callbacks
):
    from reviews import services as core

    review = core.review_update(actor=owner, review=review, lead=facilitator)
    services.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        sensitive_feature="sex",
        comparator=">=",
        threshold=0.99,
        action="block_launch",
    )
    services.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        sensitive_feature="sex",
        comparator=">=",
        threshold=0.0,
        action="human_review",
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = run_small_audit(owner, review)
    verdicts = {v.gate.threshold: v.verdict for v in run.verdicts.select_related("gate")}
    assert verdicts == {0.99: "fail", 0.0: "pass"}
    from audits.selectors import failing_gate_count

    assert failing_gate_count(review) == 1
    notice = Notice.objects.get(user=facilitator)
    assert "failed 1 launch gate" in notice.message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["fatima@example.org"]
    assert f"/audits/runs/{run.pk}/" in mail.outbox[0].body


def test_counting_in_parts_and_merging_equals_one_pass(owner, review, org):
    from audits.engine.audit import audit_file
    from audits.engine.counts import merge  # noqa: F401 - the chord uses it

    dataset = _upload(owner, org)
    run = start(
        owner,
        review,
        dataset,
        y_true="y",
        y_score="score",
        threshold=0.5,
        sensitive=["sex", "race"],
        bootstrap=100,
        seed=3,
    )
    AuditRun.objects.filter(pk=run.pk).update(parts=3)
    run.refresh_from_db()
    ranges, bins = services.split_plan(run)
    assert len(ranges) == 3 and ranges[0][0] == 0 and ranges[-1][1] >= 400
    parts = [
        services.audit_count_part(run_id=run.pk, start=a, stop=b, bins=bins) for a, b in ranges
    ]
    json.dumps(parts)  # what Celery's JSON serializer must carry
    merged = services.audit_merge_parts(run_id=run.pk, parts=parts)
    whole = audit_file(dataset.file.path, services.run_config(run))
    from tests.audits.test_engine import assert_close

    # Equal up to the order of floating-point additions.
    assert_close(merged.result["dimensions"], whole["dimensions"])
    assert merged.result["rows"] == whole["rows"] == 400


def test_the_run_page_shows_tables_charts_and_verdicts(owner, review, client):
    services.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        sensitive_feature="sex",
        comparator=">=",
        threshold=0.8,
        action="block_launch",
    )
    run = run_small_audit(owner, review)
    client.force_login(owner)
    page = client.get(reverse("audit_run_detail", args=[run.pk])).content.decode()
    assert page.count("<svg") >= 6  # rates and impact ratios for three dimensions
    assert "Impact ratios by sex" in page and "selection rate by race" in page
    assert 'data-testid="verdict"' in page
    assert "hx-trigger" not in page  # finished: no more polling
    download = client.get(reverse("audit_run_json", args=[run.pk]))
    assert download.json()["schema"] == "forethought.audit/1"


def test_a_running_run_page_polls_and_shows_progress(owner, review, org, client):
    dataset = _upload(owner, org)
    run = start(
        owner,
        review,
        dataset,
        y_true="y",
        y_score="score",
        threshold=0.5,
        sensitive=["sex"],
    )
    AuditRun.objects.filter(pk=run.pk).update(status="running", progress=40)
    client.force_login(owner)
    page = client.get(reverse("audit_run_detail", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'value="40"' in page


def test_the_trend_page_charts_each_summary_metric_over_runs(owner, review, system, client):
    run_small_audit(owner, review)
    run_small_audit(owner, review, seed=2)
    client.force_login(owner)
    page = client.get(reverse("system_trend", args=[system.pk])).content.decode()
    assert page.count("<svg") == 11  # one chart per summary metric
    text = re.sub(r"<[^>]+>", " ", page)  # what a reader sees, not links and ids
    assert "Demographic parity ratio" in text and "demographic_parity_ratio" not in text


def test_the_upload_and_mapping_pages_start_a_run(
    owner, org, review, client, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    response = client.post(
        reverse("audit_home"), {"file": SimpleUploadedFile("p.csv", small_csv()), "name": "Q3"}
    )
    dataset = Dataset.objects.get(name="Q3")
    assert response["Location"] == reverse("audit_configure", args=[dataset.pk])
    form = client.get(response["Location"]).content.decode()
    assert '<option value="score">score</option>' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("audit_configure", args=[dataset.pk]),
            {
                "review": review.pk,
                "y_true": "y",
                "prediction_kind": "score",
                "y_score": "score",
                "threshold": "0.5",
                "sensitive": ["sex", "race"],
                "positive_is": "beneficial",
                "reference": "sex=female",
                "bootstrap": "100",
                "seed": "1",
            },
        )
    run = AuditRun.objects.get()
    assert response["Location"] == reverse("audit_run_detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED  # eager Celery ran it on commit
    assert run.result["dimensions"][0]["reference"] == "female"


def test_the_api_uploads_starts_and_returns_results(
    owner, org, review, django_capture_on_commit_callbacks
):
    client = api_as(owner)
    response = client.post(
        "/api/datasets/",
        {"organization": org.pk, "file": SimpleUploadedFile("p.csv", small_csv())},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    dataset_id = response.json()["id"]
    assert response.json()["columns"] == ["sex", "race", "y", "score"]
    bad = client.post(
        "/api/audit-runs/",
        {
            "review": review.pk,
            "dataset": dataset_id,
            "y_true": "y",
            "y_score": "score",
            "sensitive": ["sex"],
        },
        format="json",
    )
    assert bad.status_code == 400 and "threshold" in bad.json()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            "/api/audit-runs/",
            {
                "review": review.pk,
                "dataset": dataset_id,
                "y_true": "y",
                "y_score": "score",
                "threshold": 0.5,
                "sensitive": ["sex"],
                "bootstrap": 50,
            },
            format="json",
        )
    assert started.status_code == 202
    run_id = started.json()["id"]
    result = client.get(f"/api/audit-runs/{run_id}/result/")
    assert result.status_code == 200 and result.json()["rows"] == 400


def test_an_outsider_cannot_reach_runs_pages(owner, review, outsider, client):
    run = run_small_audit(owner, review)
    client.force_login(outsider)
    for name in ["audit_run_detail", "audit_run_status", "audit_run_json", "audit_configure"]:
        pk = run.dataset_id if name == "audit_configure" else run.pk
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.get(reverse("system_trend", args=[review.system_id])).status_code == 404


def test_runs_read_datasets_through_a_storage_without_local_paths(owner, review, settings):
    # Like S3: the backend has no .path(); the worker streams the file to a temporary copy.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    from pathlib import Path

    run = run_small_audit(owner, review)
    assert not Path(run.dataset.file.path).exists()  # nothing on this machine's disk
    assert run.status == RunStatus.SUCCEEDED and run.result["rows"] == 400
