import socket

from celery import shared_task

from . import services
from .models import Organization


@shared_task
def ping() -> str:
    """Proves the broker and a worker are wired up."""
    return "pong"


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def verify_event_chain(verification_id: int) -> bool | None:
    verification = services.chain_verification_run(
        verification_id=verification_id, worker=socket.gethostname()
    )
    return verification.intact if verification else None


@shared_task
def verify_all_event_chains() -> int:
    """Nightly (celery beat): queue a verification for every organization."""
    for organization in Organization.objects.all():
        services.chain_verification_start(actor=None, organization=organization)
    return Organization.objects.count()
