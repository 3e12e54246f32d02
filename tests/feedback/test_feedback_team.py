"""The team's side of community feedback: triage pages and API, outsiders, escaping of
hostile text everywhere it appears, and the review page's coverage section."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from reviews.feedback import services as fb
from reviews.feedback.models import Submission
from reviews.harms.models import HarmCategory
from tests.conftest import api_as

from .conftest import receipt_of, send

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "=cmd|' /C calc'!A0",
]
HOSTILE = " ".join(PAYLOADS)


@pytest.fixture
def submission(channel):
    s, _code = fb.submission_create(
        channel=channel,
        text="Refused twice",
        language="en",
        email="kim@example.net",
        consent_contact=True,
    )
    return s


def test_outsiders_get_404_on_every_team_page_and_route(channel, submission, outsider, client_as):
    theme = fb.theme_create(actor=channel.created_by, review=channel.review, name="T")
    reply = fb.reply_create(
        actor=channel.created_by, review=channel.review, text="R", submission=submission
    )
    web = client_as(outsider)
    for url in [
        f"/reviews/{channel.review_id}/feedback/",
        f"/feedback/channels/{channel.pk}/",
        f"/feedback/submissions/{submission.pk}/",
    ]:
        assert web.get(url).status_code == 404, url
    assert web.post(f"/feedback/submissions/{submission.pk}/spam/").status_code == 404
    assert web.post(f"/feedback/replies/{reply.pk}/delete/").status_code == 404
    api = api_as(outsider)
    for url in [
        f"/api/feedback-channels/{channel.pk}/",
        f"/api/feedback-submissions/{submission.pk}/",
        f"/api/feedback-themes/{theme.pk}/",
        f"/api/feedback-replies/{reply.pk}/",
    ]:
        assert api.get(url).status_code == 404, url
    for url in ["/api/feedback-channels/", "/api/feedback-submissions/", "/api/feedback-replies/"]:
        assert api.get(url).json()["results"] == [], url
    submission.refresh_from_db()
    assert submission.status == "responded"  # the reply's doing; the outsider's spam did nothing


def test_contact_details_never_reach_the_api_and_only_chosen_roles_see_them(
    submission, owner, participant, reviewer, client_as
):
    for user in (owner, participant):
        body = json.dumps(api_as(user).get("/api/feedback-submissions/").json())
        assert "kim@example.net" not in body
        detail = api_as(user).get(f"/api/feedback-submissions/{submission.pk}/").json()
        assert detail["has_contact"] is True and "kim@example.net" not in json.dumps(detail)
    assert (
        "kim@example.net"
        in client_as(reviewer).get(f"/feedback/submissions/{submission.pk}/").content.decode()
    )
    page = client_as(participant).get(f"/feedback/submissions/{submission.pk}/").content.decode()
    assert "kim@example.net" not in page
    fb.settings_update(actor=owner, organization=submission.organization, contact_roles=["owner"])
    page = client_as(reviewer).get(f"/feedback/submissions/{submission.pk}/").content.decode()
    assert "kim@example.net" not in page
    csv_body = client_as(owner).get("/feedback/?format=csv").content.decode()
    assert "kim@example.net" not in csv_body and "Refused twice" in csv_body


def test_hostile_text_is_stored_raw_and_escaped_everywhere_it_appears(
    channel, owner, review, client_as
):
    client = Client()
    code = receipt_of(
        send(client, channel, text=HOSTILE, about=PAYLOADS[1], self_described_group=PAYLOADS[0])
    )
    submission = Submission.objects.get()
    assert submission.text == HOSTILE  # stored as typed
    theme = fb.theme_create(actor=owner, review=review, name=PAYLOADS[0])
    fb.submission_triage(actor=owner, submission=submission, themes=[theme])
    fb.reply_create(actor=owner, review=review, submission=submission, text=PAYLOADS[2])
    harm = fb.submission_create_harm(actor=owner, submission=submission, title=PAYLOADS[1])

    team = client_as(owner)
    pages = {
        "status": client.get("/f/receipt/", {"code": code}),
        "summary": client.get(f"/f/{channel.token}/summary/"),
        "queue": team.get(f"/reviews/{review.pk}/feedback/?status=all"),
        "org queue": team.get("/feedback/?status=all"),
        "submission": team.get(f"/feedback/submissions/{submission.pk}/"),
        "register": team.get(f"/reviews/{review.pk}/register/"),
        "review": team.get(f"/reviews/{review.pk}/"),
        "duplicate form": send(client, channel, text=HOSTILE),
    }
    for name, response in pages.items():
        body = response.content.decode()
        for raw in ("<script>alert", "<img src=x onerror", 'href="javascript:'):
            assert raw not in body, (name, raw)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in pages["status"].content.decode()
    assert "&lt;img src=x onerror" in pages["register"].content.decode()

    for url in ("/feedback/?format=csv&status=all", f"/reviews/{review.pk}/feedback/?format=csv"):
        rows = list(csv.reader(io.StringIO(team.get(url).content.decode())))
        cells = [cell for row in rows[1:] for cell in row]
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    api = api_as(owner).get(f"/api/feedback-submissions/{submission.pk}/")
    assert api["Content-Type"] == "application/json"
    assert api.json()["text"] == HOSTILE  # JSON carries it as data, never as markup
    download = client.post("/f/receipt/download/", {"code": code})
    assert download["Content-Type"].startswith("application/json")
    assert json.loads(download.content)["text"] == HOSTILE
    assert harm.title == PAYLOADS[1]


def test_csv_cells_starting_with_a_formula_are_neutralised(channel, owner, client_as):
    fb.submission_create(channel=channel, text="=cmd|' /C calc'!A0", language="en")
    rows = list(
        csv.reader(io.StringIO(client_as(owner).get("/feedback/?format=csv").content.decode()))
    )
    text = rows[1][rows[0].index("text")]
    assert text == "'=cmd|' /C calc'!A0"


def test_triage_through_the_pages(channel, submission, owner, review, client_as, applicants):
    web = client_as(owner)
    theme = fb.theme_create(actor=owner, review=review, name="Rates")
    web.post(
        f"/feedback/submissions/{submission.pk}/triage/",
        {"themes": [str(theme.pk)], "stakeholder": str(applicants.pk)},
    )
    submission.refresh_from_db()
    assert submission.status == "triaged" and submission.stakeholder == applicants
    assert list(submission.themes.all()) == [theme]
    web.post(
        f"/feedback/submissions/{submission.pk}/harm/",
        {"title": "Refused twice", "category": "opportunity-loss"},
    )
    submission.refresh_from_db()
    assert submission.status == "linked"
    harm = submission.harms.get()
    assert (harm.source, harm.category.slug) == ("feedback", "opportunity-loss")
    web.post(f"/feedback/submissions/{submission.pk}/reply/", {"text": "We fixed it."})
    submission.refresh_from_db()
    assert submission.status == "responded"
    web.post(f"/feedback/submissions/{submission.pk}/hide/", {"reason": "Duplicate of #1"})
    submission.refresh_from_db()
    assert (submission.status, submission.hidden_reason) == ("hidden", "Duplicate of #1")
    queue = web.get(f"/reviews/{review.pk}/feedback/").content.decode()
    assert 'data-testid="queue-empty"' in queue  # hidden is out of the default queue
    assert (
        f"#{submission.pk}"
        in web.get(f"/reviews/{review.pk}/feedback/?status=hidden").content.decode()
    )
    web.post(f"/feedback/submissions/{submission.pk}/restore/")
    submission.refresh_from_db()
    assert submission.status == "responded"


def test_queue_filters_by_language_theme_and_stakeholder(
    channel, owner, review, client_as, applicants
):
    es, _ = fb.submission_create(channel=channel, text="Hola", language="es")
    fr, _ = fb.submission_create(channel=channel, text="Bonjour", language="fr")
    theme = fb.theme_create(actor=owner, review=review, name="Greetings")
    fb.submission_triage(actor=owner, submission=fr, themes=[theme], stakeholder=applicants)
    web = client_as(owner)

    def ids(**params):
        page = web.get(f"/reviews/{review.pk}/feedback/", params)
        return [s.pk for s in page.context["page"].object_list]

    assert ids(language="es") == [es.pk]
    assert ids(theme=theme.pk) == [fr.pk]
    assert ids(stakeholder=applicants.pk) == [fr.pk]
    assert ids(status="triaged") == [fr.pk]
    assert ids(theme="x<y") == [fr.pk, es.pk]  # a bad filter value is ignored


def test_participants_read_but_cannot_triage(submission, participant, client_as):
    web = client_as(participant)
    assert web.get(f"/feedback/submissions/{submission.pk}/").status_code == 200
    web.post(f"/feedback/submissions/{submission.pk}/spam/")
    submission.refresh_from_db()
    assert submission.status == "new"
    refused = api_as(participant).post(f"/api/feedback-submissions/{submission.pk}/spam/")
    assert refused.status_code == 403


def test_the_review_page_shows_coverage_of_stakeholder_groups(
    channel, owner, review, client_as, applicants
):
    from reviews.harms import services as harms

    harms.stakeholder_create(
        actor=owner, review=review, name="Carers", kind="indirect", vulnerable=True
    )
    s, _ = fb.submission_create(channel=channel, text="Hi", language="en")
    fb.submission_triage(actor=owner, submission=s, stakeholder=applicants)
    body = client_as(owner).get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-testid="feedback-coverage"' in body
    assert "Heard from: Applicants (1)" in body
    assert "No feedback yet from \u201cCarers\u201d (marked vulnerable)" in body


def test_the_api_triages_links_and_replies(channel, submission, owner, review):
    api = api_as(owner)
    theme = api.post("/api/feedback-themes/", {"review": review.pk, "name": "Speed"}, format="json")
    assert theme.status_code == 201
    patched = api.patch(
        f"/api/feedback-submissions/{submission.pk}/",
        {"themes": [theme.json()["id"]]},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["status"] == "triaged"
    made = api.post(
        f"/api/feedback-submissions/{submission.pk}/create-harm/",
        {"title": "Slow refusals", "category": "economic-loss"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["source"] == "feedback"
    bad = api.post(
        f"/api/feedback-submissions/{submission.pk}/create-harm/",
        {"title": "X", "category": "nope"},
        format="json",
    )
    assert bad.status_code == 400 and "category" in bad.json()
    reply = api.post(
        "/api/feedback-replies/",
        {"review": review.pk, "theme": theme.json()["id"], "text": "Faster now"},
        format="json",
    )
    assert reply.status_code == 201
    both = api.post(
        "/api/feedback-replies/",
        {"review": review.pk, "text": "Neither"},
        format="json",
    )
    assert both.status_code == 400
    closed = api.patch(f"/api/feedback-channels/{channel.pk}/", {"status": "closed"}, format="json")
    assert closed.status_code == 200
    reopen = api.patch(f"/api/feedback-channels/{channel.pk}/", {"status": "open"}, format="json")
    assert reopen.status_code == 409


def test_harm_category_defaults_to_the_senders_first_choice(channel, owner):
    s, _ = fb.submission_create(channel=channel, text="Data", language="en", effects=["privacy"])
    harm = fb.submission_create_harm(actor=owner, submission=s, title="Data use")
    assert harm.category == HarmCategory.objects.get(slug="privacy-loss")


def test_a_theme_reply_tied_to_a_mitigation_reaches_everyone_in_the_theme(
    channel, owner, review, client_as
):
    from reviews.harms import services as harms

    first, code = fb.submission_create(channel=channel, text="One", language="en")
    second, _ = fb.submission_create(channel=channel, text="Two", language="en")
    theme = fb.theme_create(actor=owner, review=review, name="Slow")
    for s in (first, second):
        fb.submission_triage(actor=owner, submission=s, themes=[theme])
    harm = fb.submission_create_harm(actor=owner, submission=first, title="Slow decisions")
    mitigation = harms.mitigation_create(
        actor=owner, harm=harm, action="Decide in a day", owner=owner
    )
    client_as(owner).post(
        f"/reviews/{review.pk}/feedback/replies/",
        {
            "theme": str(theme.pk),
            "text": "We now decide within a day.",
            "mitigation": str(mitigation.pk),
        },
    )
    reply = theme.replies.get()
    assert reply.mitigation == mitigation
    assert set(Submission.objects.values_list("status", flat=True)) == {"responded"}
    page = Client().get("/f/receipt/", {"code": code}).content.decode()
    assert "We now decide within a day." in page and "Decide in a day" in page


def test_the_organization_queue_filters_by_theme_across_reviews(channel, owner, review, client_as):
    s, _ = fb.submission_create(channel=channel, text="Tagged", language="en")
    fb.submission_create(channel=channel, text="Untagged", language="en")
    theme = fb.theme_create(actor=owner, review=review, name="Tagged")
    fb.submission_triage(actor=owner, submission=s, themes=[theme])
    page = client_as(owner).get("/feedback/", {"theme": theme.pk})
    assert [x.pk for x in page.context["page"].object_list] == [s.pk]
    assert f"Tagged ({review.title})" in page.content.decode()
