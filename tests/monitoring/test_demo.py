"""The demo's monitor: 30 daily batches with score bins, a drift from day 20, a breach that
opens an incident by day 24, and a webhook whose delivery log holds the breach payload."""

from __future__ import annotations

import io

from django.core.management import call_command

from audits.incidents.models import Delivery, Incident
from audits.monitoring.models import Batch, Monitor, Reading

from .conftest import committed


def test_the_demo_monitor_breaches_by_day_24_and_logs_the_webhook(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with committed():
        call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    monitor = Monitor.objects.get()
    assert Batch.objects.filter(monitor=monitor, status="done").count() == 30
    states = list(
        Reading.objects.filter(batch__monitor=monitor)
        .order_by("look")
        .values_list("state", flat=True)
    )
    assert states[:19] == ["ok"] * 19  # days 1-19: no drift, no alarm
    first_breach = states.index("breach") + 1
    assert 20 <= first_breach <= 24
    incident = Incident.objects.get(monitor=monitor)
    assert incident.evidence_run.batch.readings.get().look == first_breach
    delivery = Delivery.objects.get(webhook__monitor=monitor)
    assert delivery.event == "gate.breach" and delivery.payload["action"] == "rollback"
    assert delivery.payload["incident"]["id"] == incident.pk
    # The demo's deployment host does not exist here: the attempt is logged as it went.
    assert delivery.attempts == 1 and delivery.status in ("retrying", "refused", "delivered")
    assert monitor.review.status == "in_review"
    # The demo's counts carry score bins: each run has AUC and calibration; decisions sit
    # at 0.5 and above, so every approval is in bins 5-9.
    first = Batch.objects.filter(monitor=monitor).order_by("period_end").first()
    assert first.score_bins == [i / 10 for i in range(11)]
    assert all((r["score_bin"] >= 5) == (r["prediction"] == 1) for r in first.counts_input)
    group = first.run.result["dimensions"][0]["groups"][0]
    assert 0.5 < group["auc"] < 1 and len(group["calibration"]) == 10
    # A demo feedback submission about the same system was escalated into the incident.
    escalated = list(incident.feedback.all())
    assert len(escalated) == 1 and escalated[0].review.system_id == monitor.review.system_id
