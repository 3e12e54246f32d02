"""Incidents seen from elsewhere: the review page's banner, the readiness blocker of the
reopened review, and community feedback escalated into an incident."""

from __future__ import annotations

import pytest

from audits.incidents import escalation
from audits.incidents.models import Incident
from orgs.plumbing.errors import Conflict, ServiceError
from reviews import readiness
from reviews.feedback import services as fb
from reviews.models import Review, ReviewStatus
from tests.conftest import api_as


@pytest.fixture
def submission(review, owner):
    channel = fb.channel_create(
        actor=owner,
        review=review,
        title="Loan decisions",
        system_description="A model scores loan applications.",
        purpose="Tell us how a decision affected you.",
    )
    made, _receipt = fb.submission_create(
        channel=channel,
        text="Refused twice since the new model; my neighbour too.",
        language="en",
        about="Refusals since November",
        email="sender-private@example.org",
        phone="+44 7700 900123",
        consent_contact=True,
    )
    return made


def reopened(review: Review) -> Review:
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.IN_REVIEW, round=2)
    review.refresh_from_db()
    return review


def test_the_review_page_flags_an_open_incident_until_it_is_resolved(review, owner, client_as):
    incident = escalation.incident_create(actor=owner, review=review, title="Refusal spike")
    html = client_as(owner).get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-testid="incident-banner"' in html
    assert f'href="/incidents/{incident.pk}/"' in html and "Refusal spike" in html
    escalation.incident_update(
        actor=owner, incident=incident, status="resolved", resolution="Rolled back."
    )
    html = client_as(owner).get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-testid="incident-banner"' not in html


def test_an_open_incident_blocks_the_reopened_review_until_resolved(review, owner, client_as):
    review = reopened(review)
    incident = escalation.incident_create(actor=owner, review=review, title="Refusal spike")
    kinds = [b for b in readiness.approve_blockers(review) if b.kind == "incident"]
    assert [b.url for b in kinds] == [f"/incidents/{incident.pk}/"]
    assert "Refusal spike" in kinds[0].message and "is open" in kinds[0].message
    html = client_as(owner).get(f"/reviews/{review.pk}/").content.decode()
    assert "Open the incident" in html
    # Mitigating still blocks; resolved lifts it.
    incident = escalation.incident_update(actor=owner, incident=incident, status="mitigating")
    assert [b.kind for b in readiness.approve_blockers(review)].count("incident") == 1
    escalation.incident_update(
        actor=owner, incident=incident, status="resolved", resolution="Rolled back."
    )
    assert "incident" not in [b.kind for b in readiness.approve_blockers(review)]


def test_feedback_escalates_into_a_new_or_an_existing_incident(review, owner, submission):
    incident = escalation.incident_from_feedback(actor=owner, submission=submission)
    assert incident.source == "feedback" and incident.status == "open"
    assert incident.title == "Community feedback: Refusals since November"
    assert list(incident.feedback.all()) == [submission]
    with pytest.raises(Conflict, match="already linked"):
        escalation.incident_from_feedback(actor=owner, submission=submission, incident=incident)
    other = escalation.incident_create(actor=owner, review=review, title="Breach")
    same = escalation.incident_from_feedback(actor=owner, submission=submission, incident=other)
    assert same.pk == other.pk and list(other.feedback.all()) == [submission]
    third = escalation.incident_create(actor=owner, review=review, title="Old")
    third = escalation.incident_update(
        actor=owner, incident=third, status="resolved", resolution="x"
    )
    with pytest.raises(ServiceError, match="resolved"):
        escalation.incident_from_feedback(actor=owner, submission=submission, incident=third)


def test_viewers_may_not_escalate(review, viewer, submission):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        escalation.incident_from_feedback(actor=viewer, submission=submission)
    assert not Incident.objects.exists()


