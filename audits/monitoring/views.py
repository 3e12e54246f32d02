"""Monitoring pages: the organization's monitors, one monitor's control charts, verdicts
and freshness (its incidents and delivery log come from audits/incidents' template tags)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from audits.engine import control_chart as charts
from orgs import access
from orgs.web import actor, current_organization, save_form
from reviews.models import ReviewStatus
from reviews.selectors import reviews_where

from . import selectors, services
from .forms import MonitorForm
from .models import ROUTE_KEYS, default_routes


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
            "may_edit": access.can(request.user, "monitor.update", monitor),
        },
    )


def _routes_initial(routes: dict[str, list[str]]) -> dict[str, list[str]]:
    return {f"route_{key}": routes.get(key, []) for key in ROUTE_KEYS}


@login_required
def monitor_create(request: HttpRequest) -> HttpResponse:
    """Set up a monitor on an approved review: without ``?review=``, choose the review."""
    allowed = reviews_where(request.user, "monitor.create").filter(
        organization=current_organization(request)
    )
    chosen = request.GET.get("review", "")
    if not (chosen.isascii() and chosen.isdigit() and len(chosen) < 18):
        approved = allowed.filter(status=ReviewStatus.APPROVED).order_by("system__name", "title")
        return render(request, "monitoring/choose_review.html", {"reviews": approved})
    review = get_object_or_404(allowed, pk=int(chosen))
    initial: dict[str, Any] = {
        "name": f"{review.system.name} {review.system_version} in production".strip()
    }
    initial |= _routes_initial(default_routes())
    form = MonitorForm(request.POST or None, review=review, initial=initial)
    made: list[Any] = []
    if request.method == "POST" and save_form(
        form,
        lambda **_: made.append(
            services.monitor_create(actor=actor(request), review=review, **form.service_kwargs())
        ),
    ):
        messages.success(request, "Monitor set up. Send it batches: see “How to send data”.")
        return redirect("monitor_detail", pk=made[0].pk)
    return render(
        request,
        "edit.html",
        {
            "heading": f"Monitor “{review.title}” in production",
            "intro": "Each batch of production data is audited and every watched gate is read "
            "sequentially: ok, watch or breach, with the false-alarm level below however many "
            "batches arrive. A breach runs the gate action's route.",
            "form": form,
            "back_url": reverse("review_detail", args=[review.pk]),
            "back_label": review.title,
        },
    )


@login_required
def monitor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    monitor = get_object_or_404(selectors.monitors_for(request.user), pk=pk)
    access.require(request.user, "monitor.update", monitor)
    initial = {
        "name": monitor.name,
        "gates": list(monitor.gates.values_list("pk", flat=True)),
        "cadence_hours": monitor.cadence_hours,
        "late_margin": monitor.late_margin,
        "alpha": monitor.alpha,
        "window": monitor.window,
        "on_call": list(monitor.on_call.values_list("pk", flat=True)),
        "active": monitor.active,
    } | _routes_initial(monitor.routes)
    form = MonitorForm(request.POST or None, review=monitor.review, editing=True, initial=initial)
    if request.method == "POST" and save_form(
        form,
        lambda **_: services.monitor_update(
            actor=actor(request), monitor=monitor, **form.service_kwargs()
        ),
    ):
        messages.success(request, "Monitor saved.")
        return redirect("monitor_detail", pk=monitor.pk)
    columns = monitor.config
    decision = f"prediction {columns.get('y_pred')}"
    if not columns.get("y_pred"):  # a monitor of a score column (set up through the API)
        decision = f"score {columns.get('y_score')} ≥ {columns.get('threshold'):g}"
    return render(
        request,
        "edit.html",
        {
            "heading": f"Edit monitor “{monitor.name}”",
            "intro": f"Columns (fixed): outcome {columns.get('y_true')}, {decision}, "
            f"sensitive {', '.join(columns.get('sensitive', []))}.",
            "form": form,
            "back_url": reverse("monitor_detail", args=[monitor.pk]),
            "back_label": monitor.name,
        },
    )


__all__ = ["monitor_create", "monitor_detail", "monitor_edit", "monitor_list"]
