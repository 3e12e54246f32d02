"""Pages that change the register: add, edit, rate and delete harms; edit and delete
mitigations; the stakeholders of a review. Each writes through a service (which checks the
policy and that the review is not frozen) and returns to where the person came from."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from orgs import access
from orgs.plumbing.errors import PermissionDenied, ServiceError, refusal_message
from orgs.web import actor, form_error, save_form, submit
from reviews.freeze import frozen_message, is_frozen
from reviews.selectors import reviews_for

from . import selectors, services
from .forms import (
    HarmAddForm,
    HarmEditForm,
    MitigationForm,
    RatingForm,
    StakeholderEditForm,
)
from .models import Harm


def _harm_url(harm: Harm) -> str:
    return reverse("harm_register", args=[harm.review_id]) + f"#harm-{harm.pk}"


def _refuse_frozen(request: HttpRequest, review: Any) -> HttpResponse | None:
    """Send a person who opens an edit page of a frozen review back with the reason."""
    if is_frozen(review):
        messages.error(request, frozen_message(review))
        return redirect("review_detail", pk=review.pk)
    return None


# --- Harms ---------------------------------------------------------------------------------


@login_required
@require_POST
def harm_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(reviews_for(request.user), pk=pk)
    form = HarmAddForm(request.POST, stakeholders=selectors.stakeholders_of(review))
    created: list[Harm] = []
    submit(
        request,
        form,
        lambda **data: created.append(
            services.harm_create(actor=actor(request), review=review, **data)
        ),
        "Harm added.",
    )
    if created:
        return redirect(_harm_url(created[0]))
    return redirect("harm_register", pk=review.pk)


@login_required
def harm_edit(request: HttpRequest, pk: int) -> HttpResponse:
    harm = get_object_or_404(selectors.harms_for(request.user).select_related("review"), pk=pk)
    access.require(request.user, "harm.update", harm)
    refused = _refuse_frozen(request, harm.review)
    if refused:
        return refused
    stakeholders = selectors.stakeholders_of(harm.review)
    initial = {
        "title": harm.title,
        "description": harm.description,
        "category": harm.category.slug,
        "stakeholders": list(harm.stakeholders.values_list("pk", flat=True)),
        "status": harm.status,
        "status_note": harm.status_note,
    }
    form = HarmEditForm(request.POST or None, initial=initial, stakeholders=stakeholders)
    if request.method == "POST" and save_form(
        form, lambda **data: services.harm_update(actor=actor(request), harm=harm, **data)
    ):
        messages.success(request, f"Saved \u201c{harm.title}\u201d.")
        return redirect(_harm_url(harm))
    ratings = harm.ratings.count()
    may_delete = access.can(request.user, "harm.delete", harm)
    return render(
        request,
        "edit.html",
        {
            "heading": f"Edit harm \u201c{harm.title}\u201d",
            "form": form,
            "back_url": _harm_url(harm),
            "back_label": "Harm register",
            "delete_url": reverse("harm_delete", args=[harm.pk]) if may_delete else "",
            "delete_heading": "Delete this harm",
            "delete_note": "Its mitigations and votes go with it; the deletion is recorded "
            "in the event log.",
            "delete_confirm": (
                f"Yes, delete it with its {ratings} rating{'s' if ratings != 1 else ''}."
                if ratings
                else ""
            ),
        },
    )


@login_required
@require_POST
def harm_delete(request: HttpRequest, pk: int) -> HttpResponse:
    harm = get_object_or_404(selectors.harms_for(request.user), pk=pk)
    review_pk, title = harm.review_id, harm.title
    try:
        services.harm_delete(
            actor=actor(request), harm=harm, confirmed=request.POST.get("confirm") == "yes"
        )
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
        return redirect("harm_edit", pk=pk)
    messages.success(request, f"Deleted \u201c{title}\u201d.")
    return redirect("harm_register", pk=review_pk)


@login_required
@require_POST
def harm_rate(request: HttpRequest, pk: int) -> HttpResponse:
    harm = get_object_or_404(selectors.harms_for(request.user), pk=pk)
    submit(
        request,
        RatingForm(request.POST),
        lambda **data: services.rating_set(actor=actor(request), harm=harm, **data),
        f"Your rating of \u201c{harm.title}\u201d is saved.",
    )
    return redirect(_harm_url(harm))


# --- Mitigations ---------------------------------------------------------------------------


@login_required
def mitigation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mitigation = get_object_or_404(
        selectors.mitigations_for(request.user).select_related("harm__review"), pk=pk
    )
    harm = mitigation.harm
    access.require(request.user, "mitigation.update", mitigation)
    refused = _refuse_frozen(request, harm.review)
    if refused:
        return refused
    initial = {
        name: getattr(mitigation, name)
        for name in ("action", "due_date", "status", "disposition", "justification")
    }
    initial.update(owner=mitigation.owner_id, evidence_url=mitigation.evidence_url)
    form = MitigationForm(
        request.POST or None,
        initial=initial,
        owners=access.users_who_may(harm.organization_id, "mitigation.own"),
    )
    if request.method == "POST" and save_form(
        form,
        lambda **data: services.mitigation_update(
            actor=actor(request), mitigation=mitigation, **data
        ),
    ):
        messages.success(request, "Mitigation saved.")
        return redirect(_harm_url(harm))
    may_delete = access.can(request.user, "mitigation.delete", mitigation)
    return render(
        request,
        "edit.html",
        {
            "heading": f"Edit mitigation of \u201c{harm.title}\u201d",
            "intro": "Status runs planned \u2192 in progress \u2192 done, or won't do (with a "
            "reason). A won't-do mitigation does not cover the harm.",
            "form": form,
            "back_url": _harm_url(harm),
            "back_label": "Harm register",
            "delete_url": reverse("mitigation_delete", args=[mitigation.pk]) if may_delete else "",
            "delete_heading": "Delete this mitigation",
            "delete_note": "To record that it will not happen, set its status to won't do "
            "instead; deleting removes it from the register (the event log keeps it).",
        },
    )


@login_required
@require_POST
def mitigation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    mitigation = get_object_or_404(selectors.mitigations_for(request.user), pk=pk)
    harm = mitigation.harm
    try:
        services.mitigation_delete(actor=actor(request), mitigation=mitigation)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
        return redirect("mitigation_edit", pk=pk)
    messages.success(request, "Mitigation deleted.")
    return redirect(_harm_url(harm))


# --- Stakeholders --------------------------------------------------------------------------


@login_required
def stakeholders(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(reviews_for(request.user), pk=pk)
    may_add = access.can(request.user, "stakeholder.create", review) and not is_frozen(review)
    form = StakeholderEditForm(request.POST or None)
    if request.method == "POST":
        access.require(request.user, "stakeholder.create", review)
        if save_form(
            form,
            lambda **data: services.stakeholder_create(actor=actor(request), review=review, **data),
        ):
            messages.success(request, "Stakeholder added.")
            return redirect("stakeholders", pk=review.pk)
        messages.error(request, "Not added: " + form_error(form))
    rows = selectors.stakeholders_of(review).prefetch_related("harms")
    return render(
        request,
        "harms/stakeholders.html",
        {
            "review": review,
            "stakeholders": rows,
            "form": form,
            "may_add": may_add,
            "may_edit": access.can(request.user, "stakeholder.update", review)
            and not is_frozen(review),
        },
    )


@login_required
def stakeholder_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = get_object_or_404(
        selectors.stakeholders_for(request.user).select_related("review"), pk=pk
    )
    access.require(request.user, "stakeholder.update", stakeholder)
    refused = _refuse_frozen(request, stakeholder.review)
    if refused:
        return refused
    initial = {
        name: getattr(stakeholder, name) for name in ("name", "kind", "description", "vulnerable")
    }
    form = StakeholderEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and save_form(
        form,
        lambda **data: services.stakeholder_update(
            actor=actor(request), stakeholder=stakeholder, **data
        ),
    ):
        messages.success(request, f"Saved {stakeholder.name}.")
        return redirect("stakeholders", pk=stakeholder.review_id)
    harms = stakeholder.harms.count()
    may_delete = access.can(request.user, "stakeholder.delete", stakeholder)
    return render(
        request,
        "edit.html",
        {
            "heading": f"Edit stakeholder {stakeholder.name}",
            "form": form,
            "back_url": reverse("stakeholders", args=[stakeholder.review_id]),
            "back_label": "Stakeholders",
            "delete_url": reverse("stakeholder_delete", args=[stakeholder.pk])
            if may_delete
            else "",
            "delete_heading": "Delete this stakeholder",
            "delete_note": (
                f"{harms} harm{'s' if harms != 1 else ''} name{'' if harms != 1 else 's'} "
                "this stakeholder; they stay in the register without it."
                if harms
                else "No harm names this stakeholder."
            ),
        },
    )


@login_required
@require_POST
def stakeholder_delete(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = get_object_or_404(selectors.stakeholders_for(request.user), pk=pk)
    review_pk, name = stakeholder.review_id, stakeholder.name
    try:
        services.stakeholder_delete(actor=actor(request), stakeholder=stakeholder)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
        return redirect("stakeholder_edit", pk=pk)
    messages.success(request, f"Deleted {name}.")
    return redirect("stakeholders", pk=review_pk)
