import time

import pytest
from playwright.sync_api import expect

from orgs.models import Role
from reviews.workshops import services as ws
from tests.browser.test_review_pages import _login
from tests.conftest import add_member, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _total_in_matrix(page) -> int:
    return page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=risk-matrix] [data-count]')]"
        ".reduce((n, el) => n + Number(el.dataset.count), 0)"
    )


def test_two_participants_add_and_rate_and_the_facilitator_sees_it_live(
    browser, live_server, artifacts, org, review, facilitator, participant
):
    second = make_user("pete")
    add_member(org, second, Role.PARTICIPANT)
    workshop = ws.workshop_create(actor=facilitator, review=review, title="Live board")
    base = live_server.url
    board_url = f"{base}/workshops/{workshop.pk}/"

    # The facilitator opens the workshop from the board.
    host_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    host = host_ctx.new_page()
    _login(host, base, "fatima")
    host.goto(board_url)
    host.get_by_role("button", name="Open workshop").click()
    expect(host.get_by_test_id("workshop-status")).to_have_text("Open")
    host.evaluate("() => { window.__sameDocument = true; }")  # lost if the page reloads

    guests = []
    for username, title, (sev, lik) in (
        ("paula", "Thin-file applicants declined", (4, 4)),
        ("pete", "Opaque adverse-action notices", (3, 5)),
    ):
        ctx = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
        page = ctx.new_page()
        _login(page, base, username)
        page.goto(board_url)
        page.get_by_role("button", name="Join this workshop").click()
        page.get_by_label("Harm", exact=True).fill(title)
        page.get_by_label("Category").select_option("opportunity-loss")
        page.get_by_role("button", name="Add harm card").click()
        card = page.get_by_test_id("harm-card").filter(has_text=title)
        card.wait_for()
        card.get_by_label(f"Severity of {title}").select_option(str(sev))
        card.get_by_label(f"Likelihood of {title}").select_option(str(lik))
        card.get_by_role("button", name="Rate").click()
        page.get_by_test_id("harm-card").filter(has_text=title).get_by_role(
            "button", name="Update rating"
        ).wait_for()
        guests.append(ctx)
    rated_at = time.monotonic()

    # Within 2 s, without a reload, the facilitator's board has both cards and the matrix.
    host.wait_for_function(
        "() => document.querySelectorAll('[data-testid=harm-card]').length === 2"
        " && [...document.querySelectorAll('[data-testid=risk-matrix] [data-count]')]"
        ".reduce((n, el) => n + Number(el.dataset.count), 0) === 2",
        timeout=2000,
    )
    seen_after = time.monotonic() - rated_at
    assert seen_after < 2.0
    assert host.evaluate("() => window.__sameDocument === true")
    assert _total_in_matrix(host) == 2
    assert host.locator('[data-cell="4-4"]').get_attribute("data-count") == "1"
    assert host.locator('[data-cell="3-5"]').get_attribute("data-count") == "1"
    cards = host.get_by_test_id("harm-card").all_inner_texts()
    assert any("Thin-file applicants declined" in c and "risk 16" in c for c in cards)
    assert any("Opaque adverse-action notices" in c and "risk 15" in c for c in cards)
    host.screenshot(path=str(artifacts / "workshop-board.png"), full_page=True)
    for ctx in guests:
        ctx.close()
    host_ctx.close()
