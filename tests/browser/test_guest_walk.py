"""A guest's walk: they follow an invitation link, sign up, land on their workshop's board,
and click every link there; none leads to a 404 or a 403. Meanwhile the facilitator's
participant panel shows them arrive, without a reload."""

import pytest

from reviews.harms.models import HarmCategory
from reviews.workshops import services as ws
from tests.browser.test_review_pages import _login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_guest_accepts_an_invitation_lands_on_the_board_and_no_link_fails(
    browser, live_server, artifacts, review, facilitator
):
    workshop = ws.workshop_create(actor=facilitator, review=review, title="Loan harms")
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status="open")
    ws.card_add(
        actor=facilitator,
        workshop=workshop,
        title="Thin-file applicants declined",
        category=HarmCategory.objects.get(slug="opportunity-loss"),
    )
    token = ws.invitation_create(
        actor=facilitator, workshop=workshop, represents_community="Renters"
    ).token
    base = live_server.url
    board_url = f"{base}/workshops/{workshop.pk}/"

    host_context = browser.new_context(viewport={"width": 1280, "height": 900})
    host = host_context.new_page()
    _login(host, base, "fatima")
    host.goto(board_url)
    host.evaluate("() => { window.__sameDocument = true; }")  # lost if the page reloads

    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.goto(f"{base}/invite/{token}/")
    page.get_by_label("Username").fill("gina")
    page.get_by_label("Password").fill("a-long-guest-password")
    page.get_by_role("button", name="Create account and join").click()
    page.wait_for_url(board_url)
    assert page.get_by_test_id("harm-card").count() == 1
    page.screenshot(path=str(artifacts / "guest-lands-on-board.png"), full_page=True)
    host.get_by_test_id("participants").get_by_text("gina · represents Renters").wait_for(
        timeout=3000
    )
    assert host.evaluate("() => window.__sameDocument === true")
    host_context.close()

    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
    targets = sorted({h for h in hrefs if h and not h.startswith("#")})
    assert targets, "the board has links to follow"
    statuses = {}
    for href in targets:
        page.goto(board_url)
        link = page.locator(f'a[href="{href}"]').first
        with page.expect_navigation() as navigation:
            link.click()
        statuses[href] = navigation.value.status if navigation.value else None
    assert f"/reviews/{review.pk}/" not in statuses  # the guest is not offered the review
    assert {href: status for href, status in statuses.items() if status != 200} == {}
    context.close()
