import os
import resource

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("forethought")
# Every CELERY_* setting in config/settings.py configures the app.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def limit_memory(**kwargs: object) -> None:
    """Cap each worker process's address space (AUDIT_WORKER_MEMORY_MB; 0 = no cap): an
    audit that needs more gets a MemoryError, which fails the run with a message, instead
    of the kernel killing the worker (or the machine swapping)."""
    from django.conf import settings

    megabytes = settings.AUDIT_WORKER_MEMORY_MB
    if megabytes > 0:
        limit = megabytes * 2**20
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
