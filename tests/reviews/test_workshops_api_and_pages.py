import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.harms.models import Harm, Rating
from reviews.workshops import services as ws
from reviews.workshops.models import WorkshopInvitation
from tests.conftest import api_as, make_user
from tests.reviews.conftest import add_harm


def rate(actor, workshop, harm, severity, likelihood=3, scale=3):
    return ws.card_rate(
        actor=actor,
        workshop=workshop,
        harm=harm,
        severity=severity,
        likelihood=likelihood,
        scale=scale,
    )


@pytest.fixture
def anonymous_workshop(review, facilitator, participant):
    w = ws.workshop_create(actor=facilitator, review=review, title="Anon", anonymous=True)
    ws.workshop_set_status(actor=facilitator, workshop=w, status="open")
    ws.workshop_join(actor=participant, workshop=w)
    return w


def test_a_participant_adds_a_card_and_rates_it_through_the_api(workshop, seated, review):
    client = api_as(seated)
    response = client.post(
        f"/api/workshops/{workshop.pk}/cards/",
        {"title": "Postcode pricing", "category": "economic-loss"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    harm_id = response.json()["id"]
    assert Harm.objects.get(pk=harm_id).review == review
    ratings = f"/api/workshops/{workshop.pk}/ratings/"
    rated = client.post(ratings, {"harm": harm_id, "severity": 4, "likelihood": 3, "scale": 2})
    assert rated.status_code == 201
    again = client.post(ratings, {"harm": harm_id, "severity": 2, "likelihood": 3, "scale": 2})
    assert again.status_code == 200
    body = client.get(f"/api/harms/{harm_id}/").json()
    assert body["aggregate"] == {
        "raters": 1,
        "severity": 2.0,
        "likelihood": 3.0,
        "scale": 2.0,
        "risk": 6.0,
        "severity_iqr": 0.0,
        "likelihood_iqr": 0.0,
        "contested": False,
        "votes": 0,
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "greater than or equal to 1"),
        (6, "less than or equal to 5"),
        (3.5, "whole number"),
        ("x", "whole number"),
        ("", "whole number"),
    ],
)
def test_bad_ratings_are_a_400_naming_the_field(workshop, seated, category, value, message):
    harm = add_harm(seated, workshop, category)
    response = api_as(seated).post(
        f"/api/workshops/{workshop.pk}/ratings/",
        {"harm": harm.pk, "severity": value, "likelihood": 3, "scale": 3},
        format="json",
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["severity"])
    assert not Rating.objects.exists()


def test_a_closed_workshop_answers_409_with_a_message(workshop, facilitator, seated, category):
    harm = add_harm(seated, workshop, category)
    api_as(facilitator).post(f"/api/workshops/{workshop.pk}/close/")
    response = api_as(seated).post(
        f"/api/workshops/{workshop.pk}/ratings/",
        {"harm": harm.pk, "severity": 3, "likelihood": 3, "scale": 3},
    )
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


def test_a_participant_cannot_change_rounds(workshop, seated, facilitator):
    assert (
        api_as(seated).post(f"/api/workshops/{workshop.pk}/round/", {"round": 2}).status_code == 403
    )
    ok = api_as(facilitator).post(f"/api/workshops/{workshop.pk}/round/", {"round": 2})
    assert ok.status_code == 200
    assert ok.json()["round"]["title"] == "Harms by category"


def test_anonymous_authors_never_leak_through_the_api(
    anonymous_workshop, participant, reviewer, category
):
    harm = add_harm(participant, anonymous_workshop, category, "Secret author")
    ws.workshop_join(actor=reviewer, workshop=anonymous_workshop)
    other = api_as(reviewer)
    assert other.get(f"/api/harms/{harm.pk}/").json()["author"] is None
    listed = other.get(f"/api/workshops/{anonymous_workshop.pk}/cards/").json()["results"]
    assert listed[0]["author"] is None and "paula" not in str(listed)
    assert api_as(participant).get(f"/api/harms/{harm.pk}/").json()["author"] == "paula"
    # The event log (which does name authors) is closed to participants.
    assert api_as(participant).get("/api/events/").json()["results"] == []
    # Ratings are private: a participant sees only their own.
    rate(reviewer, anonymous_workshop, harm, 2, 2, 2)
    assert api_as(participant).get("/api/ratings/").json()["results"] == []


