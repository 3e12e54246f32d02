"""403, 404 and 500 in the app's layout with a way back; JSON under /api/; a favicon."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.template import loader
from django.test import RequestFactory
from django.urls import include, path, reverse

from config import errors


def _boom(request):
    raise RuntimeError("boom")


# A URL conf with routes that fail, around the project's own (see the `urls` marks below).
urlpatterns = [
    path("boom/", _boom),
    path("api/boom/", _boom),
    path("", include("config.urls")),
]
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"


def _has_way_back(page: str) -> bool:
    return 'href="/"' in page and "history.back()" in page and "Go back" in page


# --- 404 ----------------------------------------------------------------------------------


def test_a_missing_page_is_a_404_in_the_layout_with_the_header_and_a_way_back(client, owner, org):
    client.force_login(owner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert "<code>/no-such-page/</code>" in page
    assert f'href="{reverse("review_list")}"' in page  # the navigation of base.html
    assert _has_way_back(page)


def test_another_organizations_review_is_the_same_404_page(client, outsider, review):
    client.force_login(outsider)
    response = client.get(reverse("review_detail", args=[review.pk]))
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_an_anonymous_visitor_gets_the_404_page_without_the_navigation(client, db):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page and 'aria-label="Main"' not in page


def test_a_missing_api_route_stays_json(client, db):
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# --- 403 ----------------------------------------------------------------------------------


def test_a_refusal_shows_its_reason_on_the_403_page(client, participant, review):
    client.force_login(participant)
    response = client.post(reverse("workshop_list"), {"review": review.pk, "title": "Mine"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your role (participant) cannot create workshops" in page
    assert "<h1>You can't do that here</h1>" in page
    assert f'href="{reverse("review_list")}"' in page
    assert _has_way_back(page)


def test_a_403_without_a_reason_says_the_role_does_not_allow_it(rf, db):
    request = rf.get("/somewhere/")
    request.user = None
    response = errors.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "Your role in this organization does not allow this." in response.content.decode()


def test_a_403_under_the_api_is_json_with_the_reason(rf):
    response = errors.permission_denied(rf.get("/api/reviews/"), PermissionDenied("Not yours."))
    assert response.status_code == 403
    assert json.loads(response.content) == {"detail": "Not yours."}


# --- 500 ----------------------------------------------------------------------------------


def test_the_500_page_renders_with_no_request_and_no_database():
    # No `db` fixture: a query here would fail the test.
    page = loader.get_template("500.html").render()
    assert "Something went wrong on our side" in page
    assert '<a class="brand" href="/">Forethought</a>' in page  # base.html's layout
    assert 'aria-label="Main"' not in page
    assert _has_way_back(page)


@pytest.mark.urls("tests.test_error_pages")
def test_a_crash_answers_with_the_500_page(client, owner, org):
    client.raise_request_exception = False
    client.force_login(owner)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "boom" not in page  # no details of the error


@pytest.mark.urls("tests.test_error_pages")
def test_a_crash_under_the_api_is_json(client, owner, org):
    client.raise_request_exception = False
    client.force_login(owner)
    response = client.get("/api/boom/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error."}


def test_when_even_the_500_page_fails_a_bare_page_answers(monkeypatch):
    def broken(name):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(RequestFactory().get("/reviews/"))
    assert response.status_code == 500
    assert response.content.decode() == errors.BARE_500


# --- Favicon ------------------------------------------------------------------------------


def test_favicon_ico_redirects_to_the_svg_that_exists(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg") is not None


def test_every_page_links_the_favicon(client, db):
    page = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
