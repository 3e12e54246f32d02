"""The model card editor in a real browser: the preview follows the typing, rendered and
sanitised by the server; publishing freezes the draft."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from orgs.demo import DEMO_PASSWORD
from reviews.modelcards.models import ModelCardVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_preview_follows_the_typing_and_publishing_freezes(browser, live_server, artifacts):
    call_command("seed_demo", stdout=io.StringIO())
    draft = ModelCardVersion.objects.get(status="draft")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("modelcard_edit", args=[draft.pk]))
    typed = "**Region** and <script>window.hacked=1</script>age"
    page.get_by_role("textbox", name="Factors").fill(typed)
    preview = page.locator("#preview-factors")
    preview.locator("strong", has_text="Region").wait_for()
    assert preview.locator("script").count() == 0
    assert page.evaluate("() => window.hacked") is None
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(live_server.url + reverse("modelcard_version", args=[draft.pk]))
    page.get_by_role("button", name=f"Publish v{draft.number}").click()
    page.wait_for_load_state()
    expect(page.get_by_text("is published and can no longer change")).to_be_visible()
    page.screenshot(path=str(artifacts / "modelcard-published.png"), full_page=False)
    draft.refresh_from_db()
    assert draft.status == "published" and "**Region**" in draft.sections["factors"]
