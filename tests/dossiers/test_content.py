"""The demo review's dossier: every section and key number in the PDF's text, its
dossier.json under the published schema and equal to the database, PDF/A-3b with the data
attached, reproducible from the review's state, pages rendered to PNG for people to see."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.template.loader import get_template
from pyhanko.pdf_utils.reader import PdfFileReader

from audits.dossiers import gather, render, services
from audits.dossiers.models import Dossier
from audits.signatures import signing, verify
from reviews.compliance import selectors as compliance_selectors
from reviews.feedback import services as fb_services
from reviews.feedback.models import (
    FeedbackReply,
    FeedbackTheme,
    Submission,
    SubmissionContact,
    SubmissionStatus,
)
from reviews.harms import services as harm_services
from reviews.harms.models import Harm, HarmCategory
from reviews.modelcards.documents.sections import SECTION_KEYS
from reviews.modelcards.models import ModelCard
from tests.conftest import make_review

from .conftest import ARTIFACTS, pdftotext

# The session sets up the test database only for collected tests that ask for it.
pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(settings.BASE_DIR) / "docs" / "dossier.schema.json").read_text())
HEADINGS = [
    "Contents",
    "Executive summary",
    "System description",
    "Model card",
    "Stakeholder map",
    "Harm register and risk matrix",
    "Contested harms",
    "Mitigation plan",
    "Community feedback",
    "Regulation checklists and statement of applicability",
    "Audit results",
    "Appendix: provenance",
]


def section(data, key):
    return next(s["data"] for s in data["sections"] if s["key"] == key)


def test_the_pdf_text_has_every_section_and_the_key_numbers(demo):
    text = pdftotext(demo.pdf)
    flat = re.sub(r"\s+", " ", text)
    for heading in HEADINGS:
        assert heading in flat, heading
    review = demo.review
    harms = Harm.objects.filter(review=review)
    assert f"Review #{review.pk} · {review.title}" in flat
    assert review.organization.name in flat
    assert f"{harms.count()} harms" in flat
    # Long titles wrap and hyphenate in table cells: compare without spaces and hyphens.
    bare = re.sub(r"[\s\-\u2010\u00ad]", "", pdftotext(demo.pdf, layout=False))
    for harm in harms:
        assert re.sub(r"[\s\-]", "", harm.title) in bare, harm.title
    run = review.audit_runs.get()
    assert run.result["input"]["sha256"] in flat.replace(" ", "")
    dims = {d["name"]: d for d in run.result["dimensions"]}
    ratio = dims["race_ethnicity"]["summary"]["demographic_parity_ratio"]["value"]
    assert f"{ratio:.3f}" in flat  # the executive summary's headline
    assert f"{ratio:.4f}" in flat  # the audit section's table
    assert demo.data["state"]["hash"] in flat.replace(" ", "")
    assert "Signed with a development key" in flat
    assert re.search(r"Page 1 of (\d+)", flat)
    pages = int(re.search(r"Page 1 of (\d+)", flat).group(1))
    assert pages == demo.dossier.pages
    assert f"Page {pages} of {pages}" in flat


def test_the_contents_page_gives_each_sections_page(demo):
    toc = re.sub(r"\s+", " ", pdftotext(demo.pdf, 2))
    for heading in HEADINGS[1:]:
        match = re.search(re.escape(heading) + r" ?\.*\s*(\d+)", toc)
        assert match, (heading, toc)
        page = int(match.group(1))
        assert heading in pdftotext(demo.pdf, page), (heading, page)


def test_the_embedded_json_follows_its_schema_and_matches_the_database(demo):
    jsonschema.validate(demo.data, SCHEMA)
    again = gather.build(demo.review, signing.credentials(settings).identity())
    assert again == demo.data
    harms = section(demo.data, "harms")["harms"]
    assert [h["title"] for h in harms] == list(
        Harm.objects.filter(review=demo.review)
        .order_by("created_at", "id")
        .values_list("title", flat=True)
    )
    assert (
        demo.dossier.data_sha256
        == verify.Report("", 0, [], [], data=render.canonical_json(demo.data)).data_sha256
    )


def test_it_is_pdf_a_3b_with_the_json_attached_as_data_and_dates_from_the_state(demo):
    pdf = demo.pdf
    reader = PdfFileReader(io.BytesIO(pdf))
    xmp = reader.root["/Metadata"].get_object().data
    # WeasyPrint's identification, kept through signing (pyHanko would rewrite it).
    assert b'pdfaid:part="3"' in xmp
    assert b'pdfaid:conformance="B"' in xmp
    assert b"pyHanko" not in xmp
    specs = [ref.get_object() for ref in reader.root["/AF"]]
    # WeasyPrint lists the one file specification twice in /AF.
    assert {(str(f["/F"]), str(f["/AFRelationship"])) for f in specs} == {("dossier.json", "/Data")}
    at = demo.data["state"]["at"]
    stamp = "D:" + re.sub(r"[-T:]", "", at[:19])
    assert stamp.encode() in pdf  # CreationDate/ModDate are the state's time, not the clock
    listing = subprocess.run(
        ["pdfdetach", "-list", "-"], input=pdf, capture_output=True, check=False
    ).stdout.decode()
    assert "dossier.json" in listing or listing == ""  # older pdfdetach cannot read stdin


def test_two_exports_of_the_same_state_carry_identical_json_and_a_change_shows(demo, demo_media):
    creds = signing.credentials(settings)
    first = render.canonical_json(gather.build(demo.review, creds.identity()))
    second = render.canonical_json(gather.build(demo.review, creds.identity()))
    assert first == second == verify.embedded_file(demo.pdf)
    # The exports themselves: a second one of the unchanged review, then one after a change.
    again = services.dossier_export_now(review=demo.review)
    assert again.number == demo.dossier.number + 1
    assert again.data_sha256 == demo.dossier.data_sha256
    assert again.sha256 != demo.dossier.sha256  # signed at another time
    harm = Harm.objects.filter(review=demo.review).first()
    harm_services.harm_update(actor=demo.owner, harm=harm, title="Renamed for the dossier test")
    changed = services.dossier_export_now(review=demo.review)
    assert changed.data_sha256 != demo.dossier.data_sha256


def test_a_review_without_harms_or_audits_leaves_those_parts_out(demo):
    empty = make_review(demo.review.system, demo.owner, title="Empty review")
    data = gather.build(empty, {"subject": "Test", "development_key": True})
    jsonschema.validate(data, SCHEMA)
    keys = [s["key"] for s in data["sections"]]
    # The model card belongs to the system, so a review of it without anything else has it.
    assert keys == ["summary", "system", "modelcard", "appendix"]
    pdf, _pages = render.to_pdf(data)
    text = re.sub(r"\s+", " ", pdftotext(pdf))
    contents = re.sub(r"\s+", " ", pdftotext(pdf, 2))
    for absent in (
        "Harm register",
        "Contested harms",
        "Mitigation plan",
        "Audit results",
        "Sign-offs",
        "Risk acceptances",
        "Stakeholder map",
        "Community feedback",
        "Regulation checklists",
    ):
        assert absent not in contents, absent
    for absent in ("Harm register", "Audit results", "Stakeholder map", "Sign-offs"):
        assert absent not in text, absent
    assert "Executive summary" in text and "System description" in text


def test_user_text_is_printed_as_text(demo):
    category = HarmCategory.objects.first()
    nasty = '<b>bold</b> {{ 7|add:1 }} <img src="x">'
    harm_services.harm_create(actor=demo.owner, review=demo.review, title=nasty, category=category)
    data = gather.build(demo.review, {"subject": "Test", "development_key": False})
    html = render.to_html(data)
    assert "&lt;b&gt;bold&lt;/b&gt; {{ 7|add:1 }} &lt;img" in html
    assert "<b>bold</b>" not in html
    assert "Signed with a development key" not in html


def test_pages_are_rendered_to_png_for_people_to_look_at(demo):
    ARTIFACTS.mkdir(exist_ok=True)
    matrix_page = next(
        page
        for page in range(1, demo.dossier.pages + 1)
        if "Harm register and risk matrix" in pdftotext(demo.pdf, page)
        and "Number of harms in each cell" in pdftotext(demo.pdf, page)
    )

    def first_page(heading):
        pages = range(3, demo.dossier.pages + 1)
        return next(p for p in pages if heading in pdftotext(demo.pdf, p))

    shots = [("dossier-cover", 1), ("dossier-risk-matrix", matrix_page)] + [
        (f"dossier-{key}", first_page(heading))
        for key, heading in (
            ("modelcard", "Model card"),
            ("feedback", "Community feedback"),
            ("checklists", "Regulation checklists and statement of applicability"),
        )
    ]
    for name, page in shots:
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-singlefile",
                "-f",
                str(page),
                "-l",
                str(page),
                "-",
                str(ARTIFACTS / name),
            ],
            input=demo.pdf,
            check=True,
        )
        png = (ARTIFACTS / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 5000


@pytest.mark.parametrize("key", [s.key for s in gather.SECTIONS])
def test_each_section_has_its_template(key):
    # In audits/dossiers or in the capability that provides the section.
    assert get_template(f"dossiers/pdf/{key}.html")


def test_the_dossier_numbers_are_recorded(demo):
    assert Dossier.objects.filter(review=demo.review, number=1).exists()


def test_feedback_checklists_and_the_model_card_show_the_databases_numbers(demo):
    review = demo.review
    layout = pdftotext(demo.pdf)
    flat = re.sub(r"\s+", " ", layout)
    bare = re.sub(r"[\s\-\u2010\u00ad]", "", pdftotext(demo.pdf, layout=False))

    # Community feedback: counts by status and theme, the published replies, nothing personal.
    received = Submission.objects.filter(review=review).exclude(status__in=["hidden", "spam"])
    fb = section(demo.data, "feedback")
    assert fb["received"] == received.count() > 0
    assert fb["set_aside"] == Submission.objects.filter(review=review).count() - received.count()
    assert "Feedback submissions" in flat
    assert f"{received.count()} ({fb['answered']} answered)" in flat
    for status in fb["by_status"]:
        value = next(v for v, label in SubmissionStatus.choices if label == status["status"])
        assert status["count"] == received.filter(status=value).count()
        assert re.search(re.escape(status["status"]) + rf" +{status['count']}\n", layout)
    themes = FeedbackTheme.objects.filter(review=review)
    assert themes.exists()
    for theme in themes:
        n = received.filter(themes=theme).count()
        assert {"theme": theme.name, "count": n} in fb["by_theme"]
        assert re.search(re.escape(theme.name) + rf" +{n}\n", layout), theme.name
    replies = FeedbackReply.objects.filter(review=review, published_at__isnull=False)
    assert replies.exists()
    assert [r["text"] for r in fb["replies"]] == list(
        replies.order_by("published_at", "id").values_list("text", flat=True)
    )
    for reply in replies:
        assert re.sub(r"[\s\-]", "", reply.text) in bare
    raw = render.canonical_json(demo.data).decode()
    for submission in Submission.objects.filter(review=review):
        for words in (submission.text, submission.about, submission.self_described_group):
            assert not words or words not in raw and words not in flat
    contacts = SubmissionContact.objects.filter(submission__review=review)
    for email in contacts.values_list("email", flat=True):
        assert not email or email not in raw and email not in flat
    assert "@" not in json.dumps(fb)

    # Regulation checklists: completion per checklist, every item, the statement of
    # applicability, and the executive summary's completion line.
    cl = section(demo.data, "checklists")
    views = compliance_selectors.review_checklists(review)
    assert [c["framework"] for c in cl["checklists"]] == [v.checklist.framework.name for v in views]
    for view, shown in zip(views, cl["checklists"], strict=True):
        p = view.progress
        assert (shown["done"], shown["applicable"]) == (p.done, p.applicable)
        assert f"{p.done} of {p.applicable} applicable items done" in flat
        label = f"Checklist completion: {view.checklist.framework.name} items done"
        assert re.sub(r"[\s\-]", "", label) in bare
        assert [i["ref"] for i in shown["items"]] == [
            i.assessment.requirement.ref for i in view.items
        ]
        for item in view.items:
            assert re.sub(r"[\s\-]", "", item.assessment.requirement.ref) in bare
    extra = section(demo.data, "summary")["extra"]
    assert [e["value"] for e in extra if e["label"].startswith("Checklist completion")] == [
        f"{v.progress.done} of {v.progress.applicable}" for v in views
    ]
    soa = cl["statement_of_applicability"]
    assert len(soa) == sum(len(v.items) for v in views)
    assert "Statement of applicability" in flat
    for row in soa:
        if not row["applicable"]:
            assert re.sub(r"[\s\-]", "", row["justification"]) in bare

    # The model card version the review refers to.
    card = ModelCard.objects.get(system=review.system)
    published = card.versions.filter(status="published").order_by("-number").first()
    mc = section(demo.data, "modelcard")
    assert mc["version"] == published.number and mc["status"] == "Published"
    assert mc["latest"] == card.versions.order_by("-number").first().number
    assert f"v{published.number} (published)" in flat
    assert mc["model_version"] == published.metadata.get("version", "")
    assert [s["key"] for s in mc["sections"]] == [
        k for k in SECTION_KEYS if published.sections.get(k, "").strip()
    ]


def test_user_text_in_feedback_is_escaped(demo):
    nasty = "<script>alert(1)</script>"
    theme = fb_services.theme_create(actor=demo.owner, review=demo.review, name=f"Theme {nasty}")
    fb_services.reply_create(
        actor=demo.owner, review=demo.review, text=f"We changed it {nasty}", theme=theme
    )
    data = gather.build(demo.review, {"subject": "Test", "development_key": True})
    jsonschema.validate(data, SCHEMA)
    html = render.to_html(data)
    assert nasty not in html
    assert "Theme &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "We changed it &lt;script&gt;alert(1)&lt;/script&gt;" in html
    pdf, _pages = render.to_pdf(data)
    assert f"We changed it {nasty}" in re.sub(r"\s+", " ", pdftotext(pdf))
