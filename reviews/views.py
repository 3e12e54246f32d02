"""Pages of AI systems and reviews. Each view reads through a selector scoped to the user
and writes through a service; another organization's object is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from orgs import access
from orgs import selectors as org_selectors
from orgs.plumbing.errors import PermissionDenied, ServiceError, refusal_message
from orgs.web import actor, current_organization, form_error, paginate, save_form

from . import freeze, readiness, selectors, services
from .forms import (
    AISystemEditForm,
    AISystemForm,
    ReviewForm,
    RiskAcceptanceForm,
    SignOffForm,
    TransitionForm,
)
from .models import ReviewStatus

MOVE_LABELS = {
    ReviewStatus.DRAFT: "Return to draft",
    ReviewStatus.IN_REVIEW: "Send for sign-off",
    ReviewStatus.APPROVED: "Approve",
    ReviewStatus.REJECTED: "Reject",
    ReviewStatus.ARCHIVED: "Archive",
}
# Labels that depend on where the review comes from.
MOVE_FROM_LABELS: dict[tuple[str, str], str] = {
    (ReviewStatus.APPROVED, ReviewStatus.IN_REVIEW): "Reopen (starts a new sign-off round)",
    (ReviewStatus.REJECTED, ReviewStatus.DRAFT): "Reopen as draft",
    (ReviewStatus.DRAFT, ReviewStatus.ARCHIVED): "Archive (abandon this draft)",
}


@login_required
def system_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    can_edit = access.can(request.user, "system.create", organization)
    form = AISystemForm(request.POST or None)
    if request.method == "POST":
        access.require(request.user, "system.create", organization)
        if form.is_valid():
            try:
                system = services.system_create(
                    actor=actor(request), organization=organization, **form.cleaned_data
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Created {system.name}.")
                return redirect("system_detail", pk=system.pk)
    systems = selectors.systems_for(request.user, organization).annotate(
        review_count=Count("reviews")
    )
    return render(
        request,
        "reviews/system_list.html",
        {
            "page": paginate(request, systems.order_by("name", "id")),
            "form": form,
            "can_edit": can_edit,
        },
    )


@login_required
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(selectors.systems_for(request.user), pk=pk)
    can_edit = access.can(request.user, "review.create", system)
    form = ReviewForm(request.POST or None, organization=system.organization)
    if request.method == "POST":
        access.require(request.user, "review.create", system)
        if form.is_valid():
            try:
                review = services.review_create(
                    actor=actor(request), system=system, **form.cleaned_data
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Created review {review.title}.")
                return redirect("review_detail", pk=review.pk)
    return render(
        request,
        "reviews/system_detail.html",
        {
            "system": system,
            "reviews": system.reviews.select_related("lead").order_by("-created_at"),
            "form": form,
            "can_edit": can_edit,
        },
    )


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    reviews = selectors.reviews_for(request.user, organization)
    status = request.GET.get("status")
    if status in ReviewStatus.values:
        reviews = reviews.filter(status=status)
    return render(
        request,
        "reviews/review_list.html",
        {
            "page": paginate(request, reviews.order_by("-created_at", "-id")),
            "statuses": ReviewStatus.choices,
            "status": status,
        },
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(selectors.reviews_for(request.user), pk=pk)
    role = access.standing(request.user, review.organization_id)
    moves = [
        (to, MOVE_FROM_LABELS.get((frm, to), MOVE_LABELS[ReviewStatus(to)]))
        for (frm, to), action in services.TRANSITIONS.items()
        if frm == review.status and access.can(request.user, action, review)
    ]
    signoffs = review.signoffs.select_related("user").order_by("-round", "signed_at")
    already_signed = review.signoffs.filter(round=review.round, user=actor(request)).exists()
    events = selectors.events_about(review, org_selectors.events_for(request.user))[:20]
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "role": role,
            "moves": moves,
            "signoffs": signoffs,
            "summary": readiness.summary(review),
            "frozen": freeze.is_frozen(review),
            "may_accept": access.can(request.user, "risk.accept", review),
            "may_revoke": access.can(request.user, "risk.revoke", review),
            "may_edit": access.can(request.user, "review.update", review),
            "default_expiry": readiness.default_expiry(),
            "can_sign": (
                review.status == ReviewStatus.IN_REVIEW
                and access.can(request.user, "signoff.create", review)
                and not already_signed
            ),
            "signoff_form": SignOffForm(),
            "events": org_selectors.events_named(events, request.user),
        },
    )


@login_required
@require_POST
def review_transition(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(selectors.reviews_for(request.user), pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid status.")
        return redirect("review_detail", pk=pk)
    try:
        review = services.review_transition(
            actor=actor(request), review=review, **form.cleaned_data
        )
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, f"The review is now {review.get_status_display().lower()}.")
    return redirect("review_detail", pk=pk)


@login_required
@require_POST
def review_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(selectors.reviews_for(request.user), pk=pk)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or reject.")
        return redirect("review_detail", pk=pk)
    try:
        services.signoff_create(actor=actor(request), review=review, **form.cleaned_data)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, "Your sign-off is recorded.")
    return redirect("review_detail", pk=pk)


# --- Editing -------------------------------------------------------------------------------


@login_required
def system_edit(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(selectors.systems_for(request.user), pk=pk)
    access.require(request.user, "system.update", system)
    fields = [*AISystemEditForm.Meta.fields]
    form = AISystemEditForm(
        request.POST or None,
        initial=model_to_dict(system, fields),
        organization=system.organization,
    )
    if request.method == "POST" and save_form(
        form, lambda **data: services.system_update(actor=actor(request), system=system, **data)
    ):
        messages.success(request, f"Saved {system.name}.")
        return redirect("system_detail", pk=system.pk)
    may_delete = access.can(request.user, "system.delete", system)
    return render(
        request,
        "edit.html",
        {
            "heading": f"Edit {system.name}",
            "form": form,
            "back_url": reverse("system_detail", args=[system.pk]),
            "back_label": system.name,
            "delete_url": reverse("system_delete", args=[system.pk]) if may_delete else "",
            "delete_heading": "Delete this AI system",
            "delete_note": "Only a system without reviews can be deleted; archive its "
            "reviews instead. The deletion is recorded in the event log.",
        },
    )


@login_required
@require_POST
def system_delete(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(selectors.systems_for(request.user), pk=pk)
    name = system.name
    try:
        services.system_delete(actor=actor(request), system=system)
    except ServiceError as exc:
        messages.error(request, refusal_message(exc))
        return redirect("system_edit", pk=pk)
    messages.success(request, f"Deleted {name}.")
    return redirect("system_list")


@login_required
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(selectors.reviews_for(request.user), pk=pk)
    access.require(request.user, "review.update", review)
    if freeze.is_frozen(review):
        messages.error(request, freeze.frozen_message(review))
        return redirect("review_detail", pk=pk)
    fields = [*ReviewForm.Meta.fields]
    form = ReviewForm(
        request.POST or None,
        initial=model_to_dict(review, fields),
        organization=review.organization,
    )
    if request.method == "POST" and save_form(
        form, lambda **data: services.review_update(actor=actor(request), review=review, **data)
    ):
        messages.success(request, "Saved the review.")
        return redirect("review_detail", pk=review.pk)
    may_delete = access.can(request.user, "review.delete", review)
    return render(
        request,
        "edit.html",
        {
            "heading": f"Edit {review.title}",
            "form": form,
            "back_url": reverse("review_detail", args=[review.pk]),
            "back_label": review.title,
            "delete_url": reverse("review_delete", args=[review.pk]) if may_delete else "",
            "delete_heading": "Delete this review",
            "delete_note": "Only a draft without sign-offs, workshops or audits can be "
            "deleted (its harms and gates go with it); otherwise archive it from the review "
            "page.",
            "delete_confirm": "Yes, delete the review and everything in its register.",
        },
    )


@login_required
@require_POST
def review_delete(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(selectors.reviews_for(request.user), pk=pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm the deletion.")
        return redirect("review_edit", pk=pk)
    system_pk = review.system_id
    try:
        services.review_delete(actor=actor(request), review=review)
    except ServiceError as exc:
        messages.error(request, refusal_message(exc))
        return redirect("review_edit", pk=pk)
    messages.success(request, "Deleted the review.")
    return redirect("system_detail", pk=system_pk)


# --- Risk acceptances ----------------------------------------------------------------------


@login_required
@require_POST
def risk_accept(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(selectors.reviews_for(request.user), pk=pk)
    form = RiskAcceptanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not recorded: " + form_error(form))
    else:
        try:
            acceptance = services.risk_accept(
                actor=actor(request), review=review, **form.cleaned_data
            )
        except (ServiceError, PermissionDenied) as exc:
            messages.error(request, "Not recorded: " + refusal_message(exc))
        else:
            messages.success(
                request,
                f"Recorded: {acceptance.target_label} is accepted until "
                f"{acceptance.expires_on:%Y-%m-%d}.",
            )
    return redirect(reverse("review_detail", args=[pk]) + "#readiness-h")


@login_required
@require_POST
def risk_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    acceptance = get_object_or_404(selectors.acceptances_for(request.user), pk=pk)
    try:
        services.risk_acceptance_revoke(actor=actor(request), acceptance=acceptance)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, f"Withdrawn: {acceptance.target_label} blocks the review again.")
    return redirect(reverse("review_detail", args=[acceptance.review_id]) + "#acceptances-h")
