"""Feedback's background work: reply emails and the retention purge (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from . import notify, services


@shared_task(acks_late=True, soft_time_limit=110, time_limit=120)
def notify_reply(reply_id: int, submission_ids: list[int]) -> int:
    return notify.send_reply_emails(reply_id, submission_ids)


@shared_task(acks_late=True, soft_time_limit=590, time_limit=600)
def purge_feedback_pii() -> dict[str, int]:
    return {str(org): n for org, n in services.purge_expired_contacts().items()}
