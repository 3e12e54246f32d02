"""Each way past the old, scattered role checks that an attacker's probe found: with one
access policy they are refused everywhere (service, page and API)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from orgs import access
from orgs.ledger.models import Event
from orgs.members import services as member_services
from orgs.models import Membership, Role
from orgs.plumbing.errors import Conflict, ServiceError
from reviews import selectors as review_selectors
from reviews import services as review_services
from reviews.harms import services as harms
from reviews.harms.models import HarmCategory
from reviews.workshops import services as ws
from reviews.workshops.models import WorkshopParticipant
from tests.conftest import api_as
from tests.reviews.conftest import add_harm


@pytest.fixture
def category(db):
    return HarmCategory.objects.get(slug="opportunity-loss")


@pytest.fixture
def workshop(review, facilitator):
    w = ws.workshop_create(actor=facilitator, review=review, title="Loan harms")
    return ws.workshop_set_status(actor=facilitator, workshop=w, status="open")


def _remove(org, user):
    owner = org.memberships.get(role=Role.OWNER).user
    member_services.membership_delete(
        actor=owner, membership=Membership.objects.get(organization=org, user=user)
    )


def _guest(workshop, facilitator, username="amara"):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    return ws.guest_signup_and_accept(
        token=invitation.token, username=username, password="a-long-passphrase"
    )


# --- A removed member loses seats and facilitator rights at once ------------------------


def test_a_removed_facilitator_can_no_longer_run_invite_or_write_in_their_workshop(
    org, workshop, facilitator, category, client
):
    _remove(org, facilitator)
    with pytest.raises(PermissionDenied):
        ws.invitation_create(actor=facilitator, workshop=workshop, max_uses=500)
    with pytest.raises(PermissionDenied):
        ws.workshop_set_status(actor=facilitator, workshop=workshop, status="closed")
    with pytest.raises(PermissionDenied):
        add_harm(facilitator, workshop, category)
    client.force_login(facilitator)
    assert client.get(reverse("workshop_board", args=[workshop.pk])).status_code == 404
    response = client.post(reverse("workshop_add_card", args=[workshop.pk]), {"title": "x"})
    assert response.status_code == 404
    assert api_as(facilitator).get(f"/api/workshops/{workshop.pk}/").status_code == 404
    assert api_as(facilitator).post(f"/api/workshops/{workshop.pk}/close/").status_code == 403
    assert not workshop.invitations.exists()
    workshop.refresh_from_db()
    assert workshop.status == "open"


def test_a_removed_guest_can_no_longer_read_or_post(org, workshop, facilitator, category, client):
    guest = _guest(workshop, facilitator)
    add_harm(guest, workshop, category)  # while a guest, they contribute
    _remove(org, guest)
    client.force_login(guest)
    assert client.get(reverse("workshop_board", args=[workshop.pk])).status_code == 404
    assert client.get(reverse("workshop_board_fragment", args=[workshop.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        add_harm(guest, workshop, category, "After removal")
    assert api_as(guest).get(f"/api/workshops/{workshop.pk}/cards/").status_code == 404
    # The seat row stays as history but no longer counts anywhere.
    from reviews.workshops.selectors import seats_of

    assert WorkshopParticipant.objects.filter(user=guest).exists()
    assert guest not in [seat.user for seat in seats_of(workshop)]


# --- Viewers do not contribute ---------------------------------------------------------


def test_a_viewer_cannot_join_a_workshop_through_the_page_or_the_api(workshop, viewer, client):
    client.force_login(viewer)
    response = client.post(
        reverse("workshop_control", args=[workshop.pk]), {"command": "join"}, follow=True
    )
    assert "cannot join workshops" in response.content.decode()
    assert not workshop.participants.filter(user=viewer).exists()
    assert api_as(viewer).post(f"/api/workshops/{workshop.pk}/join/").status_code == 403
    assert (
        "Join this workshop"
        not in client.get(reverse("workshop_board", args=[workshop.pk])).content.decode()
    )


def test_a_seat_held_by_a_viewer_grants_no_cards_ratings_or_votes(
    workshop, viewer, facilitator, category
):
    # A participant who joined and was later made a viewer keeps the seat row only.
    WorkshopParticipant.objects.create(
        organization_id=workshop.organization_id, workshop=workshop, user=viewer
    )
    harm = add_harm(facilitator, workshop, category)
    with pytest.raises(PermissionDenied):
        add_harm(viewer, workshop, category, "Viewer card")
    with pytest.raises(PermissionDenied):
        ws.card_rate(actor=viewer, workshop=workshop, harm=harm, severity=5, likelihood=5, scale=5)
    with pytest.raises(PermissionDenied):
        ws.card_vote(actor=viewer, workshop=workshop, harm=harm)
    assert harm.ratings.count() == 0 and harm.votes.count() == 0


# --- Anonymity holds in the event log --------------------------------------------------


@pytest.fixture
def anonymous_workshop(review, facilitator, participant):
    w = ws.workshop_create(actor=facilitator, review=review, title="Anon", anonymous=True)
    ws.workshop_set_status(actor=facilitator, workshop=w, status="open")
    ws.workshop_join(actor=participant, workshop=w)
    return w


def test_the_event_log_never_names_the_author_of_an_anonymous_card(
    anonymous_workshop, participant, reviewer, viewer, owner, category, client
):
    harm = add_harm(participant, anonymous_workshop, category, "Secret author")
    ws.card_rate(
        actor=participant,
        workshop=anonymous_workshop,
        harm=harm,
        severity=4,
        likelihood=4,
        scale=4,
    )
    events = Event.objects.filter(actor=participant)
    assert events.count() >= 3 and all(e.anonymous for e in events)
    for reader in (reviewer, viewer, owner):
        body = api_as(reader).get("/api/events/?page_size=500").json()
        text = str(body)
        assert "paula" not in text, reader
        authors = [r["after"].get("author_id") for r in body["results"] if r["after"]]
        assert participant.pk not in authors
        assert "anonymous participant" in text
        # Filtering by actor cannot single the author out either.
        assert api_as(reader).get("/api/events/?actor=paula").json()["results"] == []
        client.force_login(reader)
        page = client.get(reverse("event_log")).content.decode()
        # A membership names its member, as the members page does; nothing else names her.
        assert "paula" not in page.replace("Membership of paula", "")
        assert "anonymous participant" in page


def test_the_author_of_an_anonymous_card_still_sees_their_own_events(
    review, owner, facilitator, category
):
    w = ws.workshop_create(actor=facilitator, review=review, title="Anon", anonymous=True)
    ws.workshop_set_status(actor=facilitator, workshop=w, status="open")
    ws.workshop_join(actor=owner, workshop=w)
    add_harm(owner, w, category, "Mine")
    rows = api_as(owner).get("/api/events/?actor=olivia&page_size=500").json()["results"]
    mine = [r for r in rows if r["object_type"] == "harms.harm"]
    assert mine and mine[0]["actor"] == "olivia" and mine[0]["after"]["author_id"] == owner.pk
    seen_by_facilitator = api_as(facilitator).get("/api/events/?page_size=500").json()["results"]
    harm_events = [r for r in seen_by_facilitator if r["object_type"] == "harms.harm"]
    assert harm_events[0]["actor"] == "anonymous participant"
    assert harm_events[0]["after"]["author_id"] == "(hidden)"


# --- Harms keep to their review ----------------------------------------------------------


def test_a_harm_cannot_be_given_a_stakeholder_of_another_organization_or_review(
    review, owner, outsider, other_org, system, category
):
    harm = harms.harm_create(actor=owner, review=review, title="H", category=category)
    other_system = review_services.system_create(
        actor=outsider, organization=other_org, name="Theirs"
    )
    other_review = review_services.review_create(actor=outsider, system=other_system, title="R")
    foreign = harms.stakeholder_create(
        actor=outsider, review=other_review, name="Their people", kind="direct"
    )
    sibling_review = review_services.review_create(actor=owner, system=system, title="Sibling")
    sibling = harms.stakeholder_create(
        actor=owner, review=sibling_review, name="Sibling people", kind="direct"
    )
    for stakeholder in (foreign, sibling):
        with pytest.raises(ServiceError) as info:
            harms.harm_update(actor=owner, harm=harm, stakeholders=[stakeholder])
        assert info.value.field == "stakeholders"
    assert not harm.stakeholders.exists()
    response = api_as(owner).patch(
        f"/api/harms/{harm.pk}/", {"stakeholders": [foreign.pk]}, format="json"
    )
    assert response.status_code == 400


# --- People join through invitations they accept -------------------------------------------


def test_nobody_adds_an_existing_account_to_their_organization_through_the_api(
    org, owner, outsider
):
    response = api_as(owner).post(
        "/api/memberships/", {"organization": org.pk, "user": "oscar", "role": "viewer"}
    )
    assert response.status_code == 405
    assert not Membership.objects.filter(organization=org, user=outsider).exists()


def test_an_owner_invites_and_the_invitee_accepts(org, owner, outsider, viewer):
    created = api_as(owner).post(
        "/api/member-invitations/",
        {"organization": org.pk, "role": "reviewer", "email": "oscar@example.org"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    # Nothing says whether the address belongs to an account.
    assert set(body) >= {"url", "status"} and "user" not in body
    token = body["url"].rstrip("/").rsplit("/", 1)[-1]
    assert (
        api_as(viewer)
        .post("/api/member-invitations/", {"organization": org.pk, "role": "owner"})
        .status_code
        == 403
    )
    # The link is shown once: listing invitations never returns it.
    listed = api_as(owner).get("/api/member-invitations/").json()["results"]
    assert all(row["url"] is None for row in listed)
    accepted = api_as(outsider).post("/api/member-invitations/accept/", {"token": token})
    assert accepted.status_code == 201, accepted.json()
    assert Membership.objects.get(organization=org, user=outsider).role == Role.REVIEWER
    again = api_as(outsider).post("/api/member-invitations/accept/", {"token": token})
    assert again.status_code == 409 and "already been used" in again.json()["detail"]
    bogus = api_as(outsider).post("/api/member-invitations/accept/", {"token": "nope"})
    assert bogus.status_code == 409 and "not valid" in bogus.json()["detail"]


def test_the_members_page_invites_with_a_link_shown_once_and_the_link_signs_people_up(
    org, owner, client
):
    client.force_login(owner)
    response = client.post(
        reverse("members"), {"email": "", "role": "participant", "days": "7"}, follow=True
    )
    page = response.content.decode()
    assert "shown once" in page
    url = page.split('data-testid="invitation-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert "/join/" in url
    again = client.get(reverse("members")).content.decode()
    assert url not in again
    client.logout()
    path = url.split("8000", 1)[-1] if "8000" in url else url
    join = client.post(path, {"username": "newbie", "password": "a-long-passphrase"})
    assert join.status_code == 302
    assert Membership.objects.get(organization=org, user__username="newbie").role == "participant"


def test_a_workshop_guest_promoted_to_facilitator_sees_what_they_create(
    org, owner, workshop, facilitator
):
    guest = _guest(workshop, facilitator)
    assert access.standing(guest, org) == Role.GUEST
    with pytest.raises(PermissionDenied):
        review_services.system_create(actor=guest, organization=org, name="Nope")
    member_services.membership_change_role(
        actor=owner, membership=Membership.objects.get(user=guest), role=Role.FACILITATOR
    )
    system = review_services.system_create(actor=guest, organization=org, name="Theirs")
    assert system in review_selectors.systems_for(guest)
    review = review_services.review_create(actor=guest, system=system, title="Their review")
    assert review in review_selectors.reviews_for(guest)
    assert api_as(guest).get(f"/api/reviews/{review.pk}/").status_code == 200


def test_a_guest_is_not_a_member_for_owning_leading_or_facilitating(
    org, owner, workshop, facilitator, review, system, category
):
    guest = _guest(workshop, facilitator)
    harm = add_harm(facilitator, workshop, category)
    with pytest.raises(ServiceError) as info:
        harms.mitigation_create(actor=owner, harm=harm, action="x", owner=guest)
    assert info.value.field == "owner"
    with pytest.raises(ServiceError) as info:
        review_services.review_create(actor=owner, system=system, title="x", lead=guest)
    assert info.value.field == "lead"
    with pytest.raises(ServiceError) as info:
        ws.workshop_create(actor=owner, review=review, title="x", facilitator=guest)
    assert info.value.field == "facilitator"
    # The forms offer exactly the people the services accept.
    assert guest not in access.users_who_may(org, "mitigation.own")
    assert owner in access.users_who_may(org, "mitigation.own")


def test_an_invitation_cannot_be_accepted_by_someone_already_in_the_organization(
    org, owner, reviewer
):
    _invitation, token = member_services.member_invitation_create(
        actor=owner, organization=org, role=Role.VIEWER
    )
    with pytest.raises(Conflict, match="already a member"):
        member_services.member_invitation_accept(user=reviewer, token=token)
    assert Membership.objects.get(organization=org, user=reviewer).role == Role.REVIEWER


def test_a_guest_who_accepts_a_member_invitation_becomes_a_full_member(
    org, owner, workshop, facilitator
):
    guest = _guest(workshop, facilitator)
    _invitation, token = member_services.member_invitation_create(
        actor=owner, organization=org, role=Role.PARTICIPANT
    )
    member_services.member_invitation_accept(user=guest, token=token)
    assert access.standing(guest, org) == Role.PARTICIPANT
    assert review_selectors.reviews_for(guest).exists()


def test_signup_through_an_invitation_uses_the_password_validators(workshop, facilitator):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    with pytest.raises(ServiceError) as info:
        ws.guest_signup_and_accept(token=invitation.token, username="weak", password="password123")
    assert info.value.field == "password"
    assert not Membership.objects.filter(user__username="weak").exists()


def test_pages_link_only_to_what_the_reader_may_open(
    org, owner, review, workshop, facilitator, participant, category, client
):
    """A guest's board links to neither the review nor its register (the risk matrix
    included); a participant's audits page lists datasets without the mapping link."""
    guest = _guest(workshop, facilitator)
    harm = add_harm(facilitator, workshop, category)
    ws.card_rate(actor=facilitator, workshop=workshop, harm=harm, severity=4, likelihood=4, scale=4)
    client.force_login(guest)
    board = client.get(reverse("workshop_board", args=[workshop.pk])).content.decode()
    assert reverse("harm_register", args=[review.pk]) not in board
    assert reverse("review_detail", args=[review.pk]) not in board
    listing = client.get(reverse("workshop_list")).content.decode()
    assert reverse("review_detail", args=[review.pk]) not in listing
    client.force_login(facilitator)
    board = client.get(reverse("workshop_board", args=[workshop.pk])).content.decode()
    assert reverse("harm_register", args=[review.pk]) + "?severity=4" in board
    from tests.conftest import run_small_audit

    run = run_small_audit(owner, review)
    client.force_login(participant)
    audits = client.get(reverse("audit_home")).content.decode()
    assert run.dataset.name in audits
    assert reverse("audit_configure", args=[run.dataset.pk]) not in audits


