"""What a breach sets off (the gate action's route on the monitor): an incident, the
review reopened for a new sign-off round, notices and email, signed webhooks. Also the
incident lifecycle and webhook endpoints."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audits.engine import webhook_signing as signing
from audits.models import AuditRun, GateAction, LaunchGate
from audits.monitoring.models import STEPS, Monitor, Reading
from orgs import access
from orgs import services as org_services
from orgs.ledger.chain import record
from orgs.ledger.writes import log_change, snapshot
from orgs.plumbing.errors import Conflict, ServiceError
from orgs.site import site_url
from reviews.feedback.models import Submission
from reviews.harms.models import Harm, Mitigation
from reviews.models import Review, ReviewStatus

from . import delivery
from .models import (
    Delivery,
    DeliveryStatus,
    Incident,
    IncidentStatus,
    Severity,
    Webhook,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What a deployment should do, in the payload's own words.
INSTRUCTIONS = {
    GateAction.ROLLBACK: "rollback: roll the model back to its last approved version now.",
    GateAction.HUMAN_REVIEW: "human_review: route the model's decisions to human review "
    "until the incident is resolved.",
    GateAction.BLOCK_LAUNCH: "block_launch: the launch criterion no longer holds; stop "
    "serving new decisions with this model until the review is approved again.",
}
SEVERITY = {
    GateAction.ROLLBACK: Severity.SEVERE,
    GateAction.BLOCK_LAUNCH: Severity.SEVERE,
    GateAction.HUMAN_REVIEW: Severity.MODERATE,
}
LIFECYCLE = {
    IncidentStatus.OPEN: {IncidentStatus.MITIGATING, IncidentStatus.RESOLVED},
    IncidentStatus.MITIGATING: {IncidentStatus.RESOLVED, IncidentStatus.OPEN},
    IncidentStatus.RESOLVED: {IncidentStatus.OPEN},
}


# --- Incidents ---------------------------------------------------------------------------


def _incident_open(
    *,
    actor: User | None,
    review: Review,
    title: str,
    description: str = "",
    source: str = "manual",
    monitor: Monitor | None = None,
    gate: LaunchGate | None = None,
    groups: list[str] | None = None,
    severity: str = Severity.MODERATE,
    run: AuditRun | None = None,
    harms: list[Harm] | None = None,
    when: date | None = None,
) -> Incident:
    """The one way an incident is opened, whoever opens it: a breach, a person, and (when
    reviews.feedback lands) an escalated feedback submission (source="feedback")."""
    incident = Incident.objects.create(
        organization_id=review.organization_id,
        review=review,
        monitor=monitor,
        source=source,
        title=title[:300],
        description=description,
        gate=gate,
        action=gate.action if gate else "",
        groups=groups or [],
        harm_distribution_basis=[gate.sensitive_feature or "intersection"] if gate else [],
        severity=severity,
        sector_of_deployment=review.system.name[:200],
        date_of_incident=when or timezone.localdate(),
        evidence_run=run,
        opened_by=actor,
    )
    if run is not None:
        incident.runs.add(run)
    incident.harms.set(harms or [])
    log_change(actor=actor, verb="create", instance=incident)
    return incident


@transaction.atomic
def incident_create(
    *,
    actor: User,
    review: Review,
    title: str,
    description: str = "",
    severity: str = Severity.MODERATE,
    harms: list[Harm] | None = None,
) -> Incident:
    access.require(actor, "incident.create", review)
    for harm in harms or []:
        if harm.review_id != review.pk:
            raise ServiceError("That harm belongs to another review.", field="harms")
    return _incident_open(
        actor=actor,
        review=review,
        title=title,
        description=description,
        severity=severity,
        harms=harms,
    )


@transaction.atomic
def incident_from_feedback(
    *,
    actor: User,
    submission: Submission,
    incident: Incident | None = None,
    monitor: Monitor | None = None,
    title: str = "",
    severity: str = Severity.MODERATE,
) -> Incident:
    """Escalate a community feedback submission about an AI system: link it to an incident
    of any review of that system (feedback often comes in on the next version's review
    while the monitored one is in production) that is not resolved, or open one (source
    "feedback") on the monitor's review if given, else on the submission's review. The
    incident carries the submission's words, never its contact details."""
    system_id = submission.review.system_id
    access.require(actor, "submission.read", submission)
    if incident is None:
        if monitor is not None and monitor.review.system_id != system_id:
            raise ServiceError("That monitor watches another AI system.", field="monitor")
        review = monitor.review if monitor is not None else submission.review
        access.require(actor, "incident.create", review)
        about = submission.about.strip() or f"feedback #{submission.pk}"
        incident = _incident_open(
            actor=actor,
            review=review,
            monitor=monitor,
            title=title.strip() or f"Community feedback: {about}",
            description=submission.text,
            source="feedback",
            severity=severity,
            harms=[h for h in submission.harms.all() if h.review_id == review.pk],
        )
    else:
        access.require(actor, "incident.create", incident.review)
        if incident.review.system_id != system_id:
            raise ServiceError("That incident is about another AI system.", field="incident")
        if incident.status == IncidentStatus.RESOLVED:
            raise Conflict("That incident is resolved: reopen it first or open a new one.")
        if incident.feedback.filter(pk=submission.pk).exists():
            raise Conflict("This submission is already linked to that incident.")
    incident.feedback.add(submission)
    record(
        organization_id=incident.organization_id,
        actor=actor,
        verb="escalate",
        object_type=incident._meta.label_lower,
        object_id=incident.pk,
        after={"submission": submission.pk},
    )
    return incident


