"""Compliance pages: a review's checklists (progress, items, machine evidence), the
assessment form with its evidence, upgrades with their diff, controls, and the statement
of applicability (CSV and JSON)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from orgs import access
from orgs.plumbing.errors import PermissionDenied, ServiceError, refusal_message
from orgs.web import actor, save_form, submit
from reviews import readiness
from reviews.frameworks.models import Framework
from reviews.freeze import is_frozen
from reviews.harms.register import to_csv
from reviews.models import Review
from reviews.selectors import reviews_for

from . import selectors, services
from .forms import AssessmentForm, AttachForm, EvidenceForm, RuleForm
from .models import Assessment, Checklist


def _accepted(review: Review) -> set[int]:
    return {s.acceptance.pk for s in readiness.acceptance_states(review) if s.in_force}


def _checklist(request: HttpRequest, pk: int) -> Checklist:
    return get_object_or_404(selectors.checklists_for(request.user), pk=pk)


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    return get_object_or_404(selectors.assessments_for(request.user), pk=pk)


@login_required
def review_compliance(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(reviews_for(request.user), pk=pk)
    if not access.can(request.user, "checklist.read", review):
        raise Http404
    views = selectors.review_checklists(review, _accepted(review))
    may_attach = access.can(request.user, "checklist.attach", review) and not is_frozen(review)
    attach_form = AttachForm(attached={v.checklist.framework_urn for v in views})
    if request.method == "POST" and may_attach:
        attach_form = AttachForm(request.POST, attached={v.checklist.framework_urn for v in views})
        if submit(
            request,
            attach_form,
            lambda **d: services.checklist_attach(actor=actor(request), review=review, **d),
            "Framework attached: each of its requirements is now an item to assess.",
        ):
            return redirect("review_compliance", pk=review.pk)
    blockers = selectors.readiness_blockers(views)
    return render(
        request,
        "compliance/review.html",
        {
            "review": review,
            "views": views,
            "overall": selectors.overall(views),
            "attach_form": attach_form,
            "may_attach": may_attach and bool(attach_form.fields["framework"].queryset),  # type: ignore[attr-defined]
            "may_edit": access.can(request.user, "assessment.update", review)
            and not is_frozen(review),
            "rule_form": RuleForm(),
            "blockers": blockers,
        },
    )


@login_required
@require_POST
def checklist_rule(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = _checklist(request, pk)
    submit(
        request,
        RuleForm(request.POST),
        lambda **d: services.checklist_update(actor=actor(request), checklist=checklist, **d),
        "Readiness rule saved.",
    )
    return redirect(
        reverse("review_compliance", args=[checklist.review_id]) + f"#checklist-{checklist.pk}"
    )


@login_required
def checklist_upgrade(request: HttpRequest, pk: int, to: int) -> HttpResponse:
    checklist = _checklist(request, pk)
    target = get_object_or_404(Framework, pk=to)
    try:
        plan = services.upgrade_plan(checklist, target)
    except ServiceError as exc:
        raise Http404(exc.message) from exc
    if request.method == "POST":
        try:
            counts = services.checklist_upgrade(
                actor=actor(request), checklist=checklist, to=target
            )
        except (ServiceError, PermissionDenied) as exc:
            messages.error(request, refusal_message(exc))
        else:
            messages.success(
                request,
                f"Upgraded to v{target.version}: {counts['added']} added, {counts['changed']} "
                f"changed, {counts['renamed']} renamed (answers kept), {counts['removed']} "
                "removed (archived with their evidence).",
            )
            return redirect("review_compliance", pk=checklist.review_id)
    return render(
        request,
        "compliance/upgrade.html",
        {
            "checklist": checklist,
            "target": target,
            "plan": plan,
            "may_upgrade": access.can(request.user, "checklist.upgrade", checklist),
        },
    )


@login_required
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    review = assessment.checklist.review
    editable = (
        access.can(request.user, "assessment.update", assessment)
        and not is_frozen(review)
        and assessment.archived_at is None
    )
    initial = {
        "applicable": "yes" if assessment.applicable else "no",
        "justification": assessment.justification,
        "status": assessment.status,
        "owner": assessment.owner,
        "due_date": assessment.due_date,
        "freshness_days": assessment.freshness_days,
        "note": assessment.note,
    }
    form = AssessmentForm(initial=initial, assessment=assessment)
    if request.method == "POST" and editable:
        form = AssessmentForm(request.POST, assessment=assessment)
        if save_form(
            form,
            lambda **d: services.assessment_update(
                actor=actor(request), assessment=assessment, **d
            ),
        ):
            messages.success(request, "Assessment saved.")
            return redirect("assessment_edit", pk=assessment.pk)
    items = selectors.items_of(
        assessment.checklist,
        archived=assessment.archived_at is not None,
        accepted=_accepted(review),
    )
    item = next(i for i in items if i.assessment.pk == assessment.pk)
    return render(
        request,
        "compliance/assessment.html",
        {
            "a": assessment,
            "item": item,
            "review": review,
            "form": form,
            "editable": editable,
            "may_sign": access.can(request.user, "assessment.sign_off", assessment)
            and not is_frozen(review),
            "evidence_form": EvidenceForm(review_id=review.pk),
            "may_add_evidence": access.can(request.user, "evidence.add", assessment) and editable,
        },
    )


def _back(assessment: Assessment) -> HttpResponse:
    return redirect("assessment_edit", pk=assessment.pk)


@login_required
@require_POST
def assessment_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    try:
        services.assessment_confirm_inference(actor=actor(request), assessment=assessment)
        messages.success(request, "Inference confirmed as your assessment.")
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    return _back(assessment)


@login_required
@require_POST
def assessment_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    try:
        services.assessment_sign_off(actor=actor(request), assessment=assessment)
        messages.success(request, "Signed off.")
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    return _back(assessment)


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    form = EvidenceForm(request.POST, request.FILES, review_id=assessment.checklist.review_id)
    call = lambda **d: services.evidence_add(  # noqa: E731
        actor=actor(request), assessment=assessment, **d
    )
    submit(request, form, call, "Evidence added.")
    return _back(assessment)


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(selectors.evidence_for(request.user), pk=pk)
    try:
        services.evidence_remove(actor=actor(request), evidence=evidence)
        messages.success(request, "Evidence removed.")
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    return redirect("assessment_edit", pk=evidence.assessment_id)


@login_required
def statement_of_applicability(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    review = get_object_or_404(reviews_for(request.user), pk=pk)
    if not access.can(request.user, "checklist.read", review):
        raise Http404
    rows = selectors.statement_of_applicability(review)
    filename = f"statement-of-applicability-review-{review.pk}"
    if fmt == "json":
        response: HttpResponse = JsonResponse(
            {"review": review.pk, "title": review.title, "items": rows},
            json_dumps_params={"indent": 2, "ensure_ascii": False},
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        return response
    body = to_csv(selectors.SOA_HEADER, ([r[k] for k in selectors.SOA_HEADER] for r in rows))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
