"""A review carried from draft to approved in the browser, as a team would: add and edit
harms, rate, mitigate one, accept the risk of another, see the blocking launch gate refuse
approval, accept it, sign off, approve, see the review frozen, reopen."""

from __future__ import annotations

import pytest

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
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return context, page


def _flash(page) -> str:
    return page.locator(".messages").inner_text()


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
    page.get_by_role("link", name="Harm register").click()
    for title in ("Thin files declined", "Postcode proxy"):
        form = page.locator("#add-harm")
        form.evaluate("details => { details.open = true; }")
        form.get_by_label("Title").fill(title)
        form.get_by_label("Category").select_option("opportunity-loss")
        form.get_by_role("button", name="Add harm").click()
        assert "Harm added." in _flash(page)
    thin = Harm.objects.get(title="Thin files declined")
    postcode = Harm.objects.get(title="Postcode proxy")
    page.locator(f"#harm-{thin.pk}").get_by_role("link", name="Edit").click()
    page.get_by_label("Title").fill("Thin credit files declined")
    page.get_by_role("button", name="Save changes").click()
    assert "Saved" in _flash(page)
    thin.refresh_from_db()
    assert thin.title == "Thin credit files declined"

    # Rate both high; mitigate the first.
    for harm in (thin, postcode):
        row = page.locator(f"#harm-{harm.pk}")
        row.locator("details.rate summary").click()
        row.get_by_label("Severity").select_option("5")
        row.get_by_label("Likelihood").select_option("4")
        row.get_by_role("button", name="Save rating").click()
        assert "rating" in _flash(page)
    row = page.locator(f"#harm-{thin.pk}")
    row.locator("summary", has_text="Add mitigation").click()
    row.get_by_label("Action").fill("Use rent and utility history")
    row.get_by_label("Owner").select_option(label="olivia")
    row.get_by_role("button", name="Add mitigation").click()
    assert "Mitigation added." in _flash(page)

    # The readiness panel names the unmitigated harm and the failing gate; accept the harm.
    page.goto(review_url)
    panel = page.get_by_test_id("readiness")
    assert "Postcode proxy" in panel.inner_text() and "blocks launch" in panel.inner_text()
    blocker = panel.locator("li.blocker-harm")
    blocker.get_by_text("Accept this risk").click()
    blocker.get_by_label("Justification").fill("Postcode is removed in v3.1, due in May.")
    blocker.get_by_role("button", name="Record the acceptance").click()
    assert "is accepted until" in _flash(page)

    # Send for sign-off; both sign.
    page.get_by_role("button", name="Send for sign-off").click()
    assert page.get_by_test_id("review-status").inner_text() == "In review"
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Record sign-off").click()
    ravi_context, ravi = _login(browser, base, "ravi", width=390)
    ravi.goto(review_url)
    ravi.get_by_label("Approve").check()
    ravi.get_by_role("button", name="Record sign-off").click()
    assert "Your sign-off is recorded." in _flash(ravi)
    ravi_context.close()

    # Approval is refused while the gate fails, and the page says which gate.
    page.goto(review_url)
    page.get_by_role("button", name="Approve", exact=True).click()
    assert "Cannot approve: Launch gate" in _flash(page)
    assert page.get_by_test_id("review-status").inner_text() == "In review"
    page.screenshot(path=str(artifacts / "review-walk-gate-blocks.png"), full_page=True)

    # Accept the gate's risk, then approve.
    blocker = page.get_by_test_id("readiness").locator("li.blocker-gate")
    blocker.get_by_text("Accept this risk").click()
    blocker.get_by_label("Justification").fill("Branch pilot; a person decides every decline.")
    blocker.get_by_label("Conditions (optional)").fill("Re-audit monthly.")
    blocker.get_by_role("button", name="Record the acceptance").click()
    assert "Nothing blocks approval" in page.get_by_test_id("readiness").inner_text()
    page.get_by_role("button", name="Approve", exact=True).click()
    assert page.get_by_test_id("review-status").inner_text() == "Approved"
    assert "frozen" in page.get_by_test_id("frozen").inner_text()
    page.screenshot(path=str(artifacts / "review-walk-approved.png"), full_page=True)

    # Frozen: the register offers no edits; a direct edit page sends you back with why.
    page.get_by_role("link", name="Harm register").click()
    assert page.get_by_text("the register is read-only").is_visible()
    assert page.locator("#add-harm").count() == 0
    page.goto(f"{base}/harms/{thin.pk}/edit/")
    assert "so it is frozen" in _flash(page)

    # Reopen: a new sign-off round.
    page.goto(review_url)
    page.get_by_role("button", name="Reopen (starts a new sign-off round)").click()
    assert page.get_by_test_id("review-status").inner_text() == "In review"
    review.refresh_from_db()
    assert (review.status, review.round) == (ReviewStatus.IN_REVIEW, 2)
    assert RiskAcceptance.objects.filter(review=review).count() == 2
    context.close()