def test_anonymous_authors_never_leak_through_html_or_csv(
    anonymous_workshop, participant, reviewer, owner, review, category, client
):
    add_harm(participant, anonymous_workshop, category, "Secret author")
    ws.workshop_join(actor=reviewer, workshop=anonymous_workshop)
    client.force_login(reviewer)
    for url in [
        reverse("workshop_board", args=[anonymous_workshop.pk]),
        reverse("workshop_board_fragment", args=[anonymous_workshop.pk]),
    ]:
        page = client.get(url).content.decode()
        assert "Secret author" in page, url
        assert "paula" not in page, url  # neither as author nor in the participant list
    register = client.get(reverse("harm_register", args=[review.pk])).content.decode()
    table = register.split('<table class="register">')[1].split("</table>")[0]
    # The "add mitigation" form lists every member as a possible owner; that is not authorship.
    table = re.sub(r"<details>.*?</details>", "", table, flags=re.S)
    assert "Secret author" in table and "paula" not in table
    export = client.get(reverse("harm_register", args=[review.pk]) + "?format=csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert rows[0]["title"] == "Secret author" and rows[0]["author"] == ""
    # The author still sees their own name.
    client.force_login(participant)
    own = client.get(reverse("workshop_board", args=[anonymous_workshop.pk])).content.decode()
    assert "by paula" in own


def test_the_register_filters_sorts_and_exports_csv(
    workshop, seated, review, owner, category, client
):
    high = add_harm(seated, workshop, category, "=cmd|' /C calc'!A0")
    low = add_harm(seated, workshop, category, "Low risk")
    rate(seated, workshop, high, 5, 4, 3)
    rate(seated, workshop, low, 1, 2, 1)
    client.force_login(owner)
    url = reverse("harm_register", args=[review.pk])
    table = client.get(url + "?risk_min=10").content.decode().split('<table class="register">')[1]
    assert "calc" in table and "Low risk" not in table
    response = client.get(url + "?format=csv&sort=risk")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["title"] for r in rows] == ["'=cmd|' /C calc'!A0", "Low risk"]
    assert rows[0]["risk"] == "20.0" and rows[1]["risk"] == "2.0"
    by_cell = client.get(url + "?severity=1&likelihood=2").content.decode()
    by_cell = by_cell.split('<table class="register">')[1]
    assert "Low risk" in by_cell and "calc" not in by_cell


def test_the_harms_api_filters_contested_and_risk(workshop, seated, reviewer, category):
    ws.workshop_join(actor=reviewer, workshop=workshop)
    split = add_harm(seated, workshop, category, "Split")
    calm = add_harm(seated, workshop, category, "Calm")
    for user, sev in ((seated, 1), (reviewer, 5)):
        rate(user, workshop, split, sev)
        rate(user, workshop, calm, 3)
    client = api_as(reviewer)
    contested = client.get("/api/harms/?contested=true").json()["results"]
    assert [h["title"] for h in contested] == ["Split"]
    assert [h["title"] for h in client.get("/api/harms/?risk_min=9").json()["results"]] == [
        "Split",
        "Calm",
    ]
    assert client.get("/api/harms/?risk_min=lots").status_code == 400


def test_the_board_fragment_answers_204_until_something_changes(workshop, seated, category, client):
    client.force_login(seated)
    url = reverse("workshop_board_fragment", args=[workshop.pk])
    first = client.get(url)
    version = first.context["version"]
    assert client.get(url, {"v": version}).status_code == 204
    add_harm(seated, workshop, category, "New card")
    changed = client.get(url, {"v": version})
    assert changed.status_code == 200 and "New card" in changed.content.decode()


def test_adding_a_card_from_the_board_with_htmx_returns_the_new_board(
    workshop, seated, category, client
):
    client.force_login(seated)
    response = client.post(
        reverse("workshop_add_card", args=[workshop.pk]),
        {"title": "Via htmx", "category": category.slug},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="board"' in response.content.decode() and "Via htmx" in response.content.decode()
    assert Harm.objects.filter(title="Via htmx", author=seated).exists()


@pytest.mark.parametrize(
    "name",
    [
        "workshop_board",
        "workshop_board_fragment",
        "workshop_add_card",
        "workshop_add_consequence",
        "workshop_add_stakeholder",
        "workshop_control",
        "workshop_invite",
    ],
)
def test_an_outsider_gets_404_on_every_workshop_page(workshop, outsider, client, name):
    client.force_login(outsider)
    url = reverse(name, args=[workshop.pk])
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, {"title": "x", "command": "closed"}).status_code == 404


@pytest.mark.parametrize("name", ["card_rate", "card_vote", "mitigation_add"])
def test_an_outsider_gets_404_on_every_harm_page(
    workshop, seated, category, outsider, client, name
):
    harm = add_harm(seated, workshop, category)
    client.force_login(outsider)
    args = [harm.pk] if name == "mitigation_add" else [workshop.pk, harm.pk]
    assert client.post(reverse(name, args=args), {"severity": 3}).status_code == 404


