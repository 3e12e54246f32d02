"""Incident pages: one incident with its lifecycle form, and the feedback submission
page's "escalate into an incident" form target."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audits.monitoring.models import Monitor
from orgs import access
from orgs.plumbing.errors import ServiceError
from orgs.web import actor, save_form, submit
from reviews.feedback import selectors as feedback_selectors

from . import escalation, selectors
from .models import IncidentStatus


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
        "incidents/incident.html",
        {
            "incident": incident,
            "form": form,
            "may_update": access.can(request.user, "incident.update", incident),
            "runs": incident.runs.all(),
            "harms": incident.harms.all(),
            "mitigations": incident.mitigations.all(),
            "feedback": incident.feedback.all(),
        },
    )


@login_required
@require_POST
def incident_from_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The feedback submission page's "escalate" form (the page cannot import monitoring;
    it posts here by URL name)."""
    submission = get_object_or_404(feedback_selectors.submissions_for(request.user), pk=pk)
    chosen = request.POST.get("incident", "")
    incident = None
    if chosen:
        mine = selectors.incidents_for(request.user).filter(
            review__system_id=submission.review.system_id
        )
        incident = mine.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if incident is None:
            messages.error(request, "That incident does not exist.")
            return redirect("feedback_submission", pk=submission.pk)
    try:
        incident = escalation.incident_from_feedback(
            actor=actor(request),
            submission=submission,
            incident=incident,
            title=request.POST.get("title", "")[:300],
        )
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect("feedback_submission", pk=submission.pk)
    messages.success(request, "Feedback escalated into this incident.")
    return redirect("incident_detail", pk=incident.pk)


class WebhookForm(forms.Form):
    url = forms.URLField(
        max_length=500,
        label="Endpoint URL",
        assume_scheme="https",
        help_text="https://… of the deployment. Loopback, private, link-local and cloud "
        "metadata addresses are refused.",
    )
    active = forms.BooleanField(required=False, initial=True, label="Active (untick to pause)")


@login_required
def webhook_create_page(request: HttpRequest, pk: int) -> HttpResponse:
    monitor = get_object_or_404(Monitor.objects.for_user(request.user), pk=pk)
    access.require(request.user, "webhook.create", monitor)
    form = WebhookForm(request.POST or None)
    del form.fields["active"]
    made: list[Any] = []
    if request.method == "POST" and save_form(
        form,
        lambda url: made.append(
            escalation.webhook_create(actor=actor(request), monitor=monitor, url=url)
        ),
    ):
        # The secret is shown once, on this answer; it is never shown again.
        return render(request, "incidents/webhook_secret.html", {"hook": made[0]})
    return render(
        request,
        "edit.html",
        {
            "heading": f"Add a webhook to \u201c{monitor.name}\u201d",
            "intro": "Breaches and no-data alerts are POSTed to it as JSON signed with "
            "HMAC-SHA256 (the Forethought-Signature header). Its secret is shown once, next.",
            "form": form,
            "back_url": reverse("monitor_detail", args=[monitor.pk]),
            "back_label": monitor.name,
        },
    )


@login_required
def webhook_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(selectors.webhooks_for(request.user), pk=pk)
    access.require(request.user, "webhook.update", hook)
    initial = {"url": hook.url, "active": hook.active}
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and save_form(
        form,
        lambda **data: escalation.webhook_update(actor=actor(request), webhook=hook, **data),
    ):
        messages.success(request, "Webhook saved.")
        return redirect("monitor_detail", pk=hook.monitor_id)
    may_delete = access.can(request.user, "webhook.delete", hook)
    return render(
        request,
        "edit.html",
        {
            "heading": "Edit webhook",
            "intro": "The secret stays the same.",
            "form": form,
            "back_url": reverse("monitor_detail", args=[hook.monitor_id]),
            "back_label": hook.monitor.name,
            "delete_url": reverse("webhook_delete", args=[hook.pk]) if may_delete else "",
            "delete_heading": "Remove this webhook",
            "delete_note": "Its delivery log goes with it; the removal is in the event log.",
            "delete_confirm": "Yes, remove it.",
        },
    )


@login_required
@require_POST
def webhook_delete_page(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(selectors.webhooks_for(request.user), pk=pk)
    monitor_id = hook.monitor_id
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm.")
        return redirect("webhook_edit", pk=hook.pk)
    escalation.webhook_delete(actor=actor(request), webhook=hook)
    messages.success(request, "Webhook removed.")
    return redirect("monitor_detail", pk=monitor_id)
