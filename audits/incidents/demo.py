"""The demo monitor's webhook (its delivery log shows the breach payload once the batches
are evaluated), and a community feedback submission about the loan model escalated into
the breach's incident."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction

HOOK = "https://deploy.loans.example/forethought-hooks"


def seed(demo: Any) -> None:
    from . import escalation

    monitor = demo.made.get("monitor")
    if monitor is None or monitor.webhooks.exists():
        return
    # The batches are evaluated on commit; the webhook is there by then.
    escalation.webhook_create(actor=demo.owner, monitor=monitor, url=HOOK)
    # Feedback on the next version's channel describes the same refusals: escalated into
    # the breach's incident after the evaluations queued before it (docs/feedback.md).
    transaction.on_commit(partial(_escalate_feedback, monitor, demo.owner))
    demo.summary.append("webhook and an escalated feedback submission on the monitor")


def _escalate_feedback(monitor: Any, owner: Any) -> None:
    from reviews.feedback.models import Submission

    from . import escalation

    incident = monitor.incidents.first()
    about_system = Submission.objects.filter(review__system=monitor.review.system_id)
    heard = about_system.filter(status="linked").first() or about_system.first()
    if incident is not None and heard is not None:
        escalation.incident_from_feedback(actor=owner, submission=heard, incident=incident)
