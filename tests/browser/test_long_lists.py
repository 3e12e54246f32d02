"""Long lists page: the register of 60 harms shows 50, a pager reaches the rest, and the
page fits a phone without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_review_pages import _login
from tests.perf import fill

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_register_pages_sixty_harms(browser, live_server, artifacts, review, owner, width):
    fill.harms(review, 60, author=owner)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    _login(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/reviews/{review.pk}/register/")
    pager = page.get_by_test_id("pager")
    expect(pager).to_contain_text("Page 1 of 2 (60 in all)")
    assert page.locator("table.register tbody tr").count() == 50
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(artifacts / f"register-pager-{width}.png"), full_page=False)
    pager.get_by_role("link", name="Next →").click()
    page.wait_for_url("**page=2")
    assert page.locator("table.register tbody tr").count() == 10
    expect(page.get_by_test_id("pager")).to_contain_text("Page 2 of 2")
    context.close()
