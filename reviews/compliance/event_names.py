"""How the event log names checklists, assessments, evidence and controls."""

from typing import Any

from django.urls import reverse

from orgs.ledger.names import quote, register

from .models import Assessment, Checklist, Evidence


def _checklist_url(row: Any) -> str:
    return reverse("review_compliance", args=[row.review_id]) + f"#checklist-{row.pk}"


register(
    Checklist,
    "Checklist",
    name=lambda c: f"Checklist {quote(c.framework.name)}",
    url=_checklist_url,
    read="checklist.read",
)
register(
    Assessment,
    "Assessment",
    name=lambda a: f"Assessment of {quote(a.requirement.ref + ' ' + a.requirement.name)}",
    url=lambda a: reverse("assessment_edit", args=[a.pk]),
    read="assessment.read",
)
register(Evidence, "Evidence", field="label", read="evidence.read")
