"""The dossiers page (export with progress, download, counter-signed copies, compare),
the API, and who may reach them: outsiders get 404, viewers may read but not export."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.dossiers import services
from audits.dossiers.models import Dossier
from orgs.models import Role
from reviews.harms import services as harm_services
from reviews.harms.models import Harm
from tests.conftest import add_member, api_as, make_org, make_user

from .pdfs import countersign

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo):
    org = demo.review.organization
    viewer = make_user("vera-viewer")
    add_member(org, viewer, Role.VIEWER)
    outsider = make_user("otto-outsider")
    make_org(outsider, name="Elsewhere", slug="elsewhere")
    return {"owner": demo.owner, "viewer": viewer, "outsider": outsider}


def test_the_page_lists_exports_with_download_links(demo, demo_media, people, client_as):
    page = client_as(people["owner"]).get(f"/reviews/{demo.review.pk}/dossiers/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Dossier 1" in html and "Ready" in html
    assert f"/dossiers/{demo.dossier.pk}/download/" in html
    assert "Export a new dossier" in html
    assert demo.dossier.sha256 in html


def test_a_viewer_reads_and_downloads_but_cannot_export(demo, demo_media, people, client_as):
    client = client_as(people["viewer"])
    html = client.get(f"/reviews/{demo.review.pk}/dossiers/").content.decode()
    assert "Export a new dossier" not in html
    download = client.get(f"/dossiers/{demo.dossier.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == demo.pdf
    assert download["Content-Type"] == "application/pdf"
    before = Dossier.objects.count()
    response = client.post(f"/reviews/{demo.review.pk}/dossiers/", follow=True)
    assert Dossier.objects.count() == before
    assert "cannot export signed review dossiers" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/reviews/{review}/dossiers/",
        "/reviews/{review}/dossiers/diff/?a=1&b=1",
        "/dossiers/{dossier}/download/",
        "/dossiers/{dossier}/status/",
    ],
)
def test_an_outsider_gets_404(demo, demo_media, people, client_as, url):
    url = url.format(review=demo.review.pk, dossier=demo.dossier.pk)
    assert client_as(people["outsider"]).get(url).status_code == 404
    api = api_as(people["outsider"])
    assert api.get(f"/api/dossiers/{demo.dossier.pk}/").status_code == 404
    assert api.get(f"/api/dossiers/{demo.dossier.pk}/download/").status_code == 404
    assert api.get("/api/dossiers/").json()["count"] == 0


def test_an_outsider_cannot_post_to_a_dossier(demo, demo_media, people, client_as):
    response = client_as(people["outsider"]).post(
        f"/dossiers/{demo.dossier.pk}/countersigned/",
        {"file": SimpleUploadedFile("x.pdf", countersign(demo.pdf))},
    )
    assert response.status_code == 404
    assert not Dossier.objects.filter(based_on=demo.dossier).exists()


def test_exporting_from_the_page_runs_the_task_and_reports_progress(
    demo, demo_media, people, client_as, django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    report = services._progress

    def recording(dossier_id):
        inner = report(dossier_id)

        def progress(percent, stage):
            seen.append((percent, stage))
            inner(percent, stage)

        return progress

    monkeypatch.setattr(services, "_progress", recording)
    client = client_as(people["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reviews/{demo.review.pk}/dossiers/", follow=True)
    assert "is being exported" in response.content.decode()
    dossier = Dossier.objects.filter(review=demo.review).order_by("-number").first()
    assert dossier.status == "ready", dossier.error
    assert dossier.exported_by == people["owner"]
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and percents[0] < 30 and percents[-1] >= 90
    assert any(stage.startswith("Laying out page") for _, stage in seen)
    assert dossier.pages == demo.dossier.pages


def test_a_pending_export_shows_a_progress_bar_that_polls(demo, people, client_as):
    pending = Dossier.objects.create(
        organization=demo.review.organization,
        review=demo.review,
        number=99,
        progress=42,
        stage="Laying out page 12",
    )
    html = client_as(people["owner"]).get(f"/dossiers/{pending.pk}/status/").content.decode()
    assert '<progress id="progress-' in html and 'value="42"' in html
    assert "Laying out page 12" in html and "every 1s" in html


def test_a_failed_export_says_why_and_keeps_no_file(demo, monkeypatch):
    from audits.dossiers.pdf import isolate

    def fail(*args, **kwargs):
        raise isolate.ExportLimit("The export took longer than 1 s (DOSSIER_TIME_LIMIT).")

    monkeypatch.setattr(isolate, "run", fail)
    dossier = services.dossier_export_now(review=demo.review)
    assert dossier.status == "failed"
    assert "DOSSIER_TIME_LIMIT" in dossier.error
    assert not dossier.file and dossier.sha256 == ""


def test_a_counter_signed_copy_is_kept_as_the_next_dossier(demo, demo_media, people, client_as):
    client = client_as(people["owner"])
    signed = countersign(demo.pdf)
    response = client.post(
        f"/dossiers/{demo.dossier.pk}/countersigned/",
        {"file": SimpleUploadedFile("signed.pdf", signed)},
        follow=True,
    )
    assert "The counter-signed copy is kept as dossier" in response.content.decode()
    copy = Dossier.objects.get(based_on=demo.dossier)
    assert "Ada Auditor" in copy.signer_subject
    with copy.file.open("rb") as stored:
        assert stored.read() == signed
    # Something else than this export with a signature added is refused.
    bad = client.post(
        f"/dossiers/{demo.dossier.pk}/countersigned/",
        {"file": SimpleUploadedFile("other.pdf", b"%PDF-1.7 nothing")},
        follow=True,
    )
    assert "is not a counter-signed copy of this export" in bad.content.decode()
    assert Dossier.objects.filter(based_on=demo.dossier).count() == 1


def test_the_compare_page_shows_what_changed_between_two_exports(
    demo, demo_media, people, client_as
):
    # The people fixture added members: the organization moved on since dossier 1, so
    # compare two exports made now.
    first = services.dossier_export_now(review=demo.review)
    same = services.dossier_export_now(review=demo.review)
    client = client_as(people["owner"])
    html = client.get(
        f"/reviews/{demo.review.pk}/dossiers/diff/?a={first.number}&b={same.number}"
    ).content.decode()
    assert "carry the same data" in html
    harm = Harm.objects.filter(review=demo.review).order_by("created_at", "id").first()
    harm_services.harm_update(actor=demo.owner, harm=harm, title="Thin files, renamed")
    later = services.dossier_export_now(review=demo.review)
    html = client.get(
        f"/reviews/{demo.review.pk}/dossiers/diff/?a={first.number}&b={later.number}"
    ).content.decode()
    assert "harms › H1 › title" in html
    assert "Thin files, renamed" in html and harm.title != "" and "changed" in html
    bad = client.get(f"/reviews/{demo.review.pk}/dossiers/diff/?a=1&b=999")
    assert bad.status_code == 400


def test_the_api_exports_lists_and_downloads(
    demo, demo_media, people, django_capture_on_commit_callbacks
):
    api = api_as(people["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/dossiers/", {"review": demo.review.pk}, format="json")
    assert created.status_code == 202, created.content
    assert created.json()["status"] == "pending"
    body = api.get(f"/api/dossiers/{created.json()['id']}/").json()
    assert body["status"] == "ready" and body["pages"] == demo.dossier.pages
    listing = api.get(f"/api/dossiers/?review={demo.review.pk}").json()
    assert {d["number"] for d in listing["results"]} >= {1, body["number"]}
    download = api.get(f"/api/dossiers/{demo.dossier.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == demo.pdf
    viewer = api_as(people["viewer"])
    assert viewer.post("/api/dossiers/", {"review": demo.review.pk}).status_code == 403
    signed = countersign(demo.pdf)
    kept = api.post(
        f"/api/dossiers/{demo.dossier.pk}/countersigned/",
        {"file": SimpleUploadedFile("s.pdf", signed)},
        format="multipart",
    )
    assert kept.status_code == 201, kept.content
    assert kept.json()["based_on"] == demo.dossier.pk
    refused = api.post(
        f"/api/dossiers/{demo.dossier.pk}/countersigned/",
        {"file": SimpleUploadedFile("s.pdf", b"%PDF-1.7")},
        format="multipart",
    )
    assert refused.status_code == 400 and "file" in refused.json()


def test_the_review_page_links_to_its_dossiers(demo, people, client_as):
    html = client_as(people["viewer"]).get(f"/reviews/{demo.review.pk}/").content.decode()
    assert f"/reviews/{demo.review.pk}/dossiers/" in html


def test_exports_are_named_in_the_event_log(demo):
    from orgs.ledger.models import Event
    from orgs.ledger.names import KINDS

    event = Event.objects.get(object_type="dossiers.dossier", object_id=str(demo.dossier.pk))
    assert event.verb == "create"
    kind = KINDS["dossiers.dossier"]
    assert kind.label(demo.dossier) == f"Dossier 1 of review \u2018{demo.review.title}\u2019"
    assert kind.url(demo.dossier) == f"/reviews/{demo.review.pk}/dossiers/"
