from celery import shared_task


@shared_task
def ping() -> str:
    """Proves the broker and a worker are wired up."""
    return "pong"
