from celery import shared_task
from django.conf import settings

from . import services


# The render itself runs in a child process with its own limits (isolate.py); these
# limits are the backstop for the gathering and storing around it.
@shared_task(
    acks_late=True,
    soft_time_limit=settings.DOSSIER_TIME_LIMIT + 60,
    time_limit=settings.DOSSIER_TIME_LIMIT + 120,
)
def build_dossier(dossier_id: int) -> str:
    return services.dossier_build(dossier_id)