def test_an_outsider_gets_404_on_the_register(review, outsider, client):
    client.force_login(outsider)
    assert client.get(reverse("harm_register", args=[review.pk])).status_code == 404


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown"])
def test_a_dead_invitation_gets_a_clear_page_not_a_login_loop(workshop, facilitator, client, state):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    token = invitation.token
    if state == "expired":
        WorkshopInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - datetime.timedelta(days=1)
        )
    elif state == "revoked":
        ws.invitation_revoke(actor=facilitator, invitation=invitation)
    else:
        token = "x" * 43
    response = client.get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 410
    assert "This link does not work" in response.content.decode()
    assert "login" not in response.get("Location", "")


def test_a_newcomer_signs_up_through_an_invitation_and_lands_on_the_board(
    workshop, facilitator, client
):
    invitation = ws.invitation_create(
        actor=facilitator, workshop=workshop, represents_community="Renters"
    )
    url = reverse("invitation_accept", args=[invitation.token])
    assert "You're invited" in client.get(url).content.decode()
    response = client.post(url, {"username": "newcomer", "password": "a-long-password"})
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop_board", args=[workshop.pk])
    board = client.get(response["Location"]).content.decode()
    assert "Loan harms" in board and "represents Renters" in board


def test_a_taken_username_is_a_form_error(workshop, facilitator, client):
    make_user("taken")
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    response = client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {"username": "taken", "password": "a-long-password"},
    )
    assert response.status_code == 400
    assert "taken" in response.content.decode()


def test_the_invitation_api_returns_a_link_only_to_organisers(workshop, facilitator, seated):
    response = api_as(facilitator).post(
        "/api/invitations/", {"workshop": workshop.pk, "label": "Advocates", "days": 7}
    )
    assert response.status_code == 201
    assert "/invite/" in response.json()["url"]
    assert api_as(seated).get("/api/invitations/").json()["results"] == []
    revoke = api_as(facilitator).post(f"/api/invitations/{response.json()['id']}/revoke/")
    assert revoke.json()["revoked_at"] is not None


def test_the_register_and_gates_pages_add_mitigations_and_launch_gates(
    workshop, seated, owner, facilitator, review, category, client
):
    harm = add_harm(seated, workshop, category)
    client.force_login(owner)
    response = client.post(
        reverse("mitigation_add", args=[harm.pk]),
        {
            "action": "Add rent history",
            "owner": facilitator.pk,
            "status": "planned",
            "disposition": "act",
        },
        follow=True,
    )
    assert "Mitigation added." in response.content.decode()
    assert harm.mitigations.get().owner == facilitator
    refused = client.post(
        reverse("mitigation_add", args=[harm.pk]),
        {"action": "x", "owner": facilitator.pk, "status": "wont_do", "disposition": "act"},
        follow=True,
    )
    assert "Say why this mitigation will not be done." in refused.content.decode()
    assert harm.mitigations.count() == 1
    response = client.post(
        reverse("launch_gates", args=[review.pk]),
        {
            "metric": "disparate_impact_ratio",
            "sensitive_feature": "race",
            "comparator": ">=",
            "threshold": "0.8",
            "action": "block_launch",
        },
        follow=True,
    )
    assert "Launch gate added." in response.content.decode()
    assert review.launch_gates.get().metric == "disparate_impact_ratio"


def test_the_facilitator_creates_an_invitation_link_on_the_board(workshop, facilitator, client):
    client.force_login(facilitator)
    response = client.post(
        reverse("workshop_invite", args=[workshop.pk]),
        {"label": "Tenants union", "days": "7"},
        follow=True,
    )
    page = response.content.decode()
    assert "Invitation link created." in page
    invitation = workshop.invitations.get()
    assert f"/invite/{invitation.token}/" in page
    bad = client.post(reverse("workshop_invite", args=[workshop.pk]), {"days": "400"}, follow=True)
    assert "days:" in bad.content.decode() and workshop.invitations.count() == 1


def test_a_consequence_scanning_board_adds_and_sorts_cards(review, facilitator, client):
    scan = ws.workshop_create(
        actor=facilitator, review=review, title="Scan", format="consequence_scanning"
    )
    ws.workshop_set_status(actor=facilitator, workshop=scan, status="open")
    client.force_login(facilitator)
    board = client.get(reverse("workshop_board", args=[scan.pk])).content.decode()
    assert "Round 1: Consequences" in board and "Add consequence" in board
    response = client.post(
        reverse("workshop_add_consequence", args=[scan.pk]),
        {
            "text": "Faster decisions for thin-file applicants",
            "intent": "intended",
            "valence": "positive",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Faster decisions" in response.content.decode()
    card = scan.consequences.get()
    ws.workshop_set_round(actor=facilitator, workshop=scan, number=2)  # positives are sorted
    client.post(
        reverse("consequence_sort", args=[card.pk]),
        {"disposition": "influence"},
        HTTP_HX_REQUEST="true",
    )
    card.refresh_from_db()
    assert card.disposition == "influence"
