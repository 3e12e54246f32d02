"""Control pages: the list (with a form to add one) and a control with its evidence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from orgs import access
from orgs.plumbing.errors import PermissionDenied, ServiceError, refusal_message
from orgs.web import actor, current_organization, save_form, submit
from reviews.frameworks import selectors as fw_selectors

from . import selectors, services
from .forms import ControlEvidenceForm, ControlForm


@login_required
def control_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    controls = list(selectors.controls_for(request.user).filter(organization=organization))
    may_create = access.can(request.user, "control.create", organization)
    form = ControlForm(organization_id=organization.pk)
    if request.method == "POST" and may_create:
        form = ControlForm(request.POST, organization_id=organization.pk)
        call = lambda **d: services.control_create(  # noqa: E731
            actor=actor(request), organization=organization, **d
        )
        if save_form(form, call):
            messages.success(request, "Control created.")
            return redirect("control_list")
    names = fw_selectors.names([u for c in controls for u in c.requirements])
    rows = [(c, [names.get(u, u) for u in c.requirements]) for c in controls]
    return render(
        request, "controls/list.html", {"rows": rows, "form": form, "may_create": may_create}
    )


@login_required
def control_edit(request: HttpRequest, pk: int) -> HttpResponse:
    control = get_object_or_404(selectors.controls_for(request.user), pk=pk)
    may_edit = access.can(request.user, "control.update", control)
    initial = {
        "name": control.name,
        "description": control.description,
        "status": control.status,
        "owner": control.owner,
        "requirements": control.requirements,
    }
    form = ControlForm(initial=initial, organization_id=control.organization_id)
    if request.method == "POST" and may_edit:
        form = ControlForm(request.POST, organization_id=control.organization_id)
        call = lambda **d: services.control_update(  # noqa: E731
            actor=actor(request), control=control, **d
        )
        if save_form(form, call):
            messages.success(request, "Control saved.")
            return redirect("control_edit", pk=control.pk)
    names = fw_selectors.names(control.requirements)
    today = timezone.localdate()
    return render(
        request,
        "controls/control.html",
        {
            "control": control,
            "form": form,
            "may_edit": may_edit,
            "direct": [names.get(u, u) for u in control.requirements],
            "evidence": [
                (e, bool(e.expires_on and e.expires_on < today)) for e in control.evidence.all()
            ],
            "evidence_form": ControlEvidenceForm(),
        },
    )


@login_required
@require_POST
def control_evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    control = get_object_or_404(selectors.controls_for(request.user), pk=pk)
    form = ControlEvidenceForm(request.POST, request.FILES)
    call = lambda **d: services.control_evidence_add(  # noqa: E731
        actor=actor(request), control=control, **d
    )
    submit(request, form, call, "Evidence added.")
    return redirect("control_edit", pk=control.pk)


@login_required
@require_POST
def control_evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(selectors.control_evidence_for(request.user), pk=pk)
    try:
        services.control_evidence_remove(actor=actor(request), evidence=evidence)
        messages.success(request, "Evidence removed.")
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    return redirect("control_edit", pk=evidence.control_id)
