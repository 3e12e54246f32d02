"""The event log at phone width: no sideways scrolling, a diff that unfolds. Screenshots
go to test-artifacts/ to be looked at."""

import pytest
from playwright.sync_api import expect

from reviews import services
from reviews.harms import services as harms
from reviews.harms.models import HarmCategory
from reviews.models import Decision, ReviewStatus
from tests.browser.test_review_pages import _login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_the_event_log_fits_a_phone_and_unfolds_what_changed(
    browser, live_server, artifacts, owner, reviewer, review
):
    category = HarmCategory.objects.first()
    harm = harms.harm_create(
        actor=owner,
        review=review,
        title="Thin-file applicants declined without a path to appeal or a human look",
        description="A long unbroken value: " + "x" * 200,
        category=category,
    )
    harms.harm_update(actor=owner, harm=harm, title="Thin-file applicants declined")
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    services.signoff_create(actor=reviewer, review=review, decision=Decision.APPROVE)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _login(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/events/")
    assert page.evaluate(NO_SIDEWAYS)
    page.get_by_text("What changed (1)").first.click()
    page.get_by_text("Details (").first.click()
    assert page.evaluate(NO_SIDEWAYS)
    page.screenshot(path=str(artifacts / "event-log-390.png"), full_page=True)
    page.get_by_role("button", name="Verify the chain now").click()
    expect(page.get_by_text("Verified: intact")).to_be_visible()
    page.goto(f"{live_server.url}/reviews/{review.pk}/")
    assert page.evaluate(NO_SIDEWAYS)
    page.get_by_role("link", name="Full history").click()
    expect(page.get_by_text("Sign-off on review ‘Pre-launch review’")).to_be_visible()
    page.screenshot(path=str(artifacts / "event-log-review-history-390.png"), full_page=True)
    context.close()
