"""Checklists in a review: attaching, assessing ("not applicable" needs a reason),
evidence and machine evidence with freshness, sign-off, upgrades that keep the work,
the readiness rule and the statement of applicability."""

from __future__ import annotations

import csv
import datetime
import io
import json
import textwrap

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits.models import AuditRun, Dataset, RunStatus
from orgs.plumbing.errors import Conflict, ServiceError
from reviews import readiness
from reviews import services as review_services
from reviews.compliance import evidence as kinds
from reviews.compliance import selectors, services
from reviews.frameworks.library import read_all
from reviews.frameworks.models import Framework
from reviews.frameworks.store import store
from reviews.harms import services as harms
from reviews.harms.models import HarmCategory
from tests.conftest import make_review

V1 = """\
urn: urn:forethought:framework:upgrade-test
version: {version}
name: Upgrade test
provider: Tests
published: 2026-01-01
licence: CC0
requirements:
"""


def framework(tmp_path, version: int, items: str) -> Framework:
    (tmp_path / f"v{version}.yaml").write_text(
        V1.format(version=version) + textwrap.dedent(items), encoding="utf-8"
    )
    store(read_all(tmp_path), apps)
    return Framework.objects.get(urn="urn:forethought:framework:upgrade-test", version=version)


def attach(owner, review, slug="nyc-ll144"):
    fw = Framework.objects.filter(urn=f"urn:forethought:framework:{slug}").latest("version")
    return services.checklist_attach(actor=owner, review=review, framework=fw)


def test_attaching_creates_one_assessment_per_assessable_requirement(owner, review):
    checklist = attach(owner, review)
    assessable = checklist.framework.requirements.filter(assessable=True).count()
    assert checklist.assessments.count() == assessable == 10
    with pytest.raises(Conflict):
        attach(owner, review)


def test_not_applicable_without_a_justification_is_refused(owner, review):
    a = attach(owner, review).assessments.first()
    with pytest.raises(ServiceError) as info:
        services.assessment_update(actor=owner, assessment=a, applicable=False)
    assert info.value.field == "justification"
    with pytest.raises(ServiceError):
        services.assessment_update(actor=owner, assessment=a, applicable=False, justification=" ")
    services.assessment_update(
        actor=owner, assessment=a, applicable=False, justification="No NYC candidates."
    )
    a.refresh_from_db()
    assert a.applicable is False


def test_the_api_refuses_not_applicable_without_a_justification_naming_the_field(owner, review):
    from tests.conftest import api_as

    a = attach(owner, review).assessments.first()
    response = api_as(owner).patch(
        f"/api/assessments/{a.pk}/", {"applicable": False}, format="json"
    )
    assert response.status_code == 400
    assert "justification" in response.json()


def test_an_upgrade_keeps_answers_of_renamed_items_and_archives_removed_ones(
    tmp_path, owner, review
):
    v1 = framework(
        tmp_path,
        1,
        """\
        - {id: keep, ref: §1, name: Kept, text: Same.}
        - {id: old, ref: §2, name: Old name, text: Will be renamed.}
        - {id: gone, ref: §3, name: Gone, text: Will be removed.}
        """,
    )
    checklist = services.checklist_attach(actor=owner, review=review, framework=v1)
    by_id = {a.requirement.local_id: a for a in checklist.assessments.all()}
    services.assessment_update(actor=owner, assessment=by_id["old"], status="met", note="Done")
    services.evidence_add(
        actor=owner, assessment=by_id["old"], kind="url", url="https://example.org/proof"
    )
    services.assessment_update(actor=owner, assessment=by_id["gone"], status="partially_met")
    services.evidence_add(
        actor=owner, assessment=by_id["gone"], kind="url", url="https://example.org/gone"
    )
    v2 = framework(
        tmp_path,
        2,
        """\
        - {id: keep, ref: §1, name: Kept, text: Same but reworded.}
        - {id: new-name, renamed_from: old, ref: §2, name: New name, text: Renamed.}
        - {id: added, ref: §4, name: Added, text: New.}
        """,
    )
    plan = services.upgrade_plan(checklist, v2)
    assert [q.local_id for q in plan["added"]] == ["added"]
    assert [q.local_id for q in plan["changed"]] == ["keep"]
    assert [q.local_id for q in plan["removed"]] == ["gone"]
    assert [(o.local_id, n.local_id) for o, n in plan["renamed"]] == [("old", "new-name")]

    counts = services.checklist_upgrade(actor=owner, checklist=checklist, to=v2)
    assert counts == {"added": 1, "changed": 1, "removed": 1, "renamed": 1}
    checklist.refresh_from_db()
    assert checklist.framework == v2
    renamed = checklist.assessments.get(requirement__framework=v2, requirement__local_id="new-name")
    assert (renamed.pk, renamed.status, renamed.note) == (by_id["old"].pk, "met", "Done")
    assert [e.url for e in renamed.evidence.all()] == ["https://example.org/proof"]
    archived = checklist.assessments.get(pk=by_id["gone"].pk)
    assert archived.archived_at is not None and archived.status == "partially_met"
    assert "Removed in Upgrade test v2" in archived.archived_reason
    assert archived.evidence.count() == 1
    live = [i.assessment.requirement.local_id for i in selectors.items_of(checklist)]
    assert live == ["keep", "new-name", "added"]
    with pytest.raises(Conflict):
        services.assessment_update(actor=owner, assessment=archived, status="met")


