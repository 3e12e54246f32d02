"""Writes validated libraries (``library.read_all``) to the database. Used by the
``load_frameworks`` command and by a data migration, so it takes the models from an app
registry (``django.apps.apps`` or a migration's historical ``apps``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .library import FrameworkSpec, Libraries


def _store_framework(spec: FrameworkSpec, Framework: Any, Requirement: Any) -> int:
    framework, _ = Framework.objects.update_or_create(
        urn=spec.urn,
        version=spec.version,
        defaults={
            "name": spec.name,
            "provider": spec.provider,
            "published": spec.published,
            "licence": spec.licence,
            "description": spec.description,
            "replaces": list(spec.replaces),
            "file": spec.file,
        },
    )
    rows: dict[str, Any] = {}
    for order, q in enumerate(spec.requirements):
        parent = rows.get(q.parent) if q.parent else None
        row, _ = Requirement.objects.update_or_create(
            framework=framework,
            urn=q.urn,
            defaults={
                "local_id": q.id,
                "parent": parent,
                "ref": q.ref,
                "name": q.name,
                "text": q.text,
                "evidence": q.evidence,
                "question": q.question,
                "assessable": q.assessable,
                "computed": q.computed,
                "freshness_days": q.freshness_days,
                "renamed_from": list(q.renamed_from),
                "order": order,
                "depth": parent.depth + 1 if parent is not None else 0,
            },
        )
        rows[q.id] = row
    # A requirement dropped from a version's file without a new version: keep it if a
    # checklist uses it (the PROTECT would refuse), else let it go.
    stale = Requirement.objects.filter(framework=framework).exclude(
        urn__in=[q.urn for q in spec.requirements]
    )
    for row in stale.order_by("-depth"):
        if not row.children.exists() and not _used(row):
            row.delete()
    return len(spec.requirements)


def _used(row: Any) -> bool:
    related = [
        rel
        for rel in row._meta.related_objects
        if rel.related_model._meta.app_label != "frameworks"
    ]
    return any(
        rel.related_model._default_manager.filter(**{rel.field.name: row}).exists()
        for rel in related
    )


@transaction.atomic
def store(libraries: Libraries, apps: Any) -> tuple[int, int, int]:
    """(frameworks, requirements, edges) written; mappings are replaced whole."""
    Framework = apps.get_model("frameworks", "Framework")
    Requirement = apps.get_model("frameworks", "Requirement")
    CrosswalkEdge = apps.get_model("frameworks", "CrosswalkEdge")
    requirements = sum(
        _store_framework(spec, Framework, Requirement) for spec in libraries.frameworks
    )
    CrosswalkEdge.objects.all().delete()
    edges = [
        CrosswalkEdge(
            mapping_urn=m.urn,
            mapping_name=m.name,
            source_framework=m.source,
            source=e.source,
            target_framework=m.target,
            target=e.target,
            relationship=e.relationship,
            rationale=e.rationale,
            strength=e.strength,
            justification=e.justification,
        )
        for m in libraries.mappings
        for e in m.edges
    ]
    CrosswalkEdge.objects.bulk_create(edges)
    return len(libraries.frameworks), requirements, len(edges)
