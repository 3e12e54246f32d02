import socket

from celery import shared_task

from . import services
from .models import EventChain


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def verify_event_chain(verification_id: int) -> bool | None:
    verification = services.verification_run(
        verification_id=verification_id, worker=socket.gethostname()
    )
    return verification.intact if verification else None


@shared_task
def verify_all_event_chains() -> int:
    """Nightly (celery beat): queue a verification for every organization's chain."""
    org_ids = list(EventChain.objects.values_list("organization_id", flat=True))
    for org_id in org_ids:
        services.verification_enqueue(organization_id=org_id, requested_by=None)
    return len(org_ids)


@shared_task(acks_late=True, soft_time_limit=300, time_limit=330)
def write_event_checkpoint() -> str:
    """Every EVENT_CHECKPOINT_MINUTES (celery beat): a signed checkpoint of every head."""
    return services.checkpoint_write()
