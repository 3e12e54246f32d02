from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    acks_late=True,
    soft_time_limit=settings.AUDIT_SOFT_TIME_LIMIT,
    time_limit=settings.AUDIT_TIME_LIMIT,
)
def evaluate_batch(batch_id: int) -> str:
    return str(services.batch_evaluate(batch_id=batch_id).status)


@shared_task
def check_late_monitors() -> int:
    return len(services.monitors_check_late())
