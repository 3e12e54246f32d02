from celery import shared_task


@shared_task
def ping() -> str:
    """Proves the broker and a worker are wired up."""
    return "pong"


@shared_task
def purge_idempotency_keys() -> int:
    """Hourly (celery beat): forget answers kept longer than IDEMPOTENCY_KEEP_HOURS."""
    from .plumbing.idempotency import purge

    return purge()
