import pytest
from playwright.sync_api import expect

from reviews import services
from reviews.models import ReviewStatus
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/systems/")


def test_an_owner_and_a_reviewer_sign_off_and_approve_in_the_browser(
    browser, live_server, artifacts, owner, reviewer, review
):
    services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    base = live_server.url
    for username in ("ravi", "olivia"):
        context = browser.new_context(viewport={"width": 390, "height": 844})  # phone width
        page = context.new_page()
        _login(page, base, username)
        page.get_by_role("link", name="Reviews").click()
        page.get_by_role("link", name="Pre-launch review").click()
        page.get_by_label("Approve").check()
        page.get_by_role("button", name="Record sign-off").click()
        expect(page.get_by_text("Your sign-off is recorded.")).to_be_visible()
        if username == "olivia":
            page.get_by_role("button", name="Approve", exact=True).click()
            expect(page.get_by_test_id("review-status")).to_have_text("Approved")
            page.screenshot(path=str(artifacts / "review-approved.png"), full_page=True)
        context.close()
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    assert review.signoffs.count() == 2
