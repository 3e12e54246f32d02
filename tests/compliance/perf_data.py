"""Compliance's part of the query-ceiling walk: a GDPR checklist attached to the world's
review (through the service, which makes one assessment per requirement), ``n`` evidence
links spread over its assessments, and ``n`` controls with evidence."""

from __future__ import annotations

from reviews.compliance import services
from reviews.compliance.evidence import URL
from reviews.compliance.models import Assessment, Checklist, Evidence
from reviews.controls.models import Control, ControlEvidence
from reviews.frameworks.models import Framework
from tests.perf.registry import PAGE_MODELS, World, filler

PAGE_MODELS.update(
    {
        "compliance/assessments": Assessment,
        "compliance/checklists": Checklist,
        "compliance/evidence": Evidence,
        "compliance/controls": Control,
    }
)


@filler
def compliance(world: World, n: int) -> None:
    framework = Framework.objects.filter(urn="urn:forethought:framework:gdpr").latest("version")
    checklist = services.checklist_attach(
        actor=world.owner, review=world.review, framework=framework
    )
    assessments = list(checklist.assessments.order_by("pk"))
    Evidence.objects.bulk_create(
        Evidence(
            organization=world.organization,
            assessment=assessments[i % len(assessments)],
            kind=URL,
            label=f"Policy {i}",
            url=f"https://example.org/policy/{i}",
            added_by=world.owner,
        )
        for i in range(n)
    )
    controls = Control.objects.bulk_create(
        Control(
            organization=world.organization,
            name=f"Control {i}",
            owner=world.owner,
            requirements=[a.requirement.urn for a in assessments[:2]],
        )
        for i in range(n)
    )
    ControlEvidence.objects.bulk_create(
        ControlEvidence(
            organization=world.organization,
            control=c,
            label=f"Runbook {c.name}",
            url="https://example.org/runbook",
            added_by=world.owner,
        )
        for c in controls
    )
