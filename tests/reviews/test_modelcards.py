"""Model cards through their services, API and pages: versions, the analysis computed
from an audit (checked number by number against the audit JSON), publishing, imports that
name the field and line, the demo card, and outsiders who find nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from orgs.plumbing.errors import Conflict, ServiceError
from reviews.modelcards import services
from reviews.modelcards.documents import analysis, formats, huggingface
from reviews.modelcards.models import ModelCard, ModelCardVersion
from reviews.models import AISystem
from tests.conftest import api_as, make_review, make_system, run_small_audit

DATA = Path(__file__).parent / "data"


@pytest.fixture
def card(owner, system):
    return services.modelcard_create(actor=owner, system=system)


@pytest.fixture
def draft(card):
    return card.versions.get(number=1)


@pytest.fixture
def audited(owner, review):
    return run_small_audit(owner, review)


def upload(text: str, name: str = "README.md") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


def expected_numbers(result):
    """The oracle: every number the card should show, read straight from the audit JSON
    (docs/audit-json.md), independently of reviews.modelcards.documents.analysis."""
    out = {}
    for dim in result["dimensions"]:
        for name, summary in dim["summary"].items():
            if summary["value"] is not None:
                out[(dim["name"], None, name)] = (summary["value"], summary["ci"])
        for group in dim["groups"]:
            metrics = group["metrics"]
            out[(dim["name"], group["group"], "n")] = (metrics["n"], None)
            for name in ("selection_rate", "tpr", "fpr", "ppv", "accuracy"):
                if metrics[name]["value"] is not None:
                    out[(dim["name"], group["group"], name)] = (
                        metrics[name]["value"],
                        metrics[name]["ci"],
                    )
    return out


def test_it_starts_a_card_with_a_first_draft_from_the_system(owner, system, card, draft):
    assert (draft.number, draft.status) == (1, "draft")
    assert draft.metadata == {"name": system.name}
    assert draft.sections == {"model_details": "Scores loans."}
    with pytest.raises(Conflict):
        services.modelcard_create(actor=owner, system=system)


def test_the_computed_analysis_equals_the_audit_json(owner, draft, audited):
    version = services.version_set_analysis(actor=owner, version=draft, run=audited)
    a = version.analysis
    assert (a["source"], a["run_id"]) == ("audit", audited.pk)
    assert a["input_sha256"] == audited.dataset.sha256 == audited.result["input"]["sha256"]
    shown = {(r["dimension"], r["group"], r["metric"]): (r["value"], r["ci"]) for r in a["results"]}
    assert shown == expected_numbers(audited.result)
    # The page shows them marked as computed, with the run and the hash.
    assert {t["name"] for t in analysis.tables(a)} == {"sex", "race", "intersection"}


def test_the_analysis_comes_only_from_a_succeeded_audit_of_the_same_system(
    owner, org, draft, audited
):
    other = make_review(make_system(org, owner, name="Fraud model"), owner)
    foreign = run_small_audit(owner, other)
    with pytest.raises(ServiceError) as caught:
        services.version_set_analysis(actor=owner, version=draft, run=foreign)
    assert caught.value.field == "run"
    audited.status = "failed"
    audited.save()
    with pytest.raises(ServiceError):
        services.version_set_analysis(actor=owner, version=draft, run=audited)


def test_a_published_version_is_frozen_and_a_new_draft_copies_it(owner, card, draft, audited):
    services.version_update(actor=owner, version=draft, sections={"factors": "Sex, race."})
    services.version_set_analysis(actor=owner, version=draft, run=audited)
    published = services.version_publish(actor=owner, version=draft)
    assert published.status == "published" and published.published_by == owner
    for change in (
        lambda: services.version_update(actor=owner, version=published, sections={"factors": "x"}),
        lambda: services.version_set_analysis(actor=owner, version=published, run=None),
        lambda: services.version_publish(actor=owner, version=published),
    ):
        with pytest.raises(Conflict):
            change()
    second = services.version_new_draft(actor=owner, card=card)
    assert second.number == 2
    assert (second.sections, second.analysis) == (published.sections, published.analysis)
    with pytest.raises(Conflict):
        services.version_new_draft(actor=owner, card=card)
    published.refresh_from_db()
    assert published.sections["factors"] == "Sex, race."


def test_sections_and_metadata_are_checked(owner, draft):
    for sections, metadata in (
        ({"nonsense": "x"}, None),
        ({"factors": 3}, None),
        ({"factors": "x" * 20_001}, None),
        (None, {"colour": "red"}),
        (None, {"owners": "not a list"}),
        (None, {"name": ["a list"]}),
    ):
        with pytest.raises(ServiceError):
            services.version_update(
                actor=owner, version=draft, sections=sections, metadata=metadata
            )
    draft.refresh_from_db()
    assert draft.sections == {"model_details": "Scores loans."}


def test_a_participant_may_read_but_not_edit_and_only_deciders_publish(
    draft, participant, facilitator
):
    with pytest.raises(PermissionDenied) as caught:
        services.version_update(actor=participant, version=draft, sections={"factors": "x"})
    assert "cannot" in str(caught.value)
    services.version_update(actor=facilitator, version=draft, sections={"factors": "x"})
    with pytest.raises(PermissionDenied) as caught:
        services.version_publish(actor=facilitator, version=draft)
    assert "publish" in str(caught.value)


def test_an_exported_card_imports_back_as_computed_only_when_the_run_still_agrees(
    owner, card, draft, audited
):
    services.version_set_analysis(actor=owner, version=draft, run=audited)
    services.version_publish(actor=owner, version=draft)
    readme = huggingface.write(draft.document())
    imported = services.modelcard_import(
        actor=owner, card=card, format="huggingface", upload=upload(readme)
    )
    assert imported.number == 2 and imported.analysis["source"] == "audit"
    assert imported.analysis == ModelCardVersion.objects.get(pk=draft.pk).analysis
    tampered = readme.replace("value: 0.", "value: 0.0", 1)
    imported = services.modelcard_import(
        actor=owner, card=card, format="huggingface", upload=upload(tampered)
    )
    assert imported.number == 2 and imported.analysis["source"] == "imported"


def test_an_unreadable_import_names_the_field_and_line_and_changes_nothing(owner, card, draft):
    bad = '{\n  "model_details": {\n    "name": 7\n  }\n}'
    with pytest.raises(ServiceError) as caught:
        services.modelcard_import(actor=owner, card=card, format="mct", upload=upload(bad))
    assert caught.value.field == "file"
    assert caught.value.details == [
        {"field": "model_details.name", "line": 3, "message": "must be a string"}
    ]
    assert caught.value.message == "model_details.name: (line 3) must be a string"
    draft.refresh_from_db()
    assert draft.sections == {"model_details": "Scores loans."}


def test_imports_over_the_size_limit_or_not_utf8_are_refused(owner, card, settings):
    settings.MODELCARD_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ServiceError, match="limit"):
        services.modelcard_import(
            actor=owner, card=card, format="markdown", upload=upload("# x\n" + "a" * 200)
        )
    settings.MODELCARD_MAX_UPLOAD_BYTES = 10_000
    with pytest.raises(ServiceError, match="UTF-8"):
        services.modelcard_import(
            actor=owner,
            card=card,
            format="markdown",
            upload=SimpleUploadedFile("x.md", b"\xff\xfe\x00"),
        )


def test_a_public_card_imports_into_the_draft_keeping_what_it_leaves_empty(owner, card, draft):
    services.version_update(actor=owner, version=draft, sections={"factors": "Kept."})
    text = (DATA / "mct_public_card.json").read_text()
    version = services.modelcard_import(actor=owner, card=card, format="mct", upload=upload(text))
    assert version.pk == draft.pk
    assert version.sections["factors"] == "Kept."
    assert version.sections["intended_users"] == "Credit officers\n\nRisk analysts"
    assert version.metadata["version"] == "1.4"
    assert version.analysis["source"] == "imported"


# --- API -----------------------------------------------------------------------------------


def test_the_api_creates_edits_fills_publishes_and_exports(owner, system, audited):
    api = api_as(owner)
    made = api.post("/api/model-cards/", {"system": system.pk}, format="json")
    assert made.status_code == 201, made.data
    version_id = made.data["versions"][0]["id"]
    url = f"/api/model-card-versions/{version_id}/"
    edited = api.patch(url, {"sections": {"factors": "Sex."}, "metadata": {"version": "1"}})
    assert edited.status_code == 200 and edited.data["sections"]["factors"] == "Sex."
    filled = api.post(url + "analysis/", {"run": audited.pk}, format="json")
    assert filled.status_code == 200 and filled.data["computed_by_forethought"] is True
    assert api.post(url + "publish/").status_code == 200
    frozen = api.patch(url, {"sections": {"factors": "Changed."}}, format="json")
    assert frozen.status_code == 409
    for key in formats():
        export = api.get(url + "export/", {"card_format": key})
        assert export.status_code == 200 and export.data["format"] == key
        assert "Sex." in export.data["content"] or key == "mct"
    assert api.get(url + "export/", {"card_format": "pdf"}).status_code == 400
    card_id = made.data["id"]
    second = api.post(f"/api/model-cards/{card_id}/new-draft/")
    assert second.status_code == 201 and second.data["number"] == 2
    diff = api.get(f"/api/model-card-versions/{second.data['id']}/diff/", {"against": version_id})
    assert diff.status_code == 200 and not any(row["changed"] for row in diff.data)


def test_the_api_import_answers_400_with_field_and_line(owner, card):
    bad = "---\nlicense: [mit]\n---\n# Card\n"
    answer = api_as(owner).post(
        f"/api/model-cards/{card.pk}/import/",
        {"format": "huggingface", "file": upload(bad)},
        format="multipart",
    )
    assert answer.status_code == 400
    assert answer.data["file"] == ["license: (line 2) must be a string"]


def test_outsiders_find_no_card_in_the_api_or_the_pages(outsider, card, draft, client_as):
    api = api_as(outsider)
    assert api.get("/api/model-cards/").data["results"] == []
    assert api.get(f"/api/model-cards/{card.pk}/").status_code == 404
    assert api.get(f"/api/model-card-versions/{draft.pk}/").status_code == 404
    assert (
        api.get(f"/api/model-card-versions/{draft.pk}/export/?card_format=mct").status_code == 404
    )
    assert api.patch(f"/api/model-card-versions/{draft.pk}/", {}, format="json").status_code in (
        403,
        404,
    )
    page = client_as(outsider)
    for url in (
        reverse("modelcard", args=[card.system_id]),
        reverse("modelcard_version", args=[draft.pk]),
        reverse("modelcard_edit", args=[draft.pk]),
        reverse("modelcard_diff", args=[card.system_id]),
        reverse("modelcard_export", args=[draft.pk, "huggingface"]),
    ):
        assert page.get(url).status_code == 404, url


# --- Pages ---------------------------------------------------------------------------------


def test_the_system_page_links_its_card_and_the_card_page_starts_one(owner, system, client_as):
    page = client_as(owner)
    assert (
        reverse("modelcard", args=[system.pk])
        in page.get(reverse("system_detail", args=[system.pk])).content.decode()
    )
    empty = page.get(reverse("modelcard", args=[system.pk]))
    assert "no model card yet" in empty.content.decode()
    page.post(reverse("modelcard_create", args=[system.pk]))
    assert ModelCard.objects.filter(system=system).exists()


def test_the_pages_edit_preview_fill_publish_diff_and_download(
    owner, card, draft, audited, client_as
):
    page = client_as(owner)
    edit = reverse("modelcard_edit", args=[draft.pk])
    form = {"meta_name": "Credit model", "meta_owners": "Risk\nData", "factors": "**Sex**"}
    preview = page.post(edit, {**form, "action": "preview"})
    assert "<strong>Sex</strong>" in preview.content.decode()
    draft.refresh_from_db()
    assert "factors" not in draft.sections  # a preview saves nothing
    page.post(edit, {**form, "action": "save"})
    draft.refresh_from_db()
    assert draft.sections["factors"] == "**Sex**" and draft.metadata["owners"] == ["Risk", "Data"]
    page.post(reverse("modelcard_analysis", args=[draft.pk]), {"run": audited.pk})
    page.post(reverse("modelcard_publish", args=[draft.pk]))
    shown = page.get(reverse("modelcard", args=[card.system_id])).content.decode()
    assert "Computed by Forethought" in shown and audited.dataset.sha256 in shown
    assert 'id="section-factors"' in shown
    page.post(reverse("modelcard_new_draft", args=[card.system_id]))
    second = card.versions.get(number=2)
    page.post(
        reverse("modelcard_edit", args=[second.pk]), {**form, "factors": "Age.", "action": "save"}
    )
    diff = page.get(reverse("modelcard_diff", args=[card.system_id]), {"a": 1, "b": 2})
    assert "Age." in diff.content.decode() and "1 part changed" in diff.content.decode()
    download = page.get(reverse("modelcard_export", args=[draft.pk, "mct"]))
    assert download["Content-Disposition"] == 'attachment; filename="model_card-v1.json"'
    live = page.post(reverse("modelcard_preview"), {"text": "<script>x</script>*hi*"})
    assert "<em>hi</em>" in live.content.decode() and "<script" not in live.content.decode()


def test_the_page_import_shows_the_line_of_the_problem(owner, card, client_as):
    page = client_as(owner)
    answer = page.post(
        reverse("modelcard_import", args=[card.system_id]),
        {"format": "mct", "file": upload('{"extra": 1}', "card.json")},
        follow=True,
    )
    assert "extra: (line 1) is not a field" in answer.content.decode()


def test_the_demo_has_a_published_v1_from_the_demo_audit_and_a_draft_v2(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    card = ModelCard.objects.get(system=AISystem.objects.get(name="Loan approval model"))
    first, second = card.versions.order_by("number")
    run = first.card.system.reviews.get(title="Pre-launch harm review v3").audit_runs.get()
    assert (first.status, second.status) == ("published", "draft")
    assert first.analysis["source"] == "audit" and first.analysis["run_id"] == run.pk
    shown = {
        (r["dimension"], r["group"], r["metric"]): (r["value"], r["ci"])
        for r in first.analysis["results"]
    }
    assert shown == expected_numbers(run.result)
    assert second.sections["caveats_recommendations"] != first.sections["caveats_recommendations"]
    # The demo card round-trips through both formats.
    for key in ("huggingface", "mct"):
        fmt = formats()[key]
        exported = fmt.write(first.document())
        assert fmt.write(fmt.read(exported)) == exported
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())  # idempotent
    assert card.versions.count() == 2


def test_a_deeply_nested_file_is_a_400_not_a_crash(owner, card):
    nested = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ServiceError, match="nests too deeply"):
        services.modelcard_import(actor=owner, card=card, format="mct", upload=upload(nested))


def test_deleting_a_system_without_reviews_takes_its_card_along(owner, org, client_as):
    from reviews import services as reviews

    bare = make_system(org, owner, name="Bare")
    services.modelcard_create(actor=owner, system=bare)
    reviews.system_delete(actor=owner, system=bare)
    assert not ModelCard.objects.filter(system_id=bare.pk).exists()


def test_the_event_log_names_the_card_version(owner, draft, client_as):
    services.version_publish(actor=owner, version=draft)
    page = client_as(owner).get(reverse("event_log")).content.decode()
    assert "Model card v1 of ‘Credit model’" in page
    assert reverse("modelcard_version", args=[draft.pk]) in page


def test_a_bad_run_on_the_analysis_form_is_refused_with_a_message(owner, draft, client_as):
    answer = client_as(owner).post(
        reverse("modelcard_analysis", args=[draft.pk]), {"run": "12abc"}, follow=True
    )
    assert answer.status_code == 200
    assert "Choose a succeeded audit of this system." in answer.content.decode()


def test_the_demo_card_round_trips_through_the_api(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    published = ModelCardVersion.objects.get(number=1)
    api = api_as(published.card.system.organization.memberships.get(role="owner").user)
    url = f"/api/model-card-versions/{published.pk}/export/"
    for key, name in (("huggingface", "README.md"), ("mct", "model_card.json")):
        first = api.get(url, {"card_format": key}).data["content"]
        answer = api.post(
            f"/api/model-cards/{published.card_id}/import/",
            {"format": key, "file": upload(first, name)},
            format="multipart",
        )
        assert answer.status_code == 200, answer.data
        assert answer.data["number"] == 2  # into the demo's draft
        again = api.get(
            f"/api/model-card-versions/{answer.data['id']}/export/", {"card_format": key}
        )
        assert again.data["content"] == first
        # The Hugging Face file names the demo audit and its hash: computed again; Model
        # Card Toolkit 0.0.2 has no place for them: imported.
        source = ModelCardVersion.objects.get(number=2).analysis["source"]
        assert source == ("audit" if key == "huggingface" else "imported")


def test_each_section_has_a_stable_key_and_an_anchored_url(card):
    from reviews.modelcards import selectors

    links = selectors.section_links(card)
    assert links[0] == (
        "model_details",
        "Model details",
        f"/systems/{card.system_id}/model-card/#section-model_details",
    )
    assert len(links) == 11
    with pytest.raises(KeyError):
        selectors.section_url(card, "nonsense")