@transaction.atomic
def incident_update(
    *,
    actor: User,
    incident: Incident,
    status: str | None = None,
    resolution: str | None = None,
    harms: list[Harm] | None = None,
    mitigations: list[Mitigation] | None = None,
    runs: list[AuditRun] | None = None,
) -> Incident:
    """Move an incident along its lifecycle (open → mitigating → resolved, or back to open)
    and link harms, mitigations and runs of its review."""
    access.require(actor, "incident.update", incident)
    incident = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
    before = snapshot(incident)
    if harms is not None and any(h.review_id != incident.review_id for h in harms):
        raise ServiceError("Link harms of the incident's own review.", field="harms")
    if runs is not None and any(r.review_id != incident.review_id for r in runs):
        raise ServiceError("Link runs of the incident's own review.", field="runs")
    if mitigations is not None and any(m.harm.review_id != incident.review_id for m in mitigations):
        raise ServiceError("Link mitigations of the incident's own review.", field="mitigations")
    if status is not None and status != incident.status:
        if status not in IncidentStatus.values:
            raise ServiceError(f"Unknown status {status!r}.", field="status")
        if status not in LIFECYCLE[IncidentStatus(incident.status)]:
            raise Conflict(f"An incident cannot move from {incident.status} to {status}.")
        if status == IncidentStatus.RESOLVED and not (resolution or incident.resolution).strip():
            raise ServiceError("Say how the incident was resolved.", field="resolution")
        incident.status = status
        incident.resolved_at = timezone.now() if status == IncidentStatus.RESOLVED else None
    if resolution is not None:
        incident.resolution = resolution
    incident.save()
    if harms is not None:
        incident.harms.set(harms)
    if mitigations is not None:
        incident.mitigations.set(mitigations)
    if runs is not None:
        incident.runs.set(runs)
    record(
        organization_id=incident.organization_id,
        actor=actor,
        verb="update",
        object_type=incident._meta.label_lower,
        object_id=incident.pk,
        before=before,
        after=snapshot(incident),
    )
    return incident


# --- Breach and no-data routes -----------------------------------------------------------


