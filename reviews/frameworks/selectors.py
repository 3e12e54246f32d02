"""Reads of the framework libraries and the crosswalk (shared reference data)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import CrosswalkEdge, Framework, Requirement


def frameworks() -> QuerySet[Framework]:
    return Framework.objects.order_by("name", "-version")


def latest(urn: str) -> Framework | None:
    return Framework.objects.filter(urn=urn).order_by("-version").first()


def latest_frameworks() -> list[Framework]:
    """The newest version of each framework."""
    out: dict[str, Framework] = {}
    for fw in Framework.objects.order_by("urn", "-version"):
        out.setdefault(fw.urn, fw)
    return sorted(out.values(), key=lambda f: f.name)


def upgrades_for(framework: Framework) -> list[Framework]:
    """Newer versions a checklist of ``framework`` may move to: the same URN with a higher
    version, or a framework that declares it ``replaces`` this URN."""
    same = Framework.objects.filter(urn=framework.urn, version__gt=framework.version)
    replacing = [
        f for f in Framework.objects.exclude(urn=framework.urn) if framework.urn in f.replaces
    ]
    return [*same.order_by("version"), *replacing]


def requirements_of(framework: Framework) -> QuerySet[Requirement]:
    return Requirement.objects.filter(framework=framework).order_by("order")


def edges() -> QuerySet[CrosswalkEdge]:
    return CrosswalkEdge.objects.order_by("mapping_urn", "id")


def names(urns: Iterable[str]) -> dict[str, str]:
    """URN → "Framework: ref name", from the newest version holding each URN."""
    out: dict[str, str] = {}
    rows = (
        Requirement.objects.filter(urn__in=set(urns))
        .select_related("framework")
        .order_by("urn", "-framework__version")
    )
    for q in rows:
        out.setdefault(q.urn, f"{q.framework.name.split(' —')[0]} {q.ref} {q.name}")
    return out