# --- Sign-up through a link ------------------------------------------------------------


@pytest.mark.parametrize("name", ["olivia", "Olivia", "OLIVIA", "0livia", "оlivia", "ｏｌｉｖｉａ"])
def test_a_taken_or_look_alike_username_gets_one_message_that_names_no_one(
    owner, workshop, facilitator, name
):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    with pytest.raises(ServiceError) as info:
        ws.guest_signup_and_accept(
            token=invitation.token, username=name, password="a-long-passphrase"
        )
    assert info.value.field == "username"
    assert info.value.message == "That username is not available. Pick another."
    assert not Membership.objects.filter(user__username=name).exclude(user=owner).exists()


def test_a_username_that_only_resembles_in_a_small_way_is_accepted(owner, workshop, facilitator):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    user = ws.guest_signup_and_accept(
        token=invitation.token, username="oliver", password="a-long-passphrase"
    )
    assert user.username == "oliver"


def test_the_invitation_page_shows_the_same_message_for_a_taken_name(
    owner, workshop, facilitator, client
):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    url = reverse("invitation_accept", args=[invitation.token])
    taken = client.post(url, {"username": "olivia", "password": "a-long-passphrase"})
    alike = client.post(url, {"username": "0livia", "password": "a-long-passphrase"})
    assert taken.status_code == alike.status_code == 400
    for response in (taken, alike):
        assert "That username is not available. Pick another." in response.content.decode()
