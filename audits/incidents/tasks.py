from celery import shared_task
from django.conf import settings

from . import escalation


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """Send one delivery; retried with exponential backoff while attempts are left."""
    outcome = escalation.delivery_attempt(delivery_id=delivery_id)
    if outcome == "retry" and not settings.CELERY_TASK_ALWAYS_EAGER:
        attempts = self.request.retries + 1
        raise self.retry(countdown=escalation.backoff(attempts))
    return outcome