def on_breach(*, monitor: Monitor, gate: LaunchGate, reading: Reading, run: AuditRun) -> None:
    """Run the route of the gate's action (inside the evaluation's transaction)."""
    steps = monitor.routes.get(gate.action, list(STEPS))
    title = f"{gate.get_metric_display()} breached on {monitor.name}"
    incident = None
    if "incident" in steps:
        incident = _incident_open(
            actor=None,
            review=monitor.review,
            title=title,
            description=reading.reason,
            source="monitor",
            monitor=monitor,
            gate=gate,
            groups=reading.groups,
            severity=SEVERITY.get(GateAction(gate.action), Severity.MODERATE),
            run=run,
            harms=[gate.harm] if gate.harm else [],
            when=reading.batch.period_end.date(),
        )
    if "reopen_review" in steps:
        _reopen(monitor.review, f"Reopened by monitor {monitor.name}: {reading.reason}")
    url = (
        reverse("incident_detail", args=[incident.pk])
        if incident
        else reverse("monitor_detail", args=[monitor.pk])
    )
    text = f"{title}: {reading.reason}. Action: {gate.get_action_display()}." + (
        f" Incident #{incident.pk} is open." if incident else ""
    )
    if "notify" in steps:
        notify(monitor, text, url, subject=f"[Forethought] Breach: {monitor.name}")
    if "webhook" in steps:
        payload = {
            "event": "gate.breach",
            "action": gate.action,
            "instruction": INSTRUCTIONS.get(GateAction(gate.action), gate.action),
            "monitor": {"id": monitor.pk, "name": monitor.name},
            "review": {"id": monitor.review_id, "title": monitor.review.title},
            "gate": {
                "id": gate.pk,
                "metric": gate.metric,
                "sensitive_feature": gate.sensitive_feature,
                "comparator": gate.comparator,
                "threshold": gate.threshold,
            },
            "reading": {
                "state": reading.state,
                "value": reading.value,
                "interval": [reading.low, reading.high],
                "batch_value": reading.batch_value,
                "groups": reading.groups,
                "look": reading.look,
                "period_end": reading.batch.period_end.isoformat(),
            },
            "evidence_run": {
                "id": run.pk,
                "url": site_url() + reverse("audit_run_detail", args=[run.pk]),
            },
            "incident": {"id": incident.pk, "url": site_url() + url} if incident else None,
        }
        fire(monitor, "gate.breach", payload)


def on_no_data(*, monitor: Monitor, since: datetime, now: datetime) -> None:
    steps = monitor.routes.get("alert", ["notify", "webhook"])
    hours = (now - since).total_seconds() / 3600
    text = (
        f"No data for {monitor.name} for {hours:.0f} h (expected every {monitor.cadence_hours} h)."
    )
    url = reverse("monitor_detail", args=[monitor.pk])
    record(
        organization_id=monitor.organization_id,
        actor=None,
        verb="no_data",
        object_type=monitor._meta.label_lower,
        object_id=monitor.pk,
        after={"since": since.isoformat(), "hours": round(hours, 1)},
    )
    if "notify" in steps:
        notify(monitor, text, url, subject=f"[Forethought] No data: {monitor.name}")
    if "webhook" in steps:
        payload = {
            "event": "monitor.no_data",
            "action": "alert",
            "instruction": "alert: the monitor has had no data; check the pipeline that sends it.",
            "monitor": {"id": monitor.pk, "name": monitor.name},
            "last_data_at": since.isoformat(),
            "hours_without_data": round(hours, 1),
        }
        fire(monitor, "monitor.no_data", payload)


def _reopen(review: Review, comment: str) -> None:
    """Flag the review and start a new sign-off round, as reviews.services.review_transition
    does for an owner reopening an approved review; here the monitor is the actor."""
    review = Review.objects.select_for_update(of=("self",)).get(pk=review.pk)
    if review.status != ReviewStatus.APPROVED:
        return  # already reopened (or never approved again): the round stays open
    before = snapshot(review)
    review.status = ReviewStatus.IN_REVIEW
    review.round += 1
    review.save(update_fields=["status", "round", "updated_at"])
    record(
        organization_id=review.organization_id,
        actor=None,
        verb="reopen",
        object_type=review._meta.label_lower,
        object_id=review.pk,
        before=before,
        after={**snapshot(review), "comment": comment},
    )


def notify(monitor: Monitor, text: str, url: str, *, subject: str) -> None:
    """In-app notice and email to the review's lead, the system's owner and on-call."""
    review = monitor.review
    people = {p.pk: p for p in monitor.on_call.all()}
    for person in (review.lead, review.system.owner):
        if person is not None:
            people[person.pk] = person
    for person in people.values():
        if not access.can(person, "monitor.read", monitor):
            continue  # left the organization
        org_services.notice_send(
            user=person, organization_id=monitor.organization_id, message=text[:1000], url=url
        )
    emails = sorted({p.email for p in people.values() if p.email})
    if emails:
        transaction.on_commit(
            lambda: send_mail(
                subject=subject,
                message=f"{text}\n\n{site_url()}{url}",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=emails,
                fail_silently=True,
            )
        )


# --- Webhooks ----------------------------------------------------------------------------


