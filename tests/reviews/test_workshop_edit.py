"""Editing and deleting workshops and invitation links, through the services, the API and
the board; every change is an event with the state before and after."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.ledger.models import Event
from orgs.plumbing.errors import Conflict, ServiceError
from reviews.board import selectors as board_selectors
from reviews.harms import services as harms
from reviews.workshops import selectors
from reviews.workshops import services as ws
from reviews.workshops.models import Workshop, WorkshopParticipant
from tests.conftest import api_as


def last_event(instance, verb="update"):
    return Event.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk), verb=verb
    ).latest("seq")


@pytest.fixture
def draft(review, facilitator):
    """A workshop nobody has used yet: only its facilitator sits in it."""
    return ws.workshop_create(actor=facilitator, review=review, title="Planning")


# --- Workshops ---------------------------------------------------------------------------


def test_it_edits_a_workshop_and_records_before_and_after(draft, facilitator):
    when = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    ws.workshop_update(
        actor=facilitator,
        workshop=draft,
        title="Loan harms, second pass",
        scheduled_at=when,
        votes_per_participant=3,
    )
    draft.refresh_from_db()
    assert (draft.title, draft.scheduled_at, draft.votes_per_participant) == (
        "Loan harms, second pass",
        when,
        3,
    )
    event = last_event(draft)
    assert event.before["title"] == "Planning" and event.after["title"] == "Loan harms, second pass"
    assert event.before["votes_per_participant"] == 5 and event.after["votes_per_participant"] == 3
    assert event.before["scheduled_at"] is None and event.after["scheduled_at"] is not None


def test_it_records_nothing_when_nothing_changes(draft, facilitator):
    before = Event.objects.count()
    ws.workshop_update(actor=facilitator, workshop=draft, title="Planning")
    assert Event.objects.count() == before


def test_a_new_facilitator_must_be_able_to_facilitate_and_takes_a_seat(
    draft, facilitator, reviewer, participant
):
    with pytest.raises(ServiceError) as refused:
        ws.workshop_update(actor=facilitator, workshop=draft, facilitator=participant)
    assert refused.value.field == "facilitator"
    ws.workshop_update(actor=facilitator, workshop=draft, facilitator=reviewer)
    draft.refresh_from_db()
    assert draft.facilitator == reviewer
    assert WorkshopParticipant.objects.filter(workshop=draft, user=reviewer).exists()
    assert last_event(draft).after["facilitator_id"] == reviewer.pk


def test_it_refuses_bad_values_with_the_field_named(draft, facilitator):
    for changes, field in (({"title": "  "}, "title"), ({"votes_per_participant": 51}, None)):
        with pytest.raises(ServiceError) as refused:
            ws.workshop_update(actor=facilitator, workshop=draft, **changes)
        assert refused.value.field == (field or "votes_per_participant")


def test_anonymity_is_fixed_once_people_have_taken_part(draft, facilitator, participant):
    ws.workshop_update(actor=facilitator, workshop=draft, anonymous=True)
    assert Workshop.objects.get(pk=draft.pk).anonymous is True
    ws.workshop_set_status(actor=facilitator, workshop=draft, status="open")
    ws.workshop_join(actor=participant, workshop=draft)
    with pytest.raises(Conflict, match="cannot change now"):
        ws.workshop_update(actor=facilitator, workshop=draft, anonymous=False)
    ws.workshop_update(actor=facilitator, workshop=draft, anonymous=True, title="Same promise")
    assert Workshop.objects.get(pk=draft.pk).title == "Same promise"


def test_it_deletes_an_unused_workshop_and_records_what_it_was(draft, facilitator):
    pk = draft.pk
    ws.workshop_delete(actor=facilitator, workshop=draft)
    assert not Workshop.objects.filter(pk=pk).exists()
    event = Event.objects.get(object_type="workshops.workshop", object_id=str(pk), verb="delete")
    assert event.before["title"] == "Planning" and event.after is None


def test_it_refuses_to_delete_a_used_workshop_and_says_to_close_it(workshop, facilitator, seated):
    with pytest.raises(Conflict, match="close it instead"):
        ws.workshop_delete(actor=facilitator, workshop=workshop)
    assert Workshop.objects.filter(pk=workshop.pk).exists()


def test_a_card_or_a_consequence_makes_a_workshop_used(workshop, facilitator, category):
    assert not selectors.in_use(workshop)
    ws.card_add(actor=facilitator, workshop=workshop, title="Thin files", category=category)
    assert selectors.in_use(workshop)


def test_the_api_edits_a_workshop_but_not_its_review_or_format(draft, facilitator, review):
    client = api_as(facilitator)
    url = f"/api/workshops/{draft.pk}/"
    response = client.patch(url, {"title": "Renamed", "votes_per_participant": 2}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["votes_per_participant"]) == ("Renamed", 2)
    for field, value in (("format", "consequence_scanning"), ("review", review.pk)):
        refused = client.patch(url, {field: value}, format="json")
        assert refused.status_code == 400 and field in refused.json()
    assert client.patch(url, {"votes_per_participant": 99}, format="json").status_code == 400
    assert Workshop.objects.get(pk=draft.pk).format == "harms_modeling"


def test_the_api_deletes_an_unused_workshop_and_refuses_a_used_one(
    draft, workshop, seated, facilitator, participant, outsider
):
    client = api_as(facilitator)
    assert api_as(participant).delete(f"/api/workshops/{draft.pk}/").status_code == 403
    assert api_as(outsider).delete(f"/api/workshops/{draft.pk}/").status_code == 404
    assert client.delete(f"/api/workshops/{draft.pk}/").status_code == 204
    used = client.delete(f"/api/workshops/{workshop.pk}/")
    assert used.status_code == 409 and "close it instead" in used.json()["detail"]


def test_the_board_edits_the_workshop_with_only_the_changed_fields(
    draft, facilitator, reviewer, client
):
    client.force_login(facilitator)
    board = client.get(reverse("workshop_board", args=[draft.pk]))
    form = board.context["edit_form"]
    data = {f"edit-{name}": value for name, value in form.initial.items() if value is not None}
    data |= {"edit-title": "Renamed on the board", "edit-facilitator": reviewer.pk}
    data.pop("edit-anonymous")  # an unticked box is not sent
    page = client.post(reverse("workshop_edit", args=[draft.pk]), data, follow=True)
    assert "Workshop updated." in page.content.decode()
    draft.refresh_from_db()
    assert (draft.title, draft.facilitator) == ("Renamed on the board", reviewer)
    assert set(last_event(draft).after) >= {"title", "facilitator_id"}
    bad = client.post(
        reverse("workshop_edit", args=[draft.pk]),
        {**data, "edit-votes_per_participant": "99"},
        follow=True,
    )
    assert "votes_per_participant" in bad.content.decode()
    assert Workshop.objects.get(pk=draft.pk).votes_per_participant == 5


def test_the_board_deletes_an_unused_workshop_and_explains_why_not_a_used_one(
    draft, workshop, seated, facilitator, client
):
    client.force_login(facilitator)
    board = client.get(reverse("workshop_board", args=[workshop.pk])).content.decode()
    assert "Delete workshop" not in board and "close it instead of deleting it" in board
    page = client.post(
        reverse("workshop_control", args=[draft.pk]), {"command": "delete"}, follow=True
    )
    assert "Workshop “Planning” deleted." in page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("workshop_list")
    refused = client.post(
        reverse("workshop_control", args=[workshop.pk]), {"command": "delete"}, follow=True
    )
    assert "close it instead" in refused.content.decode()


def test_a_participant_cannot_edit_or_delete_a_workshop(workshop, seated, facilitator, client):
    client.force_login(seated)
    board = client.get(reverse("workshop_board", args=[workshop.pk])).content.decode()
    assert "Edit workshop" not in board and "Delete workshop" not in board
    page = client.post(
        reverse("workshop_edit", args=[workshop.pk]),
        {
            "edit-title": "Mine",
            "edit-facilitator": facilitator.pk,
            "edit-votes_per_participant": "5",
        },
        follow=True,
    )
    assert "Your role (participant) cannot edit a workshop" in page.content.decode()
    assert Workshop.objects.get(pk=workshop.pk).title == "Loan harms"


# --- Invitation links --------------------------------------------------------------------


def test_it_edits_a_link_and_keeps_the_token_out_of_the_event(workshop, facilitator):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop, label="Tenants")
    start = timezone.now()
    ws.invitation_update(
        actor=facilitator,
        invitation=invitation,
        label="Tenants union",
        represents_community="Renters",
        days=30,
        max_uses=10,
    )
    invitation.refresh_from_db()
    assert (invitation.label, invitation.represents_community, invitation.max_uses) == (
        "Tenants union",
        "Renters",
        10,
    )
    left = invitation.expires_at - start
    assert datetime.timedelta(days=30) <= left < datetime.timedelta(days=30, minutes=1)
    event = last_event(invitation)
    assert (event.before["label"], event.after["label"]) == ("Tenants", "Tenants union")
    assert event.before["token"] == event.after["token"] == "(redacted)"
    assert invitation.token not in str(event.before) + str(event.after)


def test_it_refuses_to_edit_a_revoked_link_or_to_admit_fewer_than_it_has(
    workshop, facilitator, participant
):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    ws.invitation_accept(user=participant, token=invitation.token)
    with pytest.raises(ServiceError) as refused:
        ws.invitation_update(actor=facilitator, invitation=invitation, max_uses=0)
    assert refused.value.field == "max_uses"
    assert "admits 1 to 500 people (1 already joined through it)" in refused.value.message
    with pytest.raises(ServiceError) as refused:
        ws.invitation_update(actor=facilitator, invitation=invitation, days=91)
    assert refused.value.field == "days"
    ws.invitation_revoke(actor=facilitator, invitation=invitation)
    with pytest.raises(Conflict, match="revoked"):
        ws.invitation_update(actor=facilitator, invitation=invitation, label="again")


def test_the_api_edits_a_link_for_whoever_runs_the_workshop_only(
    workshop, facilitator, participant, outsider
):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    url = f"/api/invitations/{invitation.pk}/"
    response = api_as(facilitator).patch(url, {"label": "Renters", "days": 3}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["label"] == "Renters"
    assert (
        api_as(facilitator).patch(url, {"workshop": workshop.pk}, format="json").status_code == 400
    )
    assert api_as(participant).patch(url, {"label": "x"}, format="json").status_code == 403
    assert api_as(outsider).patch(url, {"label": "x"}, format="json").status_code == 404
    assert api_as(facilitator).delete(url).status_code == 405  # revoke it instead


def test_the_board_edits_a_link_without_moving_its_expiry_unless_asked(
    workshop, facilitator, client
):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop, days=7)
    expires = invitation.expires_at
    client.force_login(facilitator)
    board = client.get(reverse("workshop_board", args=[workshop.pk]))
    (_inv, form), *_ = board.context["invitations"]
    assert form.initial["days"] == 7
    data = {f"inv{invitation.pk}-{k}": v for k, v in form.initial.items()}
    data[f"inv{invitation.pk}-label"] = "Renters' union"
    page = client.post(reverse("invitation_edit", args=[invitation.pk]), data, follow=True)
    assert "Invitation link updated." in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.label == "Renters' union" and invitation.expires_at == expires
    data[f"inv{invitation.pk}-days"] = "20"
    client.post(reverse("invitation_edit", args=[invitation.pk]), data)
    invitation.refresh_from_db()
    assert invitation.expires_at - expires > datetime.timedelta(days=12)


# --- Live panels -------------------------------------------------------------------------


def test_the_board_version_changes_when_a_stakeholder_or_a_participant_changes(
    workshop, facilitator, participant, review
):
    first = board_selectors.board_version(workshop)
    stakeholder = ws.stakeholder_add(
        actor=facilitator, workshop=workshop, name="Guarantors", kind="indirect"
    )
    second = board_selectors.board_version(workshop)
    assert second != first
    harms.stakeholder_update(actor=facilitator, stakeholder=stakeholder, vulnerable=True)
    third = board_selectors.board_version(workshop)
    assert third != second
    ws.workshop_join(actor=participant, workshop=workshop, represents_community="Renters")
    assert board_selectors.board_version(workshop) != third


def test_the_polled_board_carries_the_stakeholder_and_participant_panels(
    workshop, facilitator, participant, client
):
    client.force_login(facilitator)
    url = reverse("workshop_board_fragment", args=[workshop.pk])
    version = client.get(url).context["version"]
    ws.workshop_join(actor=participant, workshop=workshop, represents_community="Renters")
    ws.stakeholder_add(actor=participant, workshop=workshop, name="Guarantors", kind="indirect")
    fresh = client.get(url, {"v": version})
    assert fresh.status_code == 200
    page = fresh.content.decode()
    assert "Guarantors" in page and "paula · represents Renters" in page
