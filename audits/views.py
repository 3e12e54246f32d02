"""Audit pages: upload and map a dataset, follow a run, read its result, the trend of a
system's metrics, and a review's launch gates."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from orgs import access
from orgs.plumbing.errors import PermissionDenied, ServiceError, refusal_message
from orgs.web import actor, current_organization, paginate, submit
from reviews.freeze import is_frozen
from reviews.harms.selectors import harms_for
from reviews.models import Review
from reviews.selectors import reviews_for, reviews_where, systems_for

from . import charts, selectors, services
from .chart_store import RUN_CHARTS, digest, run_chart, run_chart_etag, stored_svg
from .engine.mapping import guess_mapping
from .engine.names import GLOSSARY, SECTIONS, label
from .forms import DatasetForm, LaunchGateForm, RunForm, gate_initial
from .models import AuditRun, LaunchGate, RunStatus, Verdict

TREND_TABLE_ROWS = 50


@login_required
def audit_home(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    can_edit = access.can(request.user, "dataset.upload", organization)
    form = DatasetForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        access.require(request.user, "dataset.upload", organization)
        if form.is_valid():
            try:
                dataset = services.dataset_upload(
                    actor=actor(request),
                    organization=organization,
                    upload=form.cleaned_data["file"],
                    name=form.cleaned_data["name"],
                )
            except ServiceError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("audit_configure", pk=dataset.pk)
    return render(
        request,
        "audits/home.html",
        {
            "form": form,
            "can_edit": can_edit,
            "can_run": access.can(request.user, "audit.run", organization),
            "runs": paginate(request, selectors.run_list(request.user, organization)),
            "datasets": paginate(
                request,
                selectors.datasets_for(request.user).filter(organization=organization),
                per_page=20,
                param="datasets",
            ),
        },
    )


@login_required
def audit_configure(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(selectors.datasets_for(request.user), pk=pk)
    access.require(request.user, "audit.run", dataset)
    reviews = reviews_where(request.user, "audit.run").filter(organization=dataset.organization)
    form = RunForm(
        request.POST or None,
        columns=dataset.columns,
        reviews=reviews,
        initial={"review": reviews.first(), **guess_mapping(dataset.columns)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.audit_start(
                actor=actor(request),
                review=form.cleaned_data["review"],
                dataset=dataset,
                config=form.cleaned_data["config"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("audit_run_detail", pk=run.pk)
    return render(request, "audits/configure.html", {"dataset": dataset, "form": form})


def _run_context(run: AuditRun) -> dict[str, Any]:
    context: dict[str, Any] = {
        "run": run,
        "config": run.config,
        "finished": run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED),
    }
    if run.status == RunStatus.SUCCEEDED and run.result is not None:
        dims = [
            {
                "d": dim,
                "index": i,
                "rates_svg": run_chart(run, i, "rates"),
                "impact_svg": run_chart(run, i, "impact"),
            }
            for i, dim in enumerate(run.result["dimensions"])
        ]
        context.update(
            {
                "dims": dims,
                "result": run.result,
                # Failing gates first: they are what the page is read for.
                "verdicts": sorted(
                    run.verdicts.select_related("gate"),
                    key=lambda v: (v.verdict != Verdict.FAIL, v.gate_id),
                ),
            }
        )
    return context


@login_required
def audit_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.runs_for(request.user), pk=pk)
    return render(request, "audits/run.html", _run_context(run))


@login_required
def audit_run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the run page while the run is pending or running."""
    run = get_object_or_404(selectors.runs_for(request.user), pk=pk)
    return render(request, "audits/_run_body.html", _run_context(run))


@login_required
def audit_run_chart(request: HttpRequest, pk: int, dimension: int, kind: str) -> HttpResponse:
    """One chart of a finished run as SVG, drawn once and stored; browsers keep it (ETag,
    Cache-Control) and ask again with If-None-Match, answered 304 without reading the run's
    result."""
    run = get_object_or_404(selectors.runs_for(request.user), pk=pk)
    if kind not in RUN_CHARTS or run.status != RunStatus.SUCCEEDED:
        raise Http404("No such chart.")
    etag = run_chart_etag(run, dimension, kind)
    headers = {"ETag": etag, "Cache-Control": "private, max-age=86400"}
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers=headers)
    dims = (run.result or {}).get("dimensions") or []
    if dimension >= len(dims):
        raise Http404("No such chart.")
    svg = run_chart(run, dimension, kind)
    return HttpResponse(svg, content_type="image/svg+xml", headers=headers)