def succeeded_run(org, review, owner, days_ago: int, result: dict) -> AuditRun:
    dataset = Dataset.objects.create(
        organization=org, name="d.csv", file="datasets/d.csv", format="csv",
        sha256="ab" * 32, size_bytes=1, columns=[], uploaded_by=owner,
    )  # fmt: skip
    return AuditRun.objects.create(
        organization=org, review=review, dataset=dataset, config={}, status=RunStatus.SUCCEEDED,
        result=result, finished_at=timezone.now() - datetime.timedelta(days=days_ago),
    )  # fmt: skip


RESULT = {
    "rows": 1000,
    "input": {"sha256": "ab" * 32},
    "missing": {"race": 7},
    "dimensions": [
        {
            "name": "race",
            "groups": [{"group": "A"}, {"group": "B"}],
            "impact_ratios": {
                "rows": [
                    {"category": "A", "impact_ratio": 1.0},
                    {"category": "B", "impact_ratio": 0.72},
                ]
            },
        }
    ],
}


def test_machine_evidence_links_the_latest_matching_run_and_turns_stale(org, owner, review):
    checklist = attach(owner, review)
    items = {i.assessment.requirement.local_id: i for i in selectors.items_of(checklist)}
    assert items["rates"].machine.missing and items["rates"].red
    old = succeeded_run(org, review, owner, 400, RESULT)
    items = {i.assessment.requirement.local_id: i for i in selectors.items_of(checklist)}
    rates = items["rates"].machine
    assert (rates.run_id, rates.sha256) == (old.pk, "ab" * 32)
    assert rates.summary == "race: lowest 0.72 (B)"
    assert rates.stale and items["rates"].red  # 400 days > the library's 365
    assert items["unknown"].machine.summary == "race: 7"
    fresh = succeeded_run(org, review, owner, 10, {**RESULT, "dimensions": []})
    items = {i.assessment.requirement.local_id: i for i in selectors.items_of(checklist)}
    # The newest run holds no impact ratios: the older run that does is still the evidence.
    assert items["rates"].machine.run_id == old.pk
    assert items["audit-age"].machine.run_id == fresh.pk and not items["audit-age"].red
    # A stricter freshness policy on the item itself.
    a = items["audit-age"].assessment
    services.assessment_update(actor=owner, assessment=a, freshness_days=5)
    items = {i.assessment.requirement.local_id: i for i in selectors.items_of(checklist)}
    assert items["audit-age"].machine.stale


def test_an_audit_run_as_evidence_is_shown_without_loading_its_result(org, owner, review):
    a = attach(owner, review).assessments.first()
    run = succeeded_run(org, review, owner, 3, RESULT)
    services.evidence_add(actor=owner, assessment=a, kind="audit_run", target_id=run.pk)
    target = kinds.target_of(kinds.KINDS["audit_run"], run.pk, org.pk)
    assert target.pk == run.pk and target.get_deferred_fields() == {"result"}
    [row] = kinds.candidates(kinds.KINDS["audit_run"], review.pk)
    assert row.get_deferred_fields() == {"result"}
    item = next(i for i in selectors.items_of(a.checklist) if i.assessment.pk == a.pk)
    assert [e.label for e in item.evidence] == [f"Audit #{run.pk} ({run.finished_at:%Y-%m-%d})"]


