"""Where a login lands, and a header that offers only what the person may open."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from orgs.models import Membership, Role
from reviews.workshops import services as ws
from tests.conftest import PASSWORD, make_user

NAV = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)


def _workshop(review, facilitator, title, status="open"):
    workshop = ws.workshop_create(actor=facilitator, review=review, title=title)
    if status != "draft":
        workshop = ws.workshop_set_status(actor=facilitator, workshop=workshop, status="open")
    if status == "closed":
        workshop = ws.workshop_set_status(actor=facilitator, workshop=workshop, status="closed")
    return workshop


def _invite(workshop, facilitator, user):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    ws.invitation_accept(user=user, token=invitation.token)


@pytest.fixture
def guest(review, facilitator):
    """A workshop guest of ``org`` who signed up through a link to "Loan harms"."""
    workshop = _workshop(review, facilitator, "Loan harms")
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    return ws.guest_signup_and_accept(token=invitation.token, username="amara", password=PASSWORD)


def _nav_links(response) -> dict[str, str]:
    nav = NAV.search(response.content.decode()).group(1)
    return {
        re.sub(r"<[^>]+>", "", text).strip(): href
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', nav)
    }


# --- Landing ------------------------------------------------------------------------------


def test_it_sends_a_member_to_the_ai_systems(client, owner, org):
    client.force_login(owner)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("system_list")


def test_a_guest_logging_in_lands_on_the_board_of_their_one_workshop(client, guest):
    workshop = guest.workshop_seats.get().workshop
    response = client.post(
        reverse("login"), {"username": "amara", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("workshop_board", args=[workshop.pk])
    assert response.status_code == 200
    assert "Loan harms" in response.content.decode()


def test_a_guest_with_an_open_and_a_closed_workshop_lands_on_the_open_one(
    client, guest, review, facilitator
):
    closed = _workshop(review, facilitator, "Last year's session")
    _invite(closed, facilitator, guest)
    ws.workshop_set_status(actor=facilitator, workshop=closed, status="closed")
    open_one = guest.workshop_seats.get(workshop__status="open").workshop
    client.force_login(guest)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("workshop_board", args=[open_one.pk])


def test_a_guest_whose_only_workshop_has_closed_still_lands_on_it(client, guest, facilitator):
    workshop = guest.workshop_seats.get().workshop
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status="closed")
    client.force_login(guest)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("workshop_board", args=[workshop.pk])


def test_a_guest_with_two_open_workshops_gets_the_list_of_their_own(
    client, guest, review, facilitator
):
    second = _workshop(review, facilitator, "Appeals session")
    _invite(second, facilitator, guest)
    _workshop(review, facilitator, "Internal dry run")  # no seat for the guest
    client.force_login(guest)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("workshop_list")
    page = response.content.decode()
    assert "Loan harms" in page and "Appeals session" in page
    assert "Internal dry run" not in page


def test_a_guest_without_a_seat_is_told_they_have_no_workshop_yet(client, org):
    newcomer = make_user("nadia")
    Membership.objects.create(user=newcomer, organization=org, role=Role.GUEST)
    client.force_login(newcomer)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("guest_landing")
    assert response.status_code == 200
    page = response.content.decode()
    assert "No workshop yet" in page
    assert "Acme Lending" in page


def test_someone_in_no_organization_gets_a_page_not_a_404(client, db):
    loner = get_user_model().objects.create_user(username="lonely", password=PASSWORD)
    client.force_login(loner)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "No organization yet" in response.content.decode()


def test_an_explicit_next_wins_over_the_guest_landing(client, guest):
    response = client.post(
        reverse("login") + "?next=/notices/",
        {"username": "amara", "password": PASSWORD, "next": "/notices/"},
    )
    assert response["Location"] == "/notices/"
    client.force_login(guest)
    assert client.get(reverse("home") + "?next=/notices/")["Location"] == "/notices/"


def test_a_next_to_another_site_is_ignored(client, owner, org):
    client.force_login(owner)
    response = client.get(reverse("home") + "?next=https://evil.example/steal")
    assert response["Location"] == reverse("system_list")


# --- Navigation ---------------------------------------------------------------------------


def test_a_guest_sees_only_their_workshops_in_the_header(client, guest):
    client.force_login(guest)
    links = _nav_links(client.get(reverse("workshop_list")))
    assert links == {"My workshops": reverse("workshop_list")}


def test_a_participant_sees_no_event_log_link(client, participant):
    client.force_login(participant)
    links = _nav_links(client.get(reverse("system_list")))
    assert list(links) == [
        "AI systems",
        "Reviews",
        "Workshops",
        "Feedback",
        "Audits",
        "Compliance",
        "Monitoring",
        "Members",
        "API",
    ]


def test_an_owner_sees_every_link(client, owner, org):
    client.force_login(owner)
    links = _nav_links(client.get(reverse("system_list")))
    assert list(links) == [
        "AI systems",
        "Reviews",
        "Workshops",
        "Feedback",
        "Audits",
        "Compliance",
        "Monitoring",
        "Event log",
        "Members",
        "API",
    ]


@pytest.mark.parametrize("who", ["owner", "participant", "viewer", "guest"])
def test_every_header_link_opens(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    start = reverse("workshop_list") if who == "guest" else reverse("system_list")
    for label, href in _nav_links(client.get(start)).items():
        assert client.get(href).status_code == 200, label
