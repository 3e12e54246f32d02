import pytest
from django.test import Client
from django.urls import reverse

from reviews import services
from reviews.models import Decision, ReviewStatus
from tests.conftest import PASSWORD, make_system


@pytest.fixture
def client_as(client):
    def login(user) -> Client:
        client.force_login(user)
        return client

    return login


def test_the_login_page_logs_in_and_lands_on_systems(owner, org, system, client):
    response = client.post(
        reverse("login"), {"username": "olivia", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("system_list")
    assert b"Credit model" in response.content


def test_repeated_failed_logins_lock_the_account_from_every_address(owner, org, client, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        attacker = Client(REMOTE_ADDR=f"10.0.0.{i + 1}")  # credential stuffing
        attacker.post(reverse("login"), {"username": "olivia", "password": "nope"})
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page and "Try again in <strong>15 minutes" in page
    assert response["Retry-After"] == "900"


def test_password_spraying_from_one_address_is_throttled(owner, org, client, settings):
    """Wrong passwords on several accounts from one address, then a right one."""
    from tests.conftest import make_user

    for name in ("ana", "bo", "cy"):
        make_user(name)
    attempts = 0
    while attempts < settings.AXES_FAILURE_LIMIT:
        for name in ("ana", "bo", "cy"):
            if attempts < settings.AXES_FAILURE_LIMIT:
                client.post(reverse("login"), {"username": name, "password": "Winter2026!"})
                attempts += 1
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 429
    # Another address is unaffected for an account that was not attacked.
    other = Client(REMOTE_ADDR="10.9.8.7")
    ok = other.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert ok.status_code == 302


def test_the_token_endpoint_answers_429_when_logins_are_throttled(owner, settings):
    from rest_framework.test import APIClient

    api = APIClient()
    answers = [
        api.post("/api/auth/token/", {"username": "olivia", "password": "nope"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    # The failure that reaches the limit is already answered as a lockout.
    assert answers == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = api.post("/api/auth/token/", {"username": "olivia", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Try again in 15 minutes" in locked.json()["detail"]
    assert locked["Retry-After"] == "900"


def test_pages_need_a_login(db, client):
    response = client.get(reverse("review_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_review_page_shows_status_signoffs_and_history(review, owner, reviewer, client_as):
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    services.signoff_create(
        actor=reviewer, review=review, decision=Decision.APPROVE, comment="LGTM"
    )
    page = client_as(owner).get(reverse("review_detail", args=[review.pk])).content.decode()
    assert "In review" in page
    assert "LGTM" in page
    assert "Approval waits for:" in page
    assert "Approving sign-offs still needed from owner." in page
    # The history names what happened: "olivia moved Review ‘…’", "ravi signed off …".
    assert "moved" in page and "signed off" in page and "Sign-off on review" in page


def test_signing_off_and_approving_through_the_pages(review, owner, reviewer, client):
    services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    for user in (owner, reviewer):
        client.force_login(user)
        client.post(reverse("review_sign_off", args=[review.pk]), {"decision": "approve"})
    client.force_login(owner)
    response = client.post(
        reverse("review_transition", args=[review.pk]), {"to": "approved"}, follow=True
    )
    assert b"The review is now approved." in response.content
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED


def test_an_illegal_move_shows_the_reason_and_changes_nothing(review, owner, client_as):
    response = client_as(owner).post(
        reverse("review_transition", args=[review.pk]), {"to": "approved"}, follow=True
    )
    assert b"cannot move from draft to approved" in response.content
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT


@pytest.mark.parametrize(
    "name", ["system_detail", "review_detail", "review_transition", "review_sign_off"]
)
def test_an_outsider_gets_404_on_every_page_of_another_organization(
    review, outsider, client_as, name
):
    target = review.system.pk if name == "system_detail" else review.pk
    client = client_as(outsider)
    assert client.get(reverse(name, args=[target])).status_code in (404, 405)
    assert client.post(reverse(name, args=[target]), {"to": "in_review"}).status_code == 404


def test_the_lists_show_only_the_current_organization(review, outsider, client_as):
    page = client_as(outsider).get(reverse("review_list")).content.decode()
    assert "Pre-launch review" not in page


def test_the_switcher_changes_organization_only_to_ones_you_belong_to(
    org, owner, other_org, client_as
):
    from tests.conftest import add_member

    client = client_as(owner)
    mine = make_system(org, owner, name="Acme model")
    assert (
        client.post(reverse("switch_organization"), {"organization": other_org.pk}).status_code
        == 404
    )
    add_member(other_org, owner, "viewer")
    client.post(reverse("switch_organization"), {"organization": other_org.pk})
    page = client.get(reverse("system_list")).content.decode()
    assert "Other Bank" in page and mine.name not in page


def test_user_text_is_escaped_in_pages(org, owner, client_as):
    make_system(org, owner, name="<script>alert(1)</script>")
    page = client_as(owner).get(reverse("system_list")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_viewer_sees_no_edit_controls_and_cannot_post(org, system, viewer, client_as):
    client = client_as(viewer)
    page = client.get(reverse("system_list")).content.decode()
    assert "Add an AI system" not in page
    assert client.post(reverse("system_list"), {"name": "x", "domain": "other"}).status_code == 403


def test_the_event_log_page_verifies_the_chain(
    org, owner, review, client_as, django_capture_on_commit_callbacks
):
    client = client_as(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("event_log"))
    page = client.get(reverse("event_log")).content.decode()
    assert "intact" in page
    assert "events checked" in page
