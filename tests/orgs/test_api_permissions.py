"""Walks every /api/ route found in the URL conf (not a hand-kept list) and proves:
anonymous users are refused, an outsider sees 404 on another organization's objects and
none of its rows in lists, and a viewer cannot write anything."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from config.urls import PUBLIC_API_ROUTES, SELF_SERVICE_API_ROUTES, SHARED_API_ROUTES
from orgs.models import Organization
from tests.conftest import api_as

WRITE_METHODS = {"post", "put", "patch", "delete"}


@dataclass
class Route:
    name: str
    regex: str
    viewset: type | None
    actions: dict[str, str]

    @property
    def is_detail(self) -> bool:
        return "(?P<" in self.regex

    def url(self, key=None) -> str:
        path = self.regex.replace("^", "").replace("$", "")
        if key is not None:
            path = re.sub(r"\(\?P<\w+>[^)]*\)", str(key), path)
        return "/" + path.replace("\\", "")

    def methods(self) -> set[str]:
        if self.actions:
            allowed = set(getattr(self.viewset, "http_method_names", self.actions))
            return set(self.actions) & allowed
        return {"get"}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def api_routes() -> list[Route]:
    routes = []
    for regex, pattern in _walk(get_resolver().url_patterns):
        if not regex.startswith("api/") and not regex.startswith("^api/"):
            continue
        if "format" in regex:  # DRF's .json/.api suffix twins of the same views
            continue
        callback = pattern.callback
        routes.append(
            Route(
                name=pattern.name or regex,
                regex="^" + regex.lstrip("^"),
                viewset=getattr(callback, "cls", None),
                actions=dict(getattr(callback, "actions", None) or {}),
            )
        )
    return routes


ROUTES = api_routes()
PROTECTED = [r for r in ROUTES if r.name not in PUBLIC_API_ROUTES]
ORG_ROUTES = [r for r in PROTECTED if r.name not in SHARED_API_ROUTES | SELF_SERVICE_API_ROUTES]


def test_the_walk_finds_every_registered_viewset():
    names = {r.name for r in ROUTES}
    for basename in [
        "organization",
        "membership",
        "system",
        "review",
        "signoff",
        "event",
        "event-verification",
        "member-invitation",
        "harm",
        "workshop",
        "audit-run",
        "launch-gate",
    ]:
        assert f"{basename}-list" in names and f"{basename}-detail" in names
    assert "review-transition" in names
    assert names >= PUBLIC_API_ROUTES


def _model(route: Route):
    serializer = route.viewset.serializer_class
    return serializer.Meta.model


def _org_rows(model, org: Organization):
    if model is Organization:
        return Organization.objects.filter(pk=org.pk)
    # Every tenant row carries its organization directly.
    return model.objects.filter(organization=org).order_by("pk")


def _target_in(route: Route, org: Organization):
    return _org_rows(_model(route), org).first()


def _key(route: Route, target) -> object:
    lookup = getattr(route.viewset, "lookup_field", "pk")
    return getattr(target, lookup)


@pytest.mark.parametrize("route", PROTECTED, ids=lambda r: r.name)
def test_anonymous_users_are_refused_everywhere(world, route):
    client = api_as(None)
    if route.name in SHARED_API_ROUTES:
        target = _model(route).objects.first()
    else:
        target = _target_in(route, world) if route.is_detail else None
    for method in route.methods():
        response = getattr(client, method)(route.url(_key(route, target) if target else None), {})
        assert response.status_code in (401, 403), (method, route.name, response.status_code)


@pytest.mark.parametrize("route", [r for r in ORG_ROUTES if r.is_detail], ids=lambda r: r.name)
def test_an_outsider_gets_404_on_every_detail_route(world, outsider, route):
    target = _target_in(route, world)
    assert target is not None, f"the fixture has no {_model(route).__name__}"
    client = api_as(outsider)
    for method in route.methods():
        response = getattr(client, method)(route.url(_key(route, target)), {"to": "approved"})
        assert response.status_code == 404, (method, route.name, response.status_code)


@pytest.mark.parametrize(
    "route",
    [r for r in ORG_ROUTES if not r.is_detail and "get" in r.actions],
    ids=lambda r: r.name,
)
def test_an_outsider_sees_no_foreign_rows_in_lists(world, outsider, route):
    own_ids = set(_org_rows(_model(route), world).values_list("pk", flat=True))
    assert own_ids, f"the fixture has no {_model(route).__name__}"
    response = api_as(outsider).get(route.url())
    assert response.status_code == 200
    seen = {row["id"] for row in response.json()["results"]}
    assert not seen & own_ids, route.name


@pytest.mark.parametrize("route", ORG_ROUTES, ids=lambda r: r.name)
def test_a_viewer_cannot_write_anything(world, viewer, route):
    target = _target_in(route, world) if route.is_detail else None
    client = api_as(viewer)
    writes = route.methods() & WRITE_METHODS
    for method in writes:
        response = getattr(client, method)(route.url(_key(route, target) if target else None), {})
        assert response.status_code == 403, (method, route.name, response.status_code)
