"""The compliance API and pages: reads scoped to the organization (outsiders get 404),
writes through the services, pages that render for people."""

from __future__ import annotations

import pytest

from reviews.compliance import services
from reviews.controls import services as controls
from reviews.frameworks.models import Framework
from tests.conftest import api_as


def gdpr() -> Framework:
    return Framework.objects.filter(urn="urn:forethought:framework:gdpr").latest("version")


@pytest.fixture
def checklist(owner, review):
    return services.checklist_attach(actor=owner, review=review, framework=gdpr())


@pytest.fixture
def control(owner, org):
    return controls.control_create(
        actor=owner,
        organization=org,
        name="Human review of adverse decisions",
        status="implemented",
        requirements=["urn:forethought:req:gdpr:art22-3-human"],
    )


def test_frameworks_and_the_crosswalk_are_readable_by_any_logged_in_person(outsider):
    client = api_as(outsider)
    frameworks = client.get("/api/frameworks/").json()["results"]
    assert {f["urn"] for f in frameworks} >= {"urn:forethought:framework:gdpr"}
    gdpr_row = next(f for f in frameworks if f["urn"] == "urn:forethought:framework:gdpr")
    assert gdpr_row["requirement_count"] == 22
    reqs = client.get("/api/requirements/", {"urn": "urn:forethought:req:gdpr:art22-3-human"})
    [req] = reqs.json()["results"]
    assert (req["ref"], req["parent_urn"]) == ("Art. 22(3)", "urn:forethought:req:gdpr:art22-3")
    edges = client.get(
        "/api/crosswalk/", {"source": "urn:forethought:req:gdpr:art22-3-human"}
    ).json()["results"]
    assert [(e["target"], e["relationship"], e["strength"]) for e in edges] == [
        ("urn:forethought:req:eu-ai-act:art14", "intersect", 6)
    ]
    assert api_as(None).get("/api/frameworks/").status_code in (401, 403)