def test_expired_evidence_is_stale_and_evidence_from_another_review_is_refused(
    owner, org, system, review
):
    a = attach(owner, review).assessments.first()
    services.evidence_add(
        actor=owner, assessment=a, kind="url", url="https://example.org/summary",
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    [shown] = next(i for i in selectors.items_of(a.checklist) if i.assessment.pk == a.pk).evidence
    assert shown.stale.startswith("expired on")
    other = make_review(system, owner, title="Other")
    harm = harms.harm_create(
        actor=owner, review=other, title="H", category=HarmCategory.objects.first()
    )
    with pytest.raises(ServiceError) as info:
        services.evidence_add(actor=owner, assessment=a, kind="harm", target_id=harm.pk)
    assert info.value.field == "target_id"
    with pytest.raises(ServiceError):
        services.evidence_add(actor=owner, assessment=a, kind="url", url="javascript:alert(1)")


def test_an_uploaded_file_keeps_its_sha256_and_version_and_size_is_limited(owner, review, settings):
    a = attach(owner, review).assessments.first()
    first = services.evidence_add(
        actor=owner, assessment=a, kind="file", upload=SimpleUploadedFile("audit.pdf", b"one")
    )
    second = services.evidence_add(
        actor=owner, assessment=a, kind="file", upload=SimpleUploadedFile("audit.pdf", b"two")
    )
    assert first.sha256 == "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed"
    assert (first.file_version, second.file_version) == (1, 2)
    settings.COMPLIANCE_EVIDENCE_MAX_BYTES = 2
    with pytest.raises(ServiceError) as info:
        services.evidence_add(
            actor=owner, assessment=a, kind="file", upload=SimpleUploadedFile("x.pdf", b"big")
        )
    assert info.value.field == "file"


def test_a_reviewer_signs_off_and_a_changed_answer_takes_the_sign_off_back(owner, reviewer, review):
    a = attach(owner, review).assessments.first()
    with pytest.raises(Conflict):
        services.assessment_sign_off(actor=reviewer, assessment=a)  # not assessed yet
    services.assessment_update(actor=owner, assessment=a, status="met", owner=reviewer)
    with pytest.raises(Conflict):
        services.assessment_sign_off(actor=reviewer, assessment=a)  # their own item
    services.assessment_update(actor=owner, assessment=a, owner=owner)
    services.assessment_sign_off(actor=reviewer, assessment=a)
    a.refresh_from_db()
    assert a.signed_off_by == reviewer
    services.assessment_update(actor=owner, assessment=a, status="partially_met")
    a.refresh_from_db()
    assert a.signed_off_by is None and a.signed_off_at is None


def test_a_not_met_item_blocks_approval_until_a_risk_acceptance_is_linked(owner, review):
    checklist = attach(owner, review)
    a = checklist.assessments.get(requirement__local_id="notice-10-days")
    services.assessment_update(actor=owner, assessment=a, status="not_met")
    [blocker] = [b for b in readiness.approve_blockers(review) if b.kind == "compliance"]
    assert "1 item “not met” without a risk acceptance in force (§20-871(b)(1)–(2))" in (
        blocker.message
    )
    assert blocker.url.endswith(f"/compliance/#checklist-{checklist.pk}")
    risky = harms.harm_create(
        actor=owner, review=review, title="High", category=HarmCategory.objects.first()
    )
    harms.rating_set(actor=owner, harm=risky, severity=5, likelihood=5, scale=5)
    acceptance = review_services.risk_accept(
        actor=owner, review=review, target_type="harm", target_id=risky.pk,
        justification="Pilot only.", expires_on=readiness.default_expiry(),
    )  # fmt: skip
    services.evidence_add(
        actor=owner, assessment=a, kind="risk_acceptance", target_id=acceptance.pk
    )
    assert not [b for b in readiness.approve_blockers(review) if b.kind == "compliance"]
    review_services.risk_acceptance_revoke(actor=owner, acceptance=acceptance)
    assert [b for b in readiness.approve_blockers(review) if b.kind == "compliance"]
    services.checklist_update(actor=owner, checklist=checklist, readiness_rule="off")
    assert not [b for b in readiness.approve_blockers(review) if b.kind == "compliance"]


def test_the_strict_rule_also_wants_every_item_assessed(owner, review):
    checklist = attach(owner, review)
    services.checklist_update(actor=owner, checklist=checklist, readiness_rule="all_resolved")
    [blocker] = [b for b in readiness.approve_blockers(review) if b.kind == "compliance"]
    assert "10 applicable items not yet assessed" in blocker.message


def test_progress_counts_per_framework_and_overall(owner, review):
    gdpr, ll144 = attach(owner, review, "gdpr"), attach(owner, review)
    for a in list(ll144.assessments.all())[:5]:
        services.assessment_update(actor=owner, assessment=a, status="met")
    a = gdpr.assessments.first()
    services.assessment_update(actor=owner, assessment=a, applicable=False, justification="No.")
    views = selectors.review_checklists(review)
    assert [(v.progress.done, v.progress.applicable) for v in views] == [(0, 21), (5, 10)]
    overall = selectors.overall(views)
    assert (overall.done, overall.applicable, overall.percent) == (5, 31, 16)


def test_the_statement_of_applicability_is_injection_safe_csv_and_json(owner, review, client_as):
    a = attach(owner, review).assessments.get(requirement__local_id="exclusion")
    services.assessment_update(
        actor=owner, assessment=a, applicable=False, justification='=HYPERLINK("http://x")'
    )
    client = client_as(owner)
    response = client.get(f"/reviews/{review.pk}/compliance/soa.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    row = next(r for r in rows if r["urn"] == "urn:forethought:req:nyc-ll144:exclusion")
    assert row["justification"] == '\'=HYPERLINK("http://x")'
    assert (row["applicable"], row["status"]) == ("False", "Not applicable")
    assert len(rows) == 10
    data = json.loads(client.get(f"/reviews/{review.pk}/compliance/soa.json").content)
    item = next(i for i in data["items"] if i["urn"].endswith(":exclusion"))
    assert item["justification"] == '=HYPERLINK("http://x")'  # JSON keeps the raw text
    assert item["applicable"] is False


def test_a_model_card_version_and_a_feedback_channel_are_evidence_of_their_own_review(
    owner, org, system, review
):
    from reviews.feedback import services as feedback
    from reviews.modelcards import services as modelcards
    from reviews.models import AISystem

    a = attach(owner, review).assessments.first()
    version = modelcards.modelcard_create(actor=owner, system=system).versions.get()
    channel = feedback.channel_create(
        actor=owner, review=review, title="Loan decisions", system_description="S", purpose="P"
    )
    services.evidence_add(
        actor=owner, assessment=a, kind="model_card_version", target_id=version.pk
    )
    services.evidence_add(actor=owner, assessment=a, kind="feedback_channel", target_id=channel.pk)
    item = next(i for i in selectors.items_of(a.checklist) if i.assessment.pk == a.pk)
    shown = {e.label: e.url for e in item.evidence}
    assert shown == {
        f"Model card v1 of {system} (draft)": f"/model-card-versions/{version.pk}/",
        "Feedback channel “Loan decisions” (open)": f"/feedback/channels/{channel.pk}/",
    }
    # Another system's card and another review's channel are refused.
    other_system = AISystem.objects.create(organization=org, name="Other model", owner=owner)
    other_version = modelcards.modelcard_create(actor=owner, system=other_system).versions.get()
    other_review = make_review(system, owner, title="Other")
    other_channel = feedback.channel_create(
        actor=owner, review=other_review, title="X", system_description="S", purpose="P"
    )
    for kind, target in [
        ("model_card_version", other_version.pk),
        ("feedback_channel", other_channel.pk),
    ]:
        with pytest.raises(ServiceError) as info:
            services.evidence_add(actor=owner, assessment=a, kind=kind, target_id=target)
        assert info.value.field == "target_id"
