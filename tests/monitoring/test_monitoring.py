"""Monitors, production batches, sequential readings, escalation on breach, no-data
alerts, incidents, and who may see them."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.core import mail
from django.utils import timezone

from audits.incidents import escalation
from audits.incidents.models import Delivery, Incident
from audits.monitoring import services
from audits.monitoring.models import Batch, Reading
from orgs.models import Notice
from orgs.plumbing.errors import Conflict, ServiceError
from reviews.models import ReviewStatus
from tests.conftest import api_as

from .conftest import committed, counts_rows, csv_upload, frame

DAY = timedelta(days=1)


def push(monitor, owner, df, day: int, kind: str = "counts") -> Batch:
    """Send a batch and run what its commit queues (evaluation, webhook deliveries)."""
    start = timezone.now() - 40 * DAY
    data = {"counts": counts_rows(df)} if kind == "counts" else {"upload": csv_upload(df)}
    with committed():
        return services.batch_push(
            actor=owner, monitor=monitor, period_end=start + day * DAY, **data
        )


def test_it_gives_counts_the_same_audit_as_the_rows_they_sum(monitor, owner):
    df = frame(np.random.default_rng(1), 3000, 0.5)
    by_rows = push(monitor, owner, df, 1, kind="file")
    by_counts = push(monitor, owner, df, 2)
    by_rows.refresh_from_db()
    by_counts.refresh_from_db()
    assert by_rows.status == by_counts.status == "done"
    assert by_rows.rows == by_counts.rows == 3000
    assert by_rows.run.result["dimensions"] == by_counts.run.result["dimensions"]
    assert by_rows.run.verdicts.get().value == by_counts.run.verdicts.get().value


def test_it_refuses_counts_that_are_not_counts_and_writes_nothing(monitor, owner):
    bad = [{"groups": {"sex": "f"}, "label": 1, "prediction": 1, "count": 3}]
    with pytest.raises(ServiceError, match="groups names each of sex, age"):
        services.batch_push(actor=owner, monitor=monitor, counts=bad)
    response = api_as(owner).post(
        f"/api/monitors/{monitor.pk}/batches/",
        {"counts": [{"groups": {"sex": "f", "age": "41+"}, "label": 1, "prediction": 1}]},
        format="json",
    )
    assert response.status_code == 400
    assert Batch.objects.count() == 0


def test_a_retried_upload_with_its_idempotency_key_counts_once(monitor, owner):
    df = frame(np.random.default_rng(2), 500, 0.5)
    client = api_as(owner)
    with committed():
        answers = [
            client.post(
                f"/api/monitors/{monitor.pk}/batches/",
                {"file": csv_upload(df)},
                format="multipart",
                HTTP_IDEMPOTENCY_KEY="batch-2026-11-25",
            )
            for _ in range(2)
        ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Batch.objects.filter(monitor=monitor).count() == 1
    assert Batch.objects.get().rows == 500  # evaluated once, after the commit


def test_a_drift_breaches_opens_an_incident_reopens_the_review_and_fires_webhooks(
    monitor, owner, receiver, settings
):
    hook_to = receiver()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    hook = escalation.webhook_create(actor=owner, monitor=monitor, url=hook_to.url)
    rng = np.random.default_rng(3)
    for day in range(1, 9):
        push(monitor, owner, frame(rng, 2000, 0.5), day)
    assert set(Reading.objects.values_list("state", flat=True)) == {"ok"}
    for day in range(9, 14):
        push(monitor, owner, frame(rng, 2000, 0.2), day)
    states = list(Reading.objects.order_by("look").values_list("state", flat=True))
    assert "breach" in states[8:]
    incident = Incident.objects.get()
    assert incident.source == "monitor" and incident.status == "open"
    assert incident.action == "rollback" and incident.severity == "severe"
    assert incident.groups == ["f", "m"]  # lowest selection rate first
    assert incident.evidence_run.batch.readings.get().state == "breach"
    monitor.review.refresh_from_db()
    assert monitor.review.status == ReviewStatus.IN_REVIEW and monitor.review.round == 2
    assert Notice.objects.filter(user=owner, message__contains="breached").exists()
    assert any("Breach" in m.subject for m in mail.outbox)
    delivery = Delivery.objects.get(webhook=hook)
    assert delivery.status == "delivered" and delivery.response_code == 200
    headers, body = hook_to.got[0]
    assert b'"action": "rollback"' in body and b"roll the model back" in body
    assert headers["Forethought-Event"] == "gate.breach"
    # One breach, one incident: later breaching readings do not open more.
    push(monitor, owner, frame(rng, 2000, 0.2), 14)
    assert Incident.objects.count() == 1


def test_it_raises_one_no_data_alert_per_gap(monitor, owner, viewer):
    monitor.on_call.add(viewer)
    push(monitor, owner, frame(np.random.default_rng(4), 300, 0.5), 40)
    later = timezone.now() + timedelta(hours=30)  # cadence 24 h × 1.5 = 36 h since the batch
    assert services.monitors_check_late(now=later) == []
    much_later = timezone.now() + timedelta(hours=60)
    assert services.monitors_check_late(now=much_later) == [monitor]
    assert services.monitors_check_late(now=much_later + timedelta(hours=1)) == []
    assert Notice.objects.filter(user=viewer, message__startswith="No data").count() == 1


def test_an_incident_moves_open_mitigating_resolved_and_needs_a_resolution(monitor, owner, review):
    incident = escalation.incident_create(actor=owner, review=review, title="Complaint")
    incident = escalation.incident_update(actor=owner, incident=incident, status="mitigating")
    with pytest.raises(ServiceError, match="how the incident was resolved"):
        escalation.incident_update(actor=owner, incident=incident, status="resolved")
    incident = escalation.incident_update(
        actor=owner, incident=incident, status="resolved", resolution="Model rolled back."
    )
    assert incident.status == "resolved" and incident.resolved_at is not None
    with pytest.raises(Conflict):
        escalation.incident_update(actor=owner, incident=incident, status="mitigating")
    reopened = escalation.incident_update(actor=owner, incident=incident, status="open")
    assert reopened.resolved_at is None


def test_a_monitor_needs_an_approved_review_and_watchable_gates(review, gate, owner):
    from audits.engine.config import AuditConfig

    config = AuditConfig.from_dict({"y_true": "y", "y_pred": "p", "sensitive": ["sex"]})
    with pytest.raises(ServiceError, match="approved review"):
        services.monitor_create(actor=owner, review=review, name="M", config=config, gates=[gate])


def test_outsiders_get_404_on_monitors_incidents_and_webhooks(
    monitor, owner, outsider, review, client_as
):
    incident = escalation.incident_create(actor=owner, review=review, title="Complaint")
    hook = escalation.webhook_create(
        actor=owner, monitor=monitor, url="https://hooks.example.org/h"
    )
    api = api_as(outsider)
    for url in (
        f"/api/monitors/{monitor.pk}/",
        f"/api/monitors/{monitor.pk}/batches/",
        f"/api/incidents/{incident.pk}/",
        f"/api/webhooks/{hook.pk}/",
        f"/api/webhooks/{hook.pk}/deliveries/",
    ):
        assert api.get(url).status_code == 404, url
    assert api.post(f"/api/monitors/{monitor.pk}/batches/", {}, format="json").status_code in (
        403,
        404,
    )
    page = client_as(outsider)
    assert page.get(f"/monitors/{monitor.pk}/").status_code == 404
    assert page.get(f"/incidents/{incident.pk}/").status_code == 404


def test_the_monitor_page_draws_a_control_chart_with_markers(monitor, owner, client_as, viewer):
    rng = np.random.default_rng(5)
    for day in range(1, 6):
        push(monitor, owner, frame(rng, 2000, 0.5), day)
    for day in range(6, 10):
        push(monitor, owner, frame(rng, 2000, 0.15), day)
    html = client_as(owner).get(f"/monitors/{monitor.pk}/").content.decode()
    assert "<svg" in html and "threshold 0.8" in html
    assert 'data-state="breach"' in html and 'data-incident="1"' in html
    assert "Webhook deliveries" in html
    # A viewer sees the chart but not the webhooks.
    seen = client_as(viewer).get(f"/monitors/{monitor.pk}/").content.decode()
    assert "<svg" in seen and "Webhook deliveries" not in seen
    incident = Incident.objects.get()
    page = client_as(owner).get(f"/incidents/{incident.pk}/").content.decode()
    assert "Demographic parity ratio" in page and "roll back" in page.lower()