def test_the_api_attaches_assesses_and_shows_the_inferred_status(owner, review, control):
    client = api_as(owner)
    response = client.post(
        "/api/checklists/", {"review": review.pk, "framework": gdpr().pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    checklist_id = response.json()["id"]
    rows = client.get("/api/assessments/", {"checklist": checklist_id}).json()["results"]
    human = next(r for r in rows if r["requirement_urn"].endswith("art22-3-human"))
    assert (human["status"], human["effective_status"]) == ("not_started", "met_inferred")
    assert "Human review of adverse decisions" in human["inferred_from"]
    confirmed = client.post(f"/api/assessments/{human['id']}/confirm-inference/")
    assert confirmed.status_code == 200
    assert (confirmed.json()["status"], confirmed.json()["basis"]) == ("met", "confirmed")
    again = client.post(
        "/api/checklists/", {"review": review.pk, "framework": gdpr().pk}, format="json"
    )
    assert again.status_code == 409


def test_the_api_takes_evidence_as_a_row_of_the_review_or_a_file(owner, review, checklist):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reviews.harms import services as harms
    from reviews.harms.models import HarmCategory

    harm = harms.harm_create(
        actor=owner, review=review, title="Opaque declines", category=HarmCategory.objects.first()
    )
    a = checklist.assessments.first()
    client = api_as(owner)
    linked = client.post(
        "/api/evidence/",
        {"assessment": a.pk, "kind": "harm", "target_id": harm.pk},
        format="json",
    )
    assert linked.status_code == 201, linked.json()
    assert linked.json()["label"] == "Harm “Opaque declines”"
    uploaded = client.post(
        "/api/evidence/",
        {"assessment": a.pk, "kind": "file", "file": SimpleUploadedFile("dpia.pdf", b"one")},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.json()
    assert uploaded.json()["sha256"].startswith("7692c3ad")
    bad = client.post(
        "/api/evidence/", {"assessment": a.pk, "kind": "harm", "target_id": 999999}, format="json"
    )
    assert bad.status_code == 400 and "target_id" in bad.json()


def test_an_outsider_gets_404_on_pages_and_api(outsider, owner, review, checklist, control):
    a = checklist.assessments.first()
    api = api_as(outsider)
    for url in [
        f"/api/checklists/{checklist.pk}/",
        f"/api/assessments/{a.pk}/",
        f"/api/controls/{control.pk}/",
    ]:
        assert api.get(url).status_code == 404, url
    from django.test import Client

    client = Client()
    client.force_login(outsider)
    for url in [
        f"/reviews/{review.pk}/compliance/",
        f"/reviews/{review.pk}/compliance/soa.csv",
        f"/reviews/{review.pk}/compliance/soa.json",
        f"/compliance/assessments/{a.pk}/",
        f"/compliance/controls/{control.pk}/",
    ]:
        assert client.get(url).status_code == 404, url


def test_the_pages_render_with_progress_inference_and_evidence(
    client_as, owner, viewer, review, checklist, control
):
    a = checklist.assessments.get(requirement__local_id="art22-3-human")
    services.evidence_add(actor=owner, assessment=a, kind="url", url="https://example.org/<script>")
    page = client_as(owner).get(f"/reviews/{review.pk}/compliance/").content.decode()
    assert "Met (inferred)" in page and "GDPR — automated decision-making" in page
    assert "<script>" not in page
    detail = client_as(owner).get(f"/compliance/assessments/{a.pk}/").content.decode()
    assert "Control “Human review of adverse decisions” meets" in detail
    assert "Confirm as “met”" in detail
    # A viewer reads but gets no forms.
    seen = client_as(viewer).get(f"/compliance/assessments/{a.pk}/").content.decode()
    assert "Confirm as" not in seen and "Add evidence" not in seen
    for url in ["/compliance/frameworks/", "/compliance/crosswalk/", "/compliance/controls/",
                f"/compliance/frameworks/{gdpr().pk}/", f"/compliance/controls/{control.pk}/",
                f"/reviews/{review.pk}/"]:  # fmt: skip
        assert client_as(viewer).get(url).status_code == 200, url


def test_the_assessment_form_refuses_not_applicable_without_a_reason(client_as, owner, checklist):
    a = checklist.assessments.first()
    response = client_as(owner).post(
        f"/compliance/assessments/{a.pk}/",
        {"applicable": "no", "justification": "", "status": "not_started"},
    )
    assert response.status_code == 200
    assert "needs a justification" in response.content.decode()
    a.refresh_from_db()
    assert a.applicable is True


def test_the_upgrade_page_shows_the_diff_then_upgrades(tmp_path, client_as, owner, review):
    from django.apps import apps

    from reviews.frameworks.library import read_all
    from reviews.frameworks.store import store

    head = (
        "urn: urn:forethought:framework:page-test\nversion: {v}\nname: Page test\n"
        "provider: Tests\npublished: 2026-01-01\nlicence: CC0\nrequirements:\n"
    )
    (tmp_path / "v1.yaml").write_text(
        head.format(v=1) + "  - {id: a, ref: §1, name: Alpha, text: A.}\n"
        "  - {id: b, ref: §2, name: Beta, text: B.}\n"
    )
    store(read_all(tmp_path), apps)
    v1 = Framework.objects.get(urn="urn:forethought:framework:page-test", version=1)
    checklist = services.checklist_attach(actor=owner, review=review, framework=v1)
    (tmp_path / "v2.yaml").write_text(
        head.format(v=2) + "  - {id: a2, renamed_from: a, ref: §1, name: Alpha two, text: A.}\n"
    )
    store(read_all(tmp_path), apps)
    v2 = Framework.objects.get(urn="urn:forethought:framework:page-test", version=2)
    client = client_as(owner)
    page = client.get(f"/reviews/{review.pk}/compliance/").content.decode()
    assert f"/compliance/checklists/{checklist.pk}/upgrade/{v2.pk}/" in page
    diff = client.get(f"/compliance/checklists/{checklist.pk}/upgrade/{v2.pk}/").content.decode()
    assert "Renamed (1)" in diff and "§1 Alpha → §1 Alpha two" in diff and "Removed (1)" in diff
    response = client.post(f"/compliance/checklists/{checklist.pk}/upgrade/{v2.pk}/")
    assert response.status_code == 302
    checklist.refresh_from_db()
    assert checklist.framework == v2
    assert checklist.assessments.filter(archived_at__isnull=False).count() == 1
    # Not an upgrade (a downgrade): 404.
    assert client.get(f"/compliance/checklists/{checklist.pk}/upgrade/{v1.pk}/").status_code == 404


def test_the_evidence_form_links_an_item_of_the_review_by_its_kind(
    client_as, owner, review, checklist
):
    from reviews.harms import services as harms
    from reviews.harms.models import HarmCategory

    harm = harms.harm_create(
        actor=owner, review=review, title="Opaque declines", category=HarmCategory.objects.first()
    )
    a = checklist.assessments.first()
    client = client_as(owner)
    page = client.get(f"/compliance/assessments/{a.pk}/").content.decode()
    assert f'value="harm:{harm.pk}"' in page
    client.post(f"/compliance/assessments/{a.pk}/evidence/", {"target": f"harm:{harm.pk}"})
    client.post(f"/compliance/assessments/{a.pk}/evidence/", {"url": "https://example.org/notice"})
    assert [(e.kind, e.target_id, e.url) for e in a.evidence.order_by("id")] == [
        ("harm", harm.pk, ""),
        ("url", None, "https://example.org/notice"),
    ]
