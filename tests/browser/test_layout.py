"""The demo at phone width (390 px): no page scrolls sideways (long hashes, tokens and URLs
wrap; wide tables scroll inside themselves), a guest lands on their workshop, and the 404
page is drawn in the app's layout."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from audits.models import AuditRun
from orgs.demo import DEMO_PASSWORD
from reviews.modelcards.models import ModelCardVersion
from reviews.models import Review
from reviews.workshops.models import Workshop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def _main_pages() -> list[str]:
    """Every list page, and every page of each system, review, workshop and audit run."""
    pages = [
        reverse("system_list"),
        reverse("review_list"),
        reverse("workshop_list"),
        reverse("audit_home"),
        reverse("event_log"),
        reverse("notices"),
        reverse("members"),
        reverse("dossier_verify"),
    ]
    for review in Review.objects.order_by("pk"):
        pages += [
            reverse("system_detail", args=[review.system_id]),
            reverse("system_trend", args=[review.system_id]),
            reverse("review_detail", args=[review.pk]),
            reverse("harm_register", args=[review.pk]),
            reverse("launch_gates", args=[review.pk]),
            reverse("review_dossiers", args=[review.pk]),
        ]
    pages += [reverse("workshop_board", args=[w.pk]) for w in Workshop.objects.order_by("pk")]
    for version in ModelCardVersion.objects.order_by("pk"):
        pages += [
            reverse("modelcard", args=[version.card.system_id]),
            reverse("modelcard_version", args=[version.pk]),
            reverse("modelcard_diff", args=[version.card.system_id]),
        ]
        if not version.is_published:
            pages.append(reverse("modelcard_edit", args=[version.pk]))
    for run in AuditRun.objects.order_by("pk"):
        pages += [
            reverse("audit_run_detail", args=[run.pk]),
            reverse("audit_configure", args=[run.dataset_id]),
        ]
    from reviews.feedback.models import FeedbackChannel, Submission

    pages.append(reverse("feedback_org_queue"))
    for channel in FeedbackChannel.objects.order_by("pk"):
        pages += [
            reverse("feedback_review_queue", args=[channel.review_id]),
            reverse("feedback_channel_detail", args=[channel.pk]),
            reverse("feedback_channel", args=[channel.token]),
            reverse("feedback_summary", args=[channel.token]),
        ]
    pages += [reverse("feedback_submission", args=[s.pk]) for s in Submission.objects.all()[:3]]
    return list(dict.fromkeys(pages))


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _scroll_width(page) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


def test_no_page_of_the_demo_scrolls_sideways_at_phone_width(browser, live_server, artifacts, demo):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _login(page, live_server.url, "demo")
    too_wide = {}
    for path in _main_pages():
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        width = _scroll_width(page)
        if width > PHONE["width"]:
            too_wide[path] = width
            name = path.strip("/").replace("/", "_")
            page.screenshot(path=str(artifacts / f"too-wide-{name}.png"), full_page=True)
    context.close()
    assert too_wide == {}


def test_a_guest_lands_on_their_workshop_and_it_fits_the_phone(browser, live_server, demo):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _login(page, live_server.url, "amara")
    workshop = Workshop.objects.get(participants__user__username="amara")  # her only seat
    assert page.url == live_server.url + reverse("workshop_board", args=[workshop.pk])
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link").all_inner_texts() == ["My workshops"]
    assert _scroll_width(page) <= PHONE["width"]
    context.close()


def test_the_404_page_is_drawn_in_the_layout_with_a_way_back(browser, live_server, artifacts, demo):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _login(page, live_server.url, "demo")
    response = page.goto(live_server.url + "/reviews/999999/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").count()
    assert _scroll_width(page) <= PHONE["width"]
    page.screenshot(path=str(artifacts / "404-phone.png"), full_page=True)
    page.get_by_role("link", name="Go to the start page").click()
    page.wait_for_url(live_server.url + reverse("system_list"))
    context.close()