def test_the_api_escalates_and_outsiders_get_404(review, owner, outsider, submission):
    answer = api_as(owner).post(
        "/api/incidents/from-feedback/", {"submission": submission.pk}, format="json"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["feedback"] == [submission.pk] and answer.json()["source"] == "feedback"
    assert "sender-private" not in answer.content.decode()
    refused = api_as(outsider).post(
        "/api/incidents/from-feedback/", {"submission": submission.pk}, format="json"
    )
    assert refused.status_code in (400, 403, 404)
    assert Incident.objects.count() == 1


def test_the_submission_page_escalates_and_the_incident_shows_no_contact_data(
    review, owner, outsider, submission, client_as
):
    page = client_as(owner)
    html = page.get(f"/feedback/submissions/{submission.pk}/").content.decode()
    assert f'action="/incidents/from-feedback/{submission.pk}/"' in html
    answer = page.post(f"/incidents/from-feedback/{submission.pk}/", {"title": "Refusals"})
    incident = Incident.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/incidents/{incident.pk}/"
    html = page.get(f"/incidents/{incident.pk}/").content.decode()
    assert f'href="/feedback/submissions/{submission.pk}/"' in html
    assert "Refusals since November" in html
    assert "sender-private" not in html and "7700" not in html
    # Linked now: the submission page names the incident.
    html = page.get(f"/feedback/submissions/{submission.pk}/").content.decode()
    assert f'href="/incidents/{incident.pk}/"' in html
    assert client_as(outsider).post(f"/incidents/from-feedback/{submission.pk}/").status_code == 404
    assert Incident.objects.count() == 1


# --- Pages to set up monitors and webhooks ------------------------------------------------


def monitor_post(gate, owner, **overrides):
    data = {
        "name": "Credit model in production",
        "y_true": "y",
        "y_pred": "p",
        "sensitive": "sex, age",
        "gates": [gate.pk],
        "cadence_hours": "24",
        "late_margin": "0.5",
        "alpha": "0.05",
        "window": "7",
        "route_rollback": ["incident", "reopen_review", "notify", "webhook"],
        "route_alert": ["notify"],
        "on_call": [owner.pk],
    }
    data.update(overrides)
    return data


def test_the_monitor_form_sets_one_up_and_shows_field_errors(
    review, gate, owner, viewer, outsider, client_as
):
    from audits.monitoring.models import Monitor

    from .conftest import approved

    review = approved(review)
    page = client_as(owner)
    chooser = page.get("/monitors/new/").content.decode()
    assert f'href="/monitors/new/?review={review.pk}"' in chooser
    assert (
        f"/monitors/new/?review={review.pk}" in page.get(f"/reviews/{review.pk}/").content.decode()
    )
    url = f"/monitors/new/?review={review.pk}"
    assert gate.get_metric_display() in page.get(url).content.decode()
    # Field errors: alpha out of range (the service's rule), an unwatchable column.
    bad = page.post(url, monitor_post(gate, owner, alpha="0.9"))
    assert bad.status_code == 200 and "alpha is between 0.001 and 0.5." in bad.content.decode()
    assert bad.context["form"].errors["alpha"] == ["alpha is between 0.001 and 0.5."]
    bad = page.post(url, monitor_post(gate, owner, sensitive="age"))
    assert "gates" in bad.context["form"].errors  # the gate is on "sex"
    assert not Monitor.objects.exists()
    done = page.post(url, monitor_post(gate, owner))
    monitor = Monitor.objects.get()
    assert done["Location"] == f"/monitors/{monitor.pk}/"
    assert monitor.config["sensitive"] == ["sex", "age"] and list(monitor.gates.all()) == [gate]
    assert monitor.routes["rollback"] == ["incident", "reopen_review", "notify", "webhook"]
    assert monitor.routes["human_review"] == [] and list(monitor.on_call.all()) == [owner]
    # Edit: pause it, change the window.
    edit = f"/monitors/{monitor.pk}/edit/"
    data = monitor_post(gate, owner, window="3")
    data.pop("active", None)  # unticked: paused
    assert page.post(edit, data).status_code == 302
    monitor.refresh_from_db()
    assert monitor.window == 3 and monitor.active is False
    assert page.post(edit, monitor_post(gate, owner, window="999")).context["form"].errors[
        "window"
    ] == ["window is between 0 (every batch) and 365."]
    # Viewers may not edit; outsiders do not see it.
    assert client_as(viewer).get(edit).status_code == 403
    assert client_as(outsider).get(edit).status_code == 404
    assert client_as(outsider).get(url).status_code == 404


def test_the_monitor_list_empty_state_links_to_the_form(review, owner, client_as):
    html = client_as(owner).get("/monitors/").content.decode()
    assert 'data-testid="monitors-empty"' in html and 'href="/monitors/new/"' in html


def test_webhook_pages_create_with_the_secret_once_edit_and_delete(
    monitor, owner, outsider, client_as
):
    from audits.incidents.models import Webhook

    page = client_as(owner)
    new = f"/monitors/{monitor.pk}/webhooks/new/"
    refused = page.post(new, {"url": "http://169.254.169.254/latest"})
    assert refused.status_code == 200 and refused.context["form"].errors["url"]
    assert not Webhook.objects.exists()
    made = page.post(new, {"url": "https://deploy.example.org/hooks"})
    hook = Webhook.objects.get()
    html = made.content.decode()
    assert hook.secret in html and "shown only once" in html
    assert hook.secret not in page.get(f"/monitors/{monitor.pk}/").content.decode()
    edit = f"/webhooks/{hook.pk}/edit/"
    assert hook.secret not in page.get(edit).content.decode()
    bad = page.post(edit, {"url": "http://127.0.0.1:9/", "active": "on"})
    assert bad.context["form"].errors["url"]
    assert page.post(edit, {"url": "https://deploy.example.org/v2"}).status_code == 302
    hook.refresh_from_db()
    assert hook.url == "https://deploy.example.org/v2" and hook.active is False
    assert client_as(outsider).get(edit).status_code == 404
    assert (
        client_as(outsider).post(f"/webhooks/{hook.pk}/delete/", {"confirm": "yes"}).status_code
        == 404
    )
    assert page.post(f"/webhooks/{hook.pk}/delete/", {"confirm": "yes"}).status_code == 302
    assert not Webhook.objects.exists()
