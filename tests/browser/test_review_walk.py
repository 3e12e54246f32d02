"""A review carried from draft to approved in the browser, as a team would: add and edit
harms, rate, mitigate one, accept the risk of another, see the blocking launch gate refuse
approval, accept it, sign off, approve, see the review frozen, reopen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from audits import services as audits
from audits.models import GateVerdict, Verdict
from reviews.harms.models import Harm
from reviews.models import ReviewStatus, RiskAcceptance
from tests.conftest import PASSWORD, run_small_audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base: str, username: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    _press(page, page.get_by_role("button", name="Log in"))
    page.wait_for_load_state()
    return context, page


def _press(page, control) -> None:
    """Click a link or submit button and wait for the page it leads to."""
    with page.expect_navigation():
        control.click()


def _flash_says(page, text: str) -> None:
    # expect() retries until the new page has loaded; reading the text at once could read
    # the page the click is leaving.
    expect(page.locator(".messages")).to_contain_text(text)


def test_a_team_carries_a_review_from_draft_to_approved_and_reopens_it(
    browser, live_server, artifacts, owner, reviewer, review
):
    # The audit team has set a gate that blocks launch, and the latest audit fails it.
    gate = audits.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        comparator=">=",
        threshold=0.99,
        action="block_launch",
    )
    run = run_small_audit(owner, review)
    assert GateVerdict.objects.get(run=run, gate=gate).verdict == Verdict.FAIL
    base = live_server.url
    review_url = f"{base}/reviews/{review.pk}/"
    context, page = _login(browser, base, "olivia")

    # Add two harms in the register, edit one.
    page.goto(review_url)
    _press(page, page.get_by_role("link", name="Harm register"))
    for title in ("Thin files declined", "Postcode proxy"):
        form = page.locator("#add-harm")
        form.evaluate("details => { details.open = true; }")
        form.get_by_label("Title").fill(title)
        form.get_by_label("Category").select_option("opportunity-loss")
        _press(page, form.get_by_role("button", name="Add harm"))
        _flash_says(page, "Harm added.")
    thin = Harm.objects.get(title="Thin files declined")
    postcode = Harm.objects.get(title="Postcode proxy")
    _press(page, page.locator(f"#harm-{thin.pk}").get_by_role("link", name="Edit"))
    page.get_by_label("Title").fill("Thin credit files declined")
    _press(page, page.get_by_role("button", name="Save changes"))
    _flash_says(page, "Saved")
    thin.refresh_from_db()
    assert thin.title == "Thin credit files declined"

    # Rate both high; mitigate the first.
    for harm in (thin, postcode):
        row = page.locator(f"#harm-{harm.pk}")
        row.locator("details.rate summary").click()
        row.get_by_label("Severity").select_option("5")
        row.get_by_label("Likelihood").select_option("4")
        _press(page, row.get_by_role("button", name="Save rating"))
        _flash_says(page, "rating")
    row = page.locator(f"#harm-{thin.pk}")
    row.locator("summary", has_text="Add mitigation").click()
    row.get_by_label("Action").fill("Use rent and utility history")
    row.get_by_label("Owner").select_option(label="olivia")
    _press(page, row.get_by_role("button", name="Add mitigation"))
    _flash_says(page, "Mitigation added.")

    # The readiness panel names the unmitigated harm and the failing gate; accept the harm.
    page.goto(review_url)
    panel = page.get_by_test_id("readiness")
    expect(panel).to_contain_text("Postcode proxy")
    expect(panel).to_contain_text("blocks launch")
    blocker = panel.locator("li.blocker-harm")
    blocker.get_by_text("Accept this risk").click()
    blocker.get_by_label("Justification").fill("Postcode is removed in v3.1, due in May.")
    _press(page, blocker.get_by_role("button", name="Record the acceptance"))
    _flash_says(page, "is accepted until")

    # Send for sign-off; both sign.
    _press(page, page.get_by_role("button", name="Send for sign-off"))
    expect(page.get_by_test_id("review-status")).to_have_text("In review")
    page.get_by_label("Approve").check()
    _press(page, page.get_by_role("button", name="Record sign-off"))
    ravi_context, ravi = _login(browser, base, "ravi", width=390)
    ravi.goto(review_url)
    ravi.get_by_label("Approve").check()
    _press(ravi, ravi.get_by_role("button", name="Record sign-off"))
    _flash_says(ravi, "Your sign-off is recorded.")
    ravi_context.close()

    # Approval is refused while the gate fails, and the page says which gate.
    page.goto(review_url)
    _press(page, page.get_by_role("button", name="Approve", exact=True))
    _flash_says(page, "Cannot approve: Launch gate")
    expect(page.get_by_test_id("review-status")).to_have_text("In review")
    page.screenshot(path=str(artifacts / "review-walk-gate-blocks.png"), full_page=True)

    # Accept the gate's risk, then approve.
    blocker = page.get_by_test_id("readiness").locator("li.blocker-gate")
    blocker.get_by_text("Accept this risk").click()
    blocker.get_by_label("Justification").fill("Branch pilot; a person decides every decline.")
    blocker.get_by_label("Conditions (optional)").fill("Re-audit monthly.")
    _press(page, blocker.get_by_role("button", name="Record the acceptance"))
    expect(page.get_by_test_id("readiness")).to_contain_text("Nothing blocks approval")
    _press(page, page.get_by_role("button", name="Approve", exact=True))
    expect(page.get_by_test_id("review-status")).to_have_text("Approved")
    expect(page.get_by_test_id("frozen")).to_contain_text("frozen")
    page.screenshot(path=str(artifacts / "review-walk-approved.png"), full_page=True)

    # Frozen: the register offers no edits; a direct edit page sends you back with why.
    _press(page, page.get_by_role("link", name="Harm register"))
    expect(page.get_by_text("the register is read-only")).to_be_visible()
    assert page.locator("#add-harm").count() == 0
    page.goto(f"{base}/harms/{thin.pk}/edit/")
    _flash_says(page, "so it is frozen")

    # Reopen: a new sign-off round.
    page.goto(review_url)
    _press(page, page.get_by_role("button", name="Reopen (starts a new sign-off round)"))
    expect(page.get_by_test_id("review-status")).to_have_text("In review")
    review.refresh_from_db()
    assert (review.status, review.round) == (ReviewStatus.IN_REVIEW, 2)
    assert RiskAcceptance.objects.filter(review=review).count() == 2
    context.close()
