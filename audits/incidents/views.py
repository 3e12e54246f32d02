"""Incident pages: one incident with its lifecycle form, and the feedback submission
page's "escalate into an incident" form target."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from orgs import access
from orgs.plumbing.errors import ServiceError
from orgs.web import actor, submit
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
