from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from reviews import selectors as core
from reviews.errors import ServiceError
from reviews.models import EDITOR_ROLES

from . import charts, selectors, services
from .forms import DatasetForm, RunForm
from .models import RunStatus


@login_required
def audit_home(request):
    organization = request.organization
    if organization is None:
        raise Http404
    can_edit = core.role_in(request.user, organization) in EDITOR_ROLES
    form = DatasetForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                dataset = services.dataset_upload(
                    actor=request.user,
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
            "runs": selectors.runs_for(request.user).filter(
                review__system__organization=organization
            )[:50],
            "datasets": selectors.datasets_for(request.user).filter(organization=organization)[:20],
        },
    )


@login_required
def audit_configure(request, pk: int):
    dataset = get_object_or_404(selectors.datasets_for(request.user), pk=pk)
    if core.role_in(request.user, dataset.organization) not in EDITOR_ROLES:
        raise PermissionDenied
    reviews = core.reviews_for(request.user, dataset.organization)
    form = RunForm(
        request.POST or None,
        columns=dataset.columns,
        reviews=reviews,
        initial={"review": reviews.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("prediction_kind")
        try:
            run = services.audit_start(actor=request.user, dataset=dataset, **data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("audit_run_detail", pk=run.pk)
    return render(request, "audits/configure.html", {"dataset": dataset, "form": form})


def _run_context(run) -> dict:
    context = {"run": run, "finished": run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)}
    if run.status == RunStatus.SUCCEEDED:
        dims = []
        for dim in run.result["dimensions"]:
            dims.append(
                {
                    "d": dim,
                    "rates_svg": charts.group_rates_svg(dim),
                    "impact_svg": charts.impact_ratio_svg(dim),
                }
            )
        context.update(
            {
                "dims": dims,
                "result": run.result,
                "verdicts": run.verdicts.select_related("gate").order_by("gate_id"),
            }
        )
    return context


@login_required
def audit_run_detail(request, pk: int):
    run = get_object_or_404(selectors.runs_for(request.user), pk=pk)
    return render(request, "audits/run.html", _run_context(run))


@login_required
def audit_run_status(request, pk: int):
    """Polled by the run page while the run is pending or running."""
    run = get_object_or_404(selectors.runs_for(request.user), pk=pk)
    return render(request, "audits/_run_body.html", _run_context(run))


@login_required
def audit_run_json(request, pk: int):
    run = get_object_or_404(selectors.runs_for(request.user), pk=pk)
    if run.status != RunStatus.SUCCEEDED:
        raise Http404("This run has no result.")
    response = JsonResponse(run.result, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="audit-{run.pk}.json"'
    return response


@login_required
def system_trend(request, pk: int):
    system = get_object_or_404(core.systems_for(request.user), pk=pk)
    dimension = request.GET.get("dimension") or None
    series, dimensions = selectors.trend(system, dimension)
    thresholds = {}
    for gate in system.reviews.first().launch_gates.all() if system.reviews.exists() else []:
        if (gate.sensitive_feature or None) == dimension:
            thresholds[gate.metric] = gate.threshold
    charts_ = [
        {
            "metric": name,
            "svg": charts.trend_svg(name, points, thresholds.get(name)),
            "points": points,
        }
        for name, points in series.items()
    ]
    return render(
        request,
        "audits/trend.html",
        {
            "system": system,
            "charts": charts_,
            "dimension": dimension or "intersection",
            "dimensions": dimensions,
        },
    )


@login_required
def notices(request):
    from reviews.models import Notice

    items = Notice.objects.for_user(request.user)[:100]
    if request.method == "POST":
        from django.utils import timezone

        Notice.objects.for_user(request.user).filter(read_at=None).update(read_at=timezone.now())
        messages.success(request, "All notices marked read.")
        return redirect("notices")
    return render(request, "audits/notices.html", {"notices": items})
