"""Charts drawn once and kept in file storage (``var/media/charts`` by default, any
django-storages backend in production): matplotlib takes tens of milliseconds a chart, and a
run's charts never change once it has finished. Names carry what the chart is drawn from
(the run and its finish time, or a hash of the plotted points), so a stored chart is never
stale."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from . import charts
from .models import AuditRun

RUN_CHARTS = ("rates", "impact")


def stored_svg(name: str, draw: Callable[[], str]) -> str:
    """The chart stored under ``name``, drawn (and stored) on first use."""
    path = f"charts/{name}.svg"
    try:
        with default_storage.open(path, "rb") as stored:
            return bytes(stored.read()).decode()
    except (FileNotFoundError, OSError):
        pass
    svg = draw()
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(svg.encode()))
    return svg


def run_chart_name(run: AuditRun, dimension: int, kind: str) -> str:
    finished = int(run.finished_at.timestamp()) if run.finished_at else 0
    return f"run-{run.pk}-{finished}/{dimension}-{kind}"


def run_chart(run: AuditRun, dimension: int, kind: str) -> str:
    """A chart (``kind`` in RUN_CHARTS) of one dimension of a finished run, drawn from its
    result once and stored: the run page, its SVG endpoint and every dossier of the review
    show that drawing."""
    draw = charts.group_rates_svg if kind == "rates" else charts.impact_ratio_svg
    name = run_chart_name(run, dimension, kind)
    return stored_svg(name, lambda: draw((run.result or {})["dimensions"][dimension]))


def review_run_charts(review_id: int) -> Callable[[int, int, str], str]:
    """``run_chart`` by (run id, dimension, kind) for the runs of one review (a dossier's)."""
    runs = AuditRun.objects.defer("result").filter(review_id=review_id).in_bulk()
    return lambda run_id, dimension, kind: run_chart(runs[run_id], dimension, kind)


def run_chart_etag(run: AuditRun, dimension: int, kind: str) -> str:
    return '"' + run_chart_name(run, dimension, kind).replace("/", "-") + '"'


def digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
