import pytest
from rest_framework.test import APIClient

from orgs.ledger.models import Event
from reviews.models import AISystem, Review, ReviewStatus
from tests.conftest import PASSWORD, api_as


def test_it_issues_a_token_that_authenticates_api_calls(owner, system):
    client = APIClient()
    response = client.post(
        "/api/auth/token/", {"username": "olivia", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token " + response.json()["token"])
    systems = client.get("/api/systems/").json()
    assert [s["name"] for s in systems["results"]] == ["Credit model"]


def test_it_refuses_a_token_for_a_wrong_password(owner):
    response = APIClient().post(
        "/api/auth/token/", {"username": "olivia", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_creating_a_system_writes_it_and_an_event(org, owner):
    response = api_as(owner).post(
        "/api/systems/",
        {"organization": org.pk, "name": "Triage model", "domain": "healthcare"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    system = AISystem.objects.get(name="Triage model")
    assert (system.organization, system.owner) == (org, owner)
    event = Event.objects.get(verb="create", object_type="reviews.aisystem")
    assert event.after["name"] == "Triage model"


def test_bad_input_answers_400_with_field_messages(org, owner):
    response = api_as(owner).post(
        "/api/systems/", {"organization": org.pk, "domain": "astrology"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["name"] == ["This field is required."]
    assert "not a valid choice" in body["domain"][0]
    assert not AISystem.objects.filter(organization=org).exists()


def test_it_will_not_create_in_another_organization(org, owner, other_org):
    response = api_as(owner).post(
        "/api/systems/", {"organization": other_org.pk, "name": "Sneaky"}, format="json"
    )
    assert response.status_code == 400
    assert "organization" in response.json()
    assert not AISystem.objects.filter(name="Sneaky").exists()


def test_the_review_workflow_runs_through_the_api(review, owner, reviewer):
    client = api_as(owner)
    url = f"/api/reviews/{review.pk}/transition/"
    assert client.post(url, {"to": "in_review"}).json()["status"] == "in_review"
    early = client.post(url, {"to": "approved"})
    assert early.status_code == 409
    assert "owner, reviewer" in early.json()["detail"]
    detail = client.get(f"/api/reviews/{review.pk}/").json()
    assert detail["missing_signoffs"] == ["owner", "reviewer"]
    assert (
        client.post("/api/signoffs/", {"review": review.pk, "decision": "approve"}).status_code
        == 201
    )
    signed = api_as(reviewer).post(
        "/api/signoffs/", {"review": review.pk, "decision": "approve", "comment": "ok"}
    )
    assert signed.status_code == 201
    assert signed.json()["role_at_signing"] == "reviewer"
    done = client.post(url, {"to": "approved"})
    assert done.status_code == 200
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.APPROVED


def test_an_unknown_status_is_a_400_naming_the_field(review, owner):
    response = api_as(owner).post(f"/api/reviews/{review.pk}/transition/", {"to": "launched"})
    assert response.status_code == 400
    assert "to" in response.json()


def test_a_participant_cannot_edit_a_review(review, participant):
    response = api_as(participant).patch(f"/api/reviews/{review.pk}/", {"title": "Mine now"})
    assert response.status_code == 403
    assert Review.objects.get(pk=review.pk).title == "Pre-launch review"


def test_reviews_filter_by_status(system, owner):
    from tests.conftest import make_review

    draft = make_review(system, owner, "Draft one")
    sent = make_review(system, owner, "Sent one")
    api_as(owner).post(f"/api/reviews/{sent.pk}/transition/", {"to": "in_review"})
    rows = api_as(owner).get("/api/reviews/?status=in_review").json()["results"]
    assert [r["id"] for r in rows] == [sent.pk]
    rows = api_as(owner).get("/api/reviews/?status=draft").json()["results"]
    assert [r["id"] for r in rows] == [draft.pk]


def test_owners_change_the_required_signoff_roles(org, owner, facilitator):
    url = f"/api/organizations/{org.pk}/"
    response = api_as(owner).patch(url, {"required_signoff_roles": ["reviewer"]}, format="json")
    assert response.status_code == 200
    assert response.json()["required_signoff_roles"] == ["reviewer"]
    bad = api_as(owner).patch(url, {"required_signoff_roles": ["janitor"]}, format="json")
    assert bad.status_code == 400 and "janitor" in bad.json()["required_signoff_roles"][0]
    assert (
        api_as(facilitator).patch(url, {"required_signoff_roles": []}, format="json").status_code
        == 403
    )


def test_event_verification_runs_as_a_task_and_reports(
    org, owner, review, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_as(owner).post("/api/event-verifications/", {"organization": org.pk})
    assert response.status_code == 202
    assert len(callbacks) == 1  # the task is enqueued only once the request's data committed
    body = api_as(owner).get(f"/api/event-verifications/{response.json()['id']}/").json()
    assert body["status"] == "done"
    assert body["intact"] is True
    assert body["checked"] == Event.objects.filter(organization=org).count()


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_the_openapi_schema_and_docs_are_served(db, path):
    response = APIClient().get(path)
    assert response.status_code == 200


def test_the_schema_documents_every_resource(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    for path in [
        "/api/systems/",
        "/api/reviews/{id}/transition/",
        "/api/events/",
        "/api/signoffs/",
    ]:
        assert path in schema["paths"], path