@login_required
def audit_run_json(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.runs_for(request.user), pk=pk)
    if run.status != RunStatus.SUCCEEDED or run.result is None:
        raise Http404("This run has no result.")
    response = JsonResponse(run.result, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="audit-{run.pk}.json"'
    return response


@login_required
def system_trend(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(systems_for(request.user), pk=pk)
    trend = selectors.trend(system, request.GET.get("dimension") or None)
    review = system.reviews.order_by("-created_at").first()
    thresholds = {
        gate.metric: gate.threshold
        for gate in (selectors.launch_gates_of(review) if review else [])
        if (gate.sensitive_feature or "intersection") == trend.dimension
    }
    charts_ = [
        {
            "metric": name,
            # Drawn once per set of points (a new run makes a new chart) and stored.
            "svg": stored_svg(
                f"trend-{system.pk}/{digest(name, points, thresholds.get(name))}",
                partial(charts.trend_svg, label(name), points, thresholds.get(name)),
            ),
            "points": points,
            # The table under a chart lists the latest runs; a thousand rows per metric
            # would make the page megabytes long.
            "recent": points[-TREND_TABLE_ROWS:][::-1],
        }
        for name, points in trend.series.items()
    ]
    return render(
        request, "audits/trend.html", {"system": system, "charts": charts_, "trend": trend}
    )


@login_required
def glossary(request: HttpRequest) -> HttpResponse:
    terms = [(title, [t for t in GLOSSARY.values() if t.section == key]) for key, title in SECTIONS]
    return render(request, "audits/glossary.html", {"sections": terms})


def _gate_forms(request: HttpRequest, review: Review) -> dict[str, Any]:
    return {
        "harms": harms_for(request.user).filter(review=review),
        "dimensions": selectors.gate_dimensions(review),
    }


@login_required
def launch_gates(request: HttpRequest, pk: int) -> HttpResponse:
    """A review's launch gates with the latest audit's verdict on each, and the forms that
    add and edit them."""
    review = get_object_or_404(reviews_for(request.user), pk=pk)
    options = _gate_forms(request, review)
    if request.method == "POST":
        submit(
            request,
            LaunchGateForm(request.POST, **options),
            lambda **data: services.launch_gate_create(actor=actor(request), review=review, **data),
            "Launch gate added.",
        )
        return redirect("launch_gates", pk=pk)
    verdicts = selectors.latest_verdicts(review)
    gates = [
        (
            g,
            verdicts.get(g.pk),
            LaunchGateForm(initial=gate_initial(g), prefix=f"g{g.pk}", **options),
        )
        for g in selectors.launch_gates_of(review)
    ]
    return render(
        request,
        "audits/launch_gates.html",
        {
            "review": review,
            "gates": gates,
            "latest_run": selectors.latest_run(review),
            "frozen": is_frozen(review),
            "form": LaunchGateForm(**options),
        },
    )


@login_required
@require_POST
def launch_gate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    gate = get_object_or_404(selectors.launch_gates_for(request.user), pk=pk)
    submit(
        request,
        LaunchGateForm(request.POST, prefix=f"g{gate.pk}", **_gate_forms(request, gate.review)),
        lambda **data: services.launch_gate_update(actor=actor(request), gate=gate, **data),
        "Launch gate saved.",
    )
    return redirect(reverse("launch_gates", args=[gate.review_id]) + f"#gate-{gate.pk}")


@login_required
@require_POST
def launch_gate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    gate: LaunchGate = get_object_or_404(selectors.launch_gates_for(request.user), pk=pk)
    try:
        services.launch_gate_delete(actor=actor(request), gate=gate)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, "Launch gate removed.")
    return redirect("launch_gates", pk=gate.review_id)
