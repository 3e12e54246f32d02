"""A system check: the broker must not deliver a task again while it still runs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register()
def visibility_outlasts_time_limits(**kwargs: Any) -> list[Warning]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    longest = max(settings.CELERY_TASK_TIME_LIMIT, settings.AUDIT_TIME_LIMIT)
    if longest < settings.VISIBILITY_TIMEOUT:
        return []
    return [
        Warning(
            f"CELERY_VISIBILITY_TIMEOUT ({settings.VISIBILITY_TIMEOUT} s) does not outlast the "
            f"longest task time limit ({longest} s): Redis would deliver a long task again "
            "while it still runs.",
            hint="Raise CELERY_VISIBILITY_TIMEOUT above CELERY_TASK_TIME_LIMIT and "
            "AUDIT_TIME_LIMIT (the default is the longer of the two plus 300 s).",
            id="forethought.W001",
        )
    ]