def fire(monitor: Monitor, event: str, payload: dict[str, Any]) -> list[Delivery]:
    """One delivery per active webhook of the monitor, sent once committed."""
    from . import tasks

    out = []
    for hook in monitor.webhooks.filter(active=True):
        row = Delivery.objects.create(
            organization_id=monitor.organization_id, webhook=hook, event=event, payload=payload
        )
        transaction.on_commit(partial(tasks.deliver_webhook.delay, row.pk))
        out.append(row)
    return out


def backoff(attempt: int) -> int:
    """Seconds before retry ``attempt`` (1-based): base × 2^(attempt − 1)."""
    return int(settings.WEBHOOK_BACKOFF_SECONDS * 2 ** (attempt - 1))


def delivery_attempt(*, delivery_id: int) -> str:
    """Send the delivery once: "delivered", "refused" (unsafe address, never retried),
    "retry" (an error or a non-2xx answer, attempts left) or "failed"."""
    row = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    if row.status in (DeliveryStatus.DELIVERED, DeliveryStatus.REFUSED, DeliveryStatus.FAILED):
        return str(row.status)
    body = json.dumps(
        {"id": str(row.pk), "created": row.created_at.isoformat(), **row.payload},
        sort_keys=True,
    ).encode()
    headers = {
        signing.HEADER: signing.sign(row.webhook.secret, body, int(timezone.now().timestamp())),
        "Forethought-Event": row.event,
        "Forethought-Delivery": str(row.pk),
    }
    row.attempts += 1
    row.last_attempt_at = timezone.now()
    allowed = frozenset(h.lower() for h in settings.WEBHOOK_ALLOWED_HOSTS)
    try:
        answer = delivery.post(
            row.webhook.url, body, headers, allowed, settings.WEBHOOK_TIMEOUT_SECONDS
        )
    except delivery.UnsafeURL as exc:
        row.status, row.error = DeliveryStatus.REFUSED, str(exc)
    except OSError as exc:
        row.error = f"{type(exc).__name__}: {exc}"[:1000]
        row.response_code = None
        row.status = DeliveryStatus.RETRYING
    else:
        row.response_code = answer.status
        ok = 200 <= answer.status < 300
        row.status = DeliveryStatus.DELIVERED if ok else DeliveryStatus.RETRYING
        row.error = "" if ok else f"HTTP {answer.status}: {answer.body[:300]}"
    if row.status == DeliveryStatus.RETRYING and row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        row.status = DeliveryStatus.FAILED
    row.save()
    return "retry" if row.status == DeliveryStatus.RETRYING else str(row.status)


@transaction.atomic
def webhook_create(*, actor: User, monitor: Monitor, url: str) -> Webhook:
    access.require(actor, "webhook.create", monitor)
    _check_url(url)
    hook = Webhook.objects.create(
        organization_id=monitor.organization_id,
        monitor=monitor,
        url=url,
        secret="whsec_" + secrets.token_urlsafe(32),
    )
    # Never the secret: the event log is readable by more people than the webhook.
    log_change(actor=actor, verb="create", instance=hook, after=_public(hook))
    return hook


def _check_url(url: str) -> None:
    try:
        delivery.check(url, frozenset(h.lower() for h in settings.WEBHOOK_ALLOWED_HOSTS))
    except delivery.UnsafeURL as exc:
        raise ServiceError(str(exc), field="url") from exc


@transaction.atomic
def webhook_update(
    *, actor: User, webhook: Webhook, url: str | None = None, active: bool | None = None
) -> Webhook:
    """A new URL (checked by the same SSRF rules; the secret stays) or a pause."""
    access.require(actor, "webhook.update", webhook)
    before = _public(webhook)
    if url is not None and url != webhook.url:
        _check_url(url)
        webhook.url = url
    if active is not None:
        webhook.active = active
    webhook.save(update_fields=["url", "active"])
    log_change(actor=actor, verb="update", instance=webhook, before=before, after=_public(webhook))
    return webhook


@transaction.atomic
def webhook_delete(*, actor: User, webhook: Webhook) -> None:
    access.require(actor, "webhook.delete", webhook)
    log_change(actor=actor, verb="delete", instance=webhook, before=_public(webhook))
    webhook.delete()


def _public(hook: Webhook) -> dict[str, Any]:
    return {"monitor_id": hook.monitor_id, "url": hook.url, "active": hook.active}
