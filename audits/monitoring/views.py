"""Monitoring pages: the organization's monitors, one monitor's control charts, verdicts,
freshness and delivery log, and incident pages."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from audits.engine import control_chart as charts
from orgs import access
from orgs.web import actor, current_organization, submit

from . import escalation, selectors
from .models import IncidentStatus


@login_required
def monitor_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    monitors = selectors.monitors_for(request.user).filter(organization=organization)
    incidents = selectors.incidents_for(request.user).filter(organization=organization)
    return render(
        request,
        "monitoring/list.html",
        {"monitors": monitors, "incidents": incidents.exclude(status=IncidentStatus.RESOLVED)},
    )


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
    incidents = list(selectors.incidents_for(request.user).filter(monitor=monitor))
    incident_runs = {i.evidence_run_id for i in incidents}
    panels = []
    for gate in monitor.gates.all():
        mine = [r for r in readings if r.gate_id == gate.pk]
        points = [
            charts.Point(
                label=f"{r.batch.period_end:%b %d}",
                batch_value=r.batch_value,
                value=r.value,
                low=r.low,
                high=r.high,
                state=r.state,
                incident=r.batch.run_id in incident_runs and r.state == "breach",
            )
            for r in mine
        ]
        title = f"{gate.get_metric_display()} on {gate.sensitive_feature or 'all features'}"
        svg = charts.control_chart(points, gate.threshold, title) if points else ""
        panels.append({"gate": gate, "latest": mine[-1] if mine else None, "svg": mark_safe(svg)})  # noqa: S308 - built by charts.py, every string escaped
    freshness, late = _freshness(monitor)
    hooks = []
    if access.can(request.user, "webhook.read", monitor):
        hooks = selectors.webhooks_with_recent_deliveries(monitor)
    batches = monitor.batches.select_related("run").order_by("-period_end")[:10]
    return render(
        request,
        "monitoring/detail.html",
        {
            "monitor": monitor,
            "panels": panels,
            "freshness": freshness,
            "late": late,
            "incidents": incidents,
            "hooks": hooks,
            "may_see_hooks": access.can(request.user, "webhook.read", monitor),
            "batches": batches,
        },
    )


class IncidentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=IncidentStatus.choices)
    resolution = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(selectors.incidents_for(request.user), pk=pk)
    form = IncidentStatusForm(request.POST or None, initial={"status": incident.status})
    if request.method == "POST":
        access.require(request.user, "incident.update", incident)
        if submit(
            request,
            form,
            lambda **data: escalation.incident_update(
                actor=actor(request), incident=incident, **data
            ),
            "Incident updated.",
        ):
            return redirect("incident_detail", pk=incident.pk)
    return render(
        request,
        "monitoring/incident.html",
        {
            "incident": incident,
            "form": form,
            "may_update": access.can(request.user, "incident.update", incident),
            "runs": incident.runs.all(),
            "harms": incident.harms.all(),
            "mitigations": incident.mitigations.all(),
        },
    )


__all__ = ["incident_detail", "messages", "monitor_detail", "monitor_list"]
