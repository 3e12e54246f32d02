"""Every list page and API list answers in a number of queries that does not grow with the
organization's history: the walk finds them in the URL conf (tests/perf/registry.py says
how, and how an app adds its data or its ceiling), fills the organization at two sizes, and
compares."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.urls import PUBLIC_API_ROUTES, router
from reviews.workshops import services as ws
from tests.conftest import api_as, make_org, make_review, make_system, make_user
from tests.perf import registry

registry.discover()

SMALL, LARGE = 2, 25
# Not pages of the organization's data: sign-in, the API's own documents, health, admin.
NOT_PAGES = re.compile(r"^(admin/|api/|login/|logout/|healthz|favicon)")


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # the pattern, e.g. "reviews/<id:pk>/register/"
    model: type | None  # what keys it, for a page with a pk

    def url(self, world: registry.World) -> str | None:
        if self.model is None:
            return reverse(self.name)
        # The world's own system, review or workshop first: fillers hang their rows on it.
        mine = [o for o in (world.system, world.review, world.workshop) if type(o) is self.model]
        row = (
            mine[0]
            if mine
            else self.model._default_manager.filter(organization=world.organization).first()
        )
        return reverse(self.name, kwargs={"pk": row.pk}) if row is not None else None


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _models_by_prefix() -> dict[str, type]:
    by_prefix = {
        prefix: viewset.serializer_class.Meta.model for prefix, viewset, _ in router.registry
    }
    return {**by_prefix, **registry.PAGE_MODELS}


def pages() -> list[Page]:
    models = _models_by_prefix()
    found = []
    for path, pattern in _walk(get_resolver().url_patterns):
        name = pattern.name
        if not name or NOT_PAGES.match(path) or name in registry.SKIP:
            continue
        if "<" not in path:
            found.append(Page(name, path, None))
            continue
        params = re.findall(r"<(?:(\w+):)?(\w+)>", path)
        head = path.split("<", 1)[0].rstrip("/")
        if params == [("id", "pk")] and head in models:
            found.append(Page(name, path, models[head]))
    return found


def api_lists() -> list[str]:
    names = []
    for path, pattern in _walk(get_resolver().url_patterns):
        name = pattern.name or ""
        listed = path.startswith("api/") and name.endswith("-list") and "format" not in path
        if listed and name not in PUBLIC_API_ROUTES:
            names.append(name)
    return sorted(set(names))


PAGES = pages()
API_LISTS = api_lists()


def build_world(n: int) -> registry.World:
    owner = make_user(f"owner{n}")
    org = make_org(owner, name=f"Org {n}", slug=f"org-{n}")
    system = make_system(org, owner)
    review = make_review(system, owner)
    workshop = ws.workshop_create(actor=owner, review=review, title="Workshop")
    world = registry.World(owner, org, system, review, workshop)
    for fill in registry.FILLERS:
        fill(world, n)
    return world


def _queries(call) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        status = call()
    return len(captured), status


def _measure_pages(world: registry.World) -> dict[str, tuple[int, int]]:
    client = Client()
    client.force_login(world.owner)
    out = {}
    for page in PAGES:
        url = page.url(world)
        if url is None:
            continue
        out[page.name] = _queries(lambda url=url: client.get(url).status_code)
    return out


def _measure_api(world: registry.World) -> dict[str, tuple[int, int]]:
    client = api_as(world.owner)
    return {
        name: _queries(lambda name=name: client.get(reverse(name)).status_code)
        for name in API_LISTS
    }


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Both sizes measured once, in one transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            small, large = build_world(SMALL), build_world(LARGE)
            yield {
                "pages": (_measure_pages(small), _measure_pages(large)),
                "api": (_measure_api(small), _measure_api(large)),
            }
        transaction.set_rollback(True)


def test_the_walk_finds_the_list_pages_and_api_lists():
    names = {p.name for p in PAGES}
    assert {"system_list", "review_list", "workshop_list", "audit_home", "event_log"} <= names
    assert {"harm_register", "system_trend", "review_detail", "workshop_board"} <= names
    assert {"harm-list", "audit-run-list", "workshop-list", "event-list"} <= set(API_LISTS)


@pytest.mark.parametrize("name", [p.name for p in PAGES])
def test_a_page_answers_in_the_same_queries_at_both_sizes(measured, db, name):
    small, large = (side.get(name) for side in measured["pages"])
    assert small is not None and large is not None, (
        f"{name}: nothing in the world keys this page; add a filler in a tests/**/perf_data.py"
        " (or, for a route that is not a page, a reason in registry.SKIP)"
    )
    if small[1] == 405:
        # A route that answers POST only is still walked: it must refuse GET, cheaply.
        assert large[1] == 405, (name, small, large)
        assert large[0] <= small[0] <= registry.DEFAULT_CEILING, (name, small, large)
        return
    # A page that sends the owner elsewhere (a landing page) is measured as it answers.
    assert small[1] == large[1] and small[1] in (200, 302), (name, small, large)
    ceiling = registry.CEILINGS.get(name, registry.DEFAULT_CEILING)
    assert large[0] <= small[0], (
        f"{name}: {small[0]} queries at {SMALL} rows, {large[0]} at {LARGE}"
    )
    assert large[0] <= ceiling, f"{name}: {large[0]} queries (ceiling {ceiling})"


@pytest.mark.parametrize("name", API_LISTS)
def test_an_api_list_answers_in_the_same_queries_at_both_sizes(measured, db, name):
    small, large = measured["api"][0][name], measured["api"][1][name]
    assert small[1] == large[1] == 200, (name, small, large)
    ceiling = registry.CEILINGS.get(name, registry.DEFAULT_CEILING)
    assert large[0] <= small[0], (
        f"{name}: {small[0]} queries at {SMALL} rows, {large[0]} at {LARGE}"
    )
    assert large[0] <= ceiling, f"{name}: {large[0]} queries (ceiling {ceiling})"
