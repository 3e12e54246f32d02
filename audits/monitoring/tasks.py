from celery import shared_task
from django.conf import settings

from . import escalation, services


@shared_task(
    acks_late=True,
    soft_time_limit=settings.AUDIT_SOFT_TIME_LIMIT,
    time_limit=settings.AUDIT_TIME_LIMIT,
)
def evaluate_batch(batch_id: int) -> str:
    return str(services.batch_evaluate(batch_id=batch_id).status)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """Send one delivery; retried with exponential backoff while attempts are left."""
    outcome = escalation.delivery_attempt(delivery_id=delivery_id)
    if outcome == "retry" and not settings.CELERY_TASK_ALWAYS_EAGER:
        attempts = self.request.retries + 1
        raise self.retry(countdown=escalation.backoff(attempts))
    return outcome


@shared_task
def check_late_monitors() -> int:
    return len(services.monitors_check_late())
