"""Monitoring on real workers: counts batches evaluated by Celery, a breach whose webhook a
worker delivers to a local receiver on 127.0.0.1, retried with backoff after a 503."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.db import transaction
from django.utils import timezone

from audits import services as audits
from audits.engine import webhook_signing as signing
from audits.engine.config import AuditConfig
from audits.incidents import escalation
from audits.incidents.models import Delivery, Incident
from audits.monitoring import services
from audits.monitoring.models import Batch
from tests.integration.test_audit_worker import _review, media, start_worker, stop  # noqa: F401
from tests.integration.test_worker_and_chain import _wait_for
from tests.monitoring.conftest import Receiver, approved, counts_rows, frame

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_batches_run_on_a_worker_and_the_breach_webhook_is_retried_until_delivered(
    media,  # noqa: F811
    settings,
):
    receiver = Receiver([503])
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    owner, _org, review = _review()
    gate = audits.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        sensitive_feature="sex",
        comparator=">=",
        threshold=0.8,
        action="human_review",
    )
    monitor = services.monitor_create(
        actor=owner,
        review=approved(review),
        name="On a worker",
        config=AuditConfig.from_dict({"y_true": "y", "y_pred": "p", "sensitive": ["sex", "age"]}),
        gates=[gate],
        window=3,
    )
    hook = escalation.webhook_create(actor=owner, monitor=monitor, url=receiver.url)
    worker = start_worker(
        media, "monitor", WEBHOOK_ALLOWED_HOSTS="127.0.0.1", WEBHOOK_BACKOFF_SECONDS="1"
    )
    rng = np.random.default_rng(8)
    start = timezone.now() - timedelta(days=10)
    try:
        for day, rate in enumerate([0.5, 0.5, 0.15, 0.15, 0.15], start=1):
            with transaction.atomic():
                batch = services.batch_push(
                    actor=owner,
                    monitor=monitor,
                    counts=counts_rows(frame(rng, 3000, rate)),
                    period_end=start + timedelta(days=day),
                )
            _wait_for(lambda b=batch: Batch.objects.filter(pk=b.pk, status="done").first(), 60)
        delivered = _wait_for(
            lambda: Delivery.objects.filter(webhook=hook, status="delivered").first(), 60
        )
    finally:
        stop(worker)
        receiver.close()
    assert Incident.objects.get(monitor=monitor).action == "human_review"
    assert delivered.attempts == 2 and delivered.response_code == 200
    (headers, body), *_ = receiver.got[1:]
    signing.verify(
        hook.secret, headers[signing.HEADER], body, headers["Forethought-Delivery"], set()
    )
    assert b"human_review: route the model's decisions to human review" in body
