import socket

from celery import chord, group, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import services
from .engine.errors import AuditInputError
from .models import AuditRun

LIMITS = {
    "soft_time_limit": settings.AUDIT_SOFT_TIME_LIMIT,
    "time_limit": settings.AUDIT_TIME_LIMIT,
}


def failure_message(exc: BaseException) -> str:
    """What a run that stopped on a worker's limit says."""
    if isinstance(exc, SoftTimeLimitExceeded):
        return (
            f"The audit took longer than {settings.AUDIT_SOFT_TIME_LIMIT} s "
            "(AUDIT_SOFT_TIME_LIMIT). Audit fewer rows or features, or raise the limit."
        )
    if isinstance(exc, MemoryError):
        return (
            f"The audit needed more memory than a worker may use "
            f"({settings.AUDIT_WORKER_MEMORY_MB} MB, AUDIT_WORKER_MEMORY_MB). Audit fewer "
            "features or groups, or fewer bootstrap resamples."
        )
    return f"Internal error: {type(exc).__name__}"


@shared_task(bind=True, acks_late=True, max_retries=20, **LIMITS)
def execute_audit(self, run_id: int) -> str:
    state = services.audit_claim(run_id, socket.gethostname())
    if state == "busy":  # another worker has it; if that one dies we take over
        raise self.retry(countdown=int(services.stale_after().total_seconds()))
    if state == "claimed":
        try:
            services.audit_execute(run_id=run_id)
        except (Exception, MemoryError) as exc:
            services.audit_fail(run_id=run_id, message=failure_message(exc))
            if isinstance(exc, SoftTimeLimitExceeded | MemoryError):
                return "failed"
            raise
    return state


@shared_task(acks_late=True, **LIMITS)
def count_audit_part(run_id: int, start: int, stop: int, bins: dict | None) -> dict:
    try:
        return services.audit_count_part(run_id=run_id, start=start, stop=stop, bins=bins)
    except AuditInputError as exc:
        services.audit_fail(run_id=run_id, message=exc.message)
        raise


@shared_task(acks_late=True, **LIMITS)
def merge_audit_parts(parts: list[dict], run_id: int) -> int:
    try:
        services.audit_merge_parts(run_id=run_id, parts=parts)
    except (Exception, MemoryError) as exc:
        services.audit_fail(run_id=run_id, message=failure_message(exc))
        if not isinstance(exc, SoftTimeLimitExceeded | MemoryError):
            raise
    return run_id


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def draw_run_charts(run_id: int) -> int:
    return services.audit_draw_charts(run_id=run_id)


@shared_task
def fail_split_audit(*args, run_id: int) -> None:
    """Errback of the chord: a part failed, so the run cannot finish (a part refused for
    bad input has already said why)."""
    services.audit_fail(
        run_id=run_id, message="Counting one part of the file failed.", keep_reason=True
    )


def dispatch_split_audit(run_id: int) -> None:
    """Claim the run, then fan its row ranges out to a group whose chord callback adds the
    counts. Called on commit by ``audit_start``."""
    if services.audit_claim(run_id, socket.gethostname()) != "claimed":
        return
    run = AuditRun.objects.select_related("dataset").get(pk=run_id)
    try:
        ranges, bins = services.split_plan(run)
    except AuditInputError as exc:
        services.audit_fail(run_id=run_id, message=exc.message)
        return
    callback = merge_audit_parts.s(run_id).on_error(fail_split_audit.s(run_id=run_id))
    chord(group(count_audit_part.s(run_id, a, b, bins) for a, b in ranges))(callback)
