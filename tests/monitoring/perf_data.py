"""Monitoring's part of the query-ceiling walk: a monitor of an approved review (through
the service, as tests/monitoring/world.py builds one), ``n`` evaluated batches, ``n``
incidents and ``n`` webhooks with a delivery each."""

from __future__ import annotations

import datetime

from django.utils import timezone

from audits.engine.config import AuditConfig
from audits.incidents.models import Delivery, Incident, Webhook
from audits.models import LaunchGate
from audits.monitoring import services
from audits.monitoring.models import Batch, BatchStatus
from reviews import services as reviews
from reviews.models import Review, ReviewStatus
from tests.perf.registry import World, filler


@filler
def monitoring(world: World, n: int) -> None:
    review = reviews.review_create(actor=world.owner, system=world.system, title="In production")
    gate = LaunchGate.objects.create(
        organization=world.organization,
        review=review,
        metric="demographic_parity_ratio",
        comparator=">=",
        threshold=0.8,
        action="rollback",
    )
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.APPROVED, round=1)
    review.refresh_from_db()
    monitor = services.monitor_create(
        actor=world.owner,
        review=review,
        name="Production",
        config=AuditConfig.from_dict({"y_true": "y", "y_pred": "p", "sensitive": ["sex"]}),
        gates=[gate],
    )
    now = timezone.now()
    Batch.objects.bulk_create(
        Batch(
            organization=world.organization,
            monitor=monitor,
            kind="counts",
            period_end=now - datetime.timedelta(days=i),
            rows=100,
            status=BatchStatus.DONE,
            created_by=world.owner,
        )
        for i in range(n)
    )
    Incident.objects.bulk_create(
        Incident(
            organization=world.organization,
            review=review,
            monitor=monitor,
            title=f"Complaint {i}",
            date_of_incident=now.date(),
            opened_by=world.owner,
        )
        for i in range(n)
    )
    hooks = Webhook.objects.bulk_create(
        Webhook(
            organization=world.organization,
            monitor=monitor,
            url=f"https://hooks.example.org/{i}",
            secret=f"whsec_{i}",
        )
        for i in range(n)
    )
    Delivery.objects.bulk_create(
        Delivery(
            organization=world.organization,
            webhook=h,
            event="gate.breached",
            payload={"n": i},
            attempts=1,
            response_code=200,
        )
        for i, h in enumerate(hooks)
    )
