"""Pages of AI systems and reviews. Each view reads through a selector scoped to the user
and writes through a service; another organization's object is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from orgs import access
from orgs import selectors as org_selectors
from orgs.errors import PermissionDenied, ServiceError, refusal_message
from orgs.web import actor, current_organization

from . import readiness, selectors, services
from .forms import AISystemForm, ReviewForm, SignOffForm, TransitionForm
from .models import ReviewStatus

MOVE_LABELS = {
    ReviewStatus.DRAFT: "Return to draft",
    ReviewStatus.IN_REVIEW: "Send for sign-off",
    ReviewStatus.APPROVED: "Approve",
    ReviewStatus.REJECTED: "Reject",
    ReviewStatus.ARCHIVED: "Archive",
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
    systems = selectors.systems_for(request.user, organization)
    return render(
        request,
        "reviews/system_list.html",
        {"systems": systems, "form": form, "can_edit": can_edit},
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
        {"reviews": reviews, "statuses": ReviewStatus.choices, "status": status},
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(selectors.reviews_for(request.user), pk=pk)
    role = access.standing(request.user, review.organization_id)
    moves = [
        (to, MOVE_LABELS[ReviewStatus(to)])
        for (frm, to), action in services.TRANSITIONS.items()
        if frm == review.status and access.can(request.user, action, review)
    ]
    signoffs = review.signoffs.select_related("user").order_by("-round", "signed_at")
    already_signed = review.signoffs.filter(round=review.round, user=actor(request)).exists()
    events = selectors.events_about(review, org_selectors.events_for(request.user))[:50]
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "role": role,
            "moves": moves,
            "signoffs": signoffs,
            "summary": readiness.summary(review),
            "can_sign": (
                review.status == ReviewStatus.IN_REVIEW
                and access.can(request.user, "signoff.create", review)
                and not already_signed
            ),
            "signoff_form": SignOffForm(),
            "events": org_selectors.event_views(events, request.user),
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
