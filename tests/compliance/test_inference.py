"""Crosswalk inference: full coverage only over equal/containing edges, partial over
subset (in the wrong direction) and intersect, never "met" once a path went partial; the
path and the control are shown, and a person confirms or overrides."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from orgs.plumbing.errors import Conflict
from reviews.compliance import selectors, services
from reviews.controls import services as controls
from reviews.frameworks.inference import FULL, PARTIAL, adjacency, infer
from reviews.frameworks.models import Framework


@dataclass
class Edge:
    source: str
    target: str
    relationship: str
    strength: int = 5
    justification: str = "why"


def run(edges: list[Edge], meets: list[str]) -> dict[str, tuple[str, list[str]]]:
    found = infer([(1, "C", meets)], adjacency(edges))
    return {urn: (i.status, [s.urn for s in i.path]) for urn, i in found.items()}


@pytest.mark.parametrize(
    ("relationship", "forward", "backward"),
    [
        ("equal", FULL, FULL),
        ("superset", FULL, PARTIAL),  # A ⊇ B: meeting A meets B; meeting B meets A in part
        ("subset", PARTIAL, FULL),
        ("intersect", PARTIAL, PARTIAL),
    ],
)
def test_it_reads_each_relationship_in_both_directions(relationship, forward, backward):
    edges = [Edge("A", "B", relationship)]
    assert run(edges, ["A"])["B"] == (forward, ["B"])
    assert run(edges, ["B"])["A"] == (backward, ["A"])


def test_it_never_gives_met_over_a_path_that_went_partial():
    edges = [Edge("A", "B", "intersect"), Edge("B", "C", "equal")]
    assert run(edges, ["A"])["C"] == (PARTIAL, ["B", "C"])


def test_it_prefers_a_full_path_to_a_shorter_partial_one():
    edges = [Edge("A", "D", "intersect"), Edge("A", "B", "equal"), Edge("B", "D", "superset")]
    assert run(edges, ["A"])["D"] == (FULL, ["B", "D"])


def test_a_requirement_the_control_names_is_met_without_a_path():
    assert run([], ["A"]) == {"A": (FULL, [])}


GDPR_HUMAN = "urn:forethought:req:gdpr:art22-3-human"
AI_ACT_14 = "urn:forethought:req:eu-ai-act:art14"
NIST_MS211 = "urn:forethought:req:nist-ai-rmf:measure-2.11"
CREDIT_TESTING = "urn:forethought:req:us-credit:fair-lending-testing"


def checklist(owner, review, slug):
    framework = Framework.objects.filter(urn=f"urn:forethought:framework:{slug}").latest("version")
    return services.checklist_attach(actor=owner, review=review, framework=framework)


def item(items, urn):
    return next(i for i in items if i.assessment.requirement.urn == urn)


def test_a_control_fills_items_through_the_shipped_crosswalk_with_path_and_source(
    owner, org, review
):
    ai_act = checklist(owner, review, "eu-ai-act")
    credit = checklist(owner, review, "us-credit")
    controls.control_create(
        actor=owner, organization=org, name="Fairness audit", status="implemented",
        requirements=[NIST_MS211],
    )  # fmt: skip
    controls.control_create(
        actor=owner, organization=org, name="Human review", status="implemented",
        requirements=[GDPR_HUMAN],
    )  # fmt: skip
    # NIST MEASURE 2.11 = AI Act Art. 10 bias examination ⊇ fair-lending testing: met.
    testing = item(selectors.items_of(credit), CREDIT_TESTING)
    assert testing.status == "met_inferred"
    assert testing.label == "Met (inferred)"
    assert testing.inference.control_name == "Fairness audit"
    assert [s.urn for s in testing.inference.path] == [
        "urn:forethought:req:eu-ai-act:art10-bias",
        CREDIT_TESTING,
    ]
    assert (
        "Fairness audit" in testing.inference_text
        and "equal (strength 7)" in testing.inference_text
    )
    # GDPR 22(3) intersects AI Act Art. 14: only partially met.
    oversight = item(selectors.items_of(ai_act), AI_ACT_14)
    assert oversight.status == "partially_met_inferred"
    assert oversight.label == "Partially met (inferred)"


def test_a_planned_control_infers_nothing(owner, org, review):
    credit = checklist(owner, review, "us-credit")
    controls.control_create(actor=owner, organization=org, name="Later", requirements=[NIST_MS211])
    assert item(selectors.items_of(credit), CREDIT_TESTING).status == "not_started"


def test_confirming_a_partial_inference_records_partially_met_never_met(owner, org, review):
    ai_act = checklist(owner, review, "eu-ai-act")
    controls.control_create(
        actor=owner, organization=org, name="Human review", status="implemented",
        requirements=[GDPR_HUMAN],
    )  # fmt: skip
    a = ai_act.assessments.get(requirement__urn=AI_ACT_14)
    services.assessment_confirm_inference(actor=owner, assessment=a)
    a.refresh_from_db()
    assert (a.status, a.basis) == ("partially_met", "confirmed")
    assert "Human review" in a.inference_note and "intersect (strength 6)" in a.inference_note
    # A person overrides it: their status wins, the inference stays visible.
    services.assessment_update(actor=owner, assessment=a, status="not_met")
    shown = item(selectors.items_of(ai_act), AI_ACT_14)
    assert shown.status == "not_met" and shown.inference is not None


def test_confirming_without_an_inference_is_refused(owner, review):
    ai_act = checklist(owner, review, "eu-ai-act")
    with pytest.raises(Conflict):
        services.assessment_confirm_inference(actor=owner, assessment=ai_act.assessments.first())
