"""The dossier pages in a browser, at desktop and phone width: export a dossier, download
it, check it on the public verification page; screenshots in test-artifacts/."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from audits.dossiers.models import Dossier
from orgs.demo import DEMO_PASSWORD
from reviews.models import Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _login(page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_export_download_and_verify_at_desktop_and_phone_width(
    browser, live_server, artifacts, tmp_path
):
    call_command("seed_demo", stdout=io.StringIO())  # exports dossier 1 on commit
    review = Review.objects.get(dossiers__number=1)
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        page = context.new_page()
        _login(page, live_server.url)
        page.goto(f"{live_server.url}/reviews/{review.pk}/dossiers/")
        assert page.get_by_test_id("dossier-row").count() >= 1
        if size == "desktop":
            page.get_by_test_id("export").click()
            page.wait_for_load_state()
            page.get_by_text("is being exported").wait_for()
        page.get_by_test_id("dossier-status").first.wait_for()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(artifacts / f"dossiers-{size}.png"), full_page=True)
        with page.expect_download() as download:
            page.get_by_test_id("download").first.click()
        path = tmp_path / f"{size}.pdf"
        download.value.save_as(path)
        assert path.read_bytes().startswith(b"%PDF-")
        # The public page, as anyone: no login needed.
        anonymous = browser.new_context(viewport=viewport)
        verify = anonymous.new_page()
        verify.goto(f"{live_server.url}/verify/")
        verify.set_input_files("input[type=file]", str(path))
        verify.get_by_role("button", name="Verify").click()
        expect(verify.get_by_test_id("verdict")).to_contain_text("Valid: intact")
        expect(verify.get_by_test_id("record")).to_contain_text("as exported")
        width = verify.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"]
        verify.screenshot(path=str(artifacts / f"verify-{size}.png"), full_page=True)
        anonymous.close()
        context.close()
    assert Dossier.objects.filter(review=review, status="ready").count() == 2
