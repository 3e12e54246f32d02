"""Monitoring pages: the organization's monitors, one monitor's control charts, verdicts
and freshness (its incidents and delivery log come from audits/incidents' template tags)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from audits.engine import control_chart as charts
from orgs.web import current_organization

from . import selectors


@login_required
def monitor_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    monitors = selectors.monitors_for(request.user).filter(organization=organization)
    return render(request, "monitoring/list.html", {"monitors": monitors})


def _freshness(monitor: object) -> tuple[str, bool]:
    last = getattr(monitor, "last_batch_at", None)
    if last is None:
        return "No data yet.", True
    age = timezone.now() - last
    allowed = timedelta(hours=monitor.cadence_hours * (1 + monitor.late_margin))  # type: ignore[attr-defined]
    hours = age.total_seconds() / 3600
    text = (
        f"Newest data ends {hours:.0f} h ago" if hours >= 1 else "Newest data is under an hour old"
    )
    return f"{text} (expected every {monitor.cadence_hours} h).", age > allowed  # type: ignore[attr-defined]


@login_required
def monitor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    monitor = get_object_or_404(selectors.monitors_for(request.user), pk=pk)
    readings = list(selectors.readings(monitor).order_by("batch__period_end", "batch_id"))
    opens_incident = {
        action for action, steps in monitor.routes.items() if "incident" in (steps or [])
    }
    panels = []
    for gate in monitor.gates.all():
        mine = [r for r in readings if r.gate_id == gate.pk]
        # A breach escalates once, when the gate enters it: that look opened the incident.
        entered = {
            r.pk
            for i, r in enumerate(mine)
            if r.state == "breach" and (i == 0 or mine[i - 1].state != "breach")
        }
        points = [
            charts.Point(
                label=f"{r.batch.period_end:%b %d}",
                batch_value=r.batch_value,
                value=r.value,
                low=r.low,
                high=r.high,
                state=r.state,
                incident=r.pk in entered and gate.action in opens_incident,
            )
            for r in mine
        ]
        title = f"{gate.get_metric_display()} on {gate.sensitive_feature or 'all features'}"
        svg = charts.control_chart(points, gate.threshold, title) if points else ""
        panels.append({"gate": gate, "latest": mine[-1] if mine else None, "svg": mark_safe(svg)})  # noqa: S308 - built by charts.py, every string escaped
    freshness, late = _freshness(monitor)
    batches = monitor.batches.select_related("run").order_by("-period_end")[:10]
    return render(
        request,
        "monitoring/detail.html",
        {
            "monitor": monitor,
            "panels": panels,
            "freshness": freshness,
            "late": late,
            "batches": batches,
        },
    )


__all__ = ["monitor_detail", "monitor_list"]
