"""Community feedback end to end: the public form, receipts, triage, harms, replies,
erasure, rate limits and closed channels."""

from __future__ import annotations

import datetime
import json

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from orgs.ledger.models import Event
from reviews.feedback import receipts
from reviews.feedback import selectors as fbs
from reviews.feedback import services as fb
from reviews.feedback.models import Submission, SubmissionContact
from reviews.harms.models import Harm, HarmCategory, HarmSource

from .conftest import receipt_of, send

pytestmark = pytest.mark.django_db


def test_it_shows_the_channel_page_with_its_description_and_a_qr_code(channel):
    response = Client().get(f"/f/{channel.token}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "A model scores loan applications." in body
    assert "<svg" in body and "Send my feedback" in body
    qr = Client().get(f"/f/{channel.token}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"


def test_it_answers_404_for_an_unknown_token(db):
    assert Client().get("/f/not-a-token/").status_code == 404


def test_it_walks_from_submission_to_a_reply_read_by_receipt(
    channel, owner, applicants, review, django_capture_on_commit_callbacks
):
    client = Client()
    response = send(client, channel, email="ana@example.net", consent_contact="on")
    assert response.status_code == 200
    code = receipt_of(response)
    assert receipts.looks_like_code(code)
    assert code in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    # The receipt's QR code is drawn in the browser from the status page's address (the
    # browser test reads the drawing back); the server sends the address, not a drawing.
    body = response.content.decode()
    status_url = f"http://testserver/f/receipt/?code={code}"
    assert f'data-qr="{status_url}"' in body and f'href="{status_url}"' in body
    assert "<svg" not in body and "vendor/qrcode-generator" in body
    submission = Submission.objects.get()
    assert submission.receipt_hash == receipts.digest(code)
    assert code not in json.dumps(list(Submission.objects.values()), default=str)
    assert SubmissionContact.objects.get().email == "ana@example.net"
    assert submission.consent_version and submission.language == "en"

    theme = fb.theme_create(actor=owner, review=review, name="Rates")
    fb.submission_triage(actor=owner, submission=submission, themes=[theme], stakeholder=applicants)
    submission.refresh_from_db()
    assert submission.status == "triaged"
    harm = fb.submission_create_harm(actor=owner, submission=submission, title="Refusals")
    assert harm.source == HarmSource.FEEDBACK
    assert harm.category.slug == "opportunity-loss"
    assert list(harm.stakeholders.all()) == [applicants]
    submission.refresh_from_db()
    assert submission.status == "linked"

    from reviews.harms import services as harms

    mitigation = harms.mitigation_create(actor=owner, harm=harm, action="Give reasons", owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        fb.reply_create(
            actor=owner,
            review=review,
            submission=submission,
            text="We now explain every refusal.",
            mitigation=mitigation,
        )
    submission.refresh_from_db()
    assert submission.status == "responded"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.net"]
    assert "I was refused" not in mail.outbox[0].body  # the email repeats none of their words

    page = client.get("/f/receipt/", {"code": code})
    assert page.status_code == 200
    body = page.content.decode()
    assert "We now explain every refusal." in body
    assert "Give reasons" in body
    assert "The team replied" in body
    summary = client.get(f"/f/{channel.token}/summary/").content.decode()
    assert "We now explain every refusal." in summary
    assert "ana@example.net" not in summary and "I was refused" not in summary


def test_the_register_counts_and_sorts_by_backing_submissions(channel, owner, review, client_as):
    category = HarmCategory.objects.get(slug="privacy-loss")
    Harm.objects.create(
        organization=review.organization, review=review, title="Lone", category=category
    )
    backed = Harm.objects.create(
        organization=review.organization, review=review, title="Backed", category=category
    )
    for i in range(2):
        s, _code = fb.submission_create(channel=channel, text=f"Story {i}", language="en")
        fb.submission_link_harm(actor=owner, submission=s, harm=backed)
    page = client_as(owner).get(f"/reviews/{review.pk}/register/", {"sort": "feedback"})
    body = page.content.decode()
    assert "backed by 2 submissions" in body
    assert body.index("Backed") < body.index("Lone")


def test_erasure_removes_contact_details_everywhere_in_the_database(channel, owner, review):
    client = Client()
    email = "erin.unique.person@example.net"
    response = send(
        client,
        channel,
        text=f"Write to me at {email} or +34 600 123 456 please.",
        about=f"Contact {email}",
        email=email,
        phone="+34 600 123 456",
        consent_contact="on",
        consent_keep_text="on",
    )
    code = receipt_of(response)
    submission = Submission.objects.get()
    fb.reply_create(actor=owner, review=review, submission=submission, text="Thanks")
    erased = client.post("/f/receipt/erase/", {"code": code, "confirm": "yes"})
    assert erased.status_code == 200
    submission.refresh_from_db()
    assert submission.erased_at is not None
    assert "please" in submission.text  # kept, as agreed in (b)
    assert email not in submission.text and "600 123 456" not in submission.text
    assert not SubmissionContact.objects.exists()
    assert _database_contains(email) == []
    assert _database_contains("600 123 456") == []


def test_erasure_without_consent_b_removes_the_words_too(channel):
    client = Client()
    code = receipt_of(send(client, channel, text="Private story of mine."))
    client.post("/f/receipt/erase/", {"code": code, "confirm": "yes"})
    submission = Submission.objects.get()
    assert submission.text == "" and submission.about == ""
    assert _database_contains("Private story of mine") == []


def _database_contains(needle: str) -> list[str]:
    """Every table and text column of the database that holds ``needle``."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                column = field.column
                quoted_table = connection.ops.quote_name(table)
                quoted_column = connection.ops.quote_name(column)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quoted_table} "  # noqa: S608 - names from the models
                    f"WHERE CAST({quoted_column} AS TEXT) LIKE %s",
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


def test_it_downloads_what_was_sent_as_json(channel):
    client = Client()
    code = receipt_of(send(client, channel, email="d@example.net", consent_contact="on"))
    response = client.post("/f/receipt/download/", {"code": code})
    data = json.loads(response.content)
    assert data["text"] == "I was refused without a reason."
    assert data["contact"] == {"email": "d@example.net", "phone": ""}
    assert data["consent"]["may_contact"] is True
    assert client.post("/f/receipt/download/", {"code": "AAAA"}).status_code == 404


def test_it_refuses_on_paused_and_closed_channels(channel, owner):
    for status in ("paused", "closed"):
        fb.channel_update(actor=owner, channel=channel, status=status)
        page = Client().get(f"/f/{channel.token}/")
        assert 'data-testid="channel-closed"' in page.content.decode()
        assert "Send my feedback" not in page.content.decode()
        assert send(Client(), channel).status_code == 409
    assert not Submission.objects.exists()


def test_rate_limit_answers_429_after_the_configured_count(channel, settings):
    settings.FEEDBACK_RATE_PER_IP = 3
    client = Client()
    codes = [send(client, channel, text=f"Story {i}").status_code for i in range(3)]
    assert codes == [200, 200, 200]
    refused = send(client, channel, text="One more")
    assert refused.status_code == 429
    assert "Please wait a little" in refused.content.decode()
    assert Submission.objects.count() == 3


def test_rate_limit_per_channel_counts_every_address(channel, settings):
    settings.FEEDBACK_RATE_PER_CHANNEL = 2
    statuses = [
        Client(REMOTE_ADDR=f"10.0.0.{i}")
        .post(f"/f/{channel.token}/", {"text": f"S{i}", "consent_read": "on"})
        .status_code
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_the_429_page_speaks_the_visitors_language(channel, settings):
    settings.FEEDBACK_RATE_PER_IP = 0
    response = Client(HTTP_ACCEPT_LANGUAGE="es").post(
        f"/f/{channel.token}/", {"text": "x", "consent_read": "on"}
    )
    assert response.status_code == 429
    assert "Espera un poco" in response.content.decode()


def test_the_honeypot_refuses_without_storing(channel):
    response = send(Client(), channel, website="http://spam.example")
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_a_duplicate_within_the_hour_is_refused_and_the_text_kept(channel):
    client = Client()
    assert send(client, channel, text="Same words").status_code == 200
    again = send(client, channel, text="  same   WORDS ")
    assert again.status_code == 409
    assert "already received" in again.content.decode()
    assert "same   WORDS" in again.content.decode()
    assert Submission.objects.count() == 1


@pytest.mark.parametrize(("minutes_ago", "accepted"), [(59, False), (61, True)])
def test_the_same_words_are_taken_again_after_the_hour(channel, minutes_ago, accepted):
    first, _code = fb.submission_create(channel=channel, text="Same words", language="en")
    Submission.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    # Another channel's identical words never count.
    other = fb.channel_create(
        actor=channel.created_by,
        review=channel.review,
        title="B",
        system_description="S",
        purpose="P",
    )
    fb.submission_create(channel=other, text="Same words", language="en")
    status = send(Client(), channel, text="same words").status_code
    assert status == (200 if accepted else 409)
    assert Submission.objects.filter(channel=channel).count() == (2 if accepted else 1)


def test_too_long_text_is_refused_and_kept_in_the_form(channel):
    long_text = "é" * 5001
    response = send(Client(), channel, text=long_text)
    assert response.status_code == 400
    body = response.content.decode()
    assert long_text in body
    assert 'class="error-summary"' in body and 'href="#id_text"' in body
    assert not Submission.objects.exists()


def test_contact_details_need_consent_a(channel):
    response = send(Client(), channel, email="x@example.net")
    assert response.status_code == 400
    assert 'href="#id_consent_contact"' in response.content.decode()


def test_the_form_needs_csrf(channel):
    client = Client(enforce_csrf_checks=True)
    assert send(client, channel).status_code == 403


def test_arabic_pages_are_right_to_left(channel):
    body = Client().get(f"/f/{channel.token}/", {"lang": "ar"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "أرسل ملاحظاتي" in body


def test_spanish_from_the_browser_and_errors_translated(channel):
    client = Client(HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    page = client.get(f"/f/{channel.token}/")
    assert '<html lang="es" dir="ltr">' in page.content.decode()
    response = client.post(f"/f/{channel.token}/", {"text": "", "consent_read": ""})
    body = response.content.decode()
    assert "Hay un problema" in body and "Este campo es requerido." in body
    submission_language = send(client, channel, text="Me negaron el préstamo.")
    assert submission_language.status_code == 200
    assert Submission.objects.get().language == "es"


def test_the_language_switcher_sets_a_cookie(channel):
    client = Client()
    client.get(f"/f/{channel.token}/", {"lang": "fr"})
    assert '<html lang="fr"' in client.get(f"/f/{channel.token}/").content.decode()


def test_hidden_feedback_keeps_its_words_and_reason(channel, owner):
    s, _code = fb.submission_create(channel=channel, text="Rude words", language="en")
    fb.submission_hide(actor=owner, submission=s, reason="Abusive language")
    s.refresh_from_db()
    assert (s.status, s.hidden_reason, s.text) == ("hidden", "Abusive language", "Rude words")
    assert fbs.public_summary(channel).received == 0


def test_the_event_log_never_holds_words_or_contacts(channel):
    client = Client()
    send(client, channel, text="Secret words 123", email="log@example.net", consent_contact="on")
    dumped = json.dumps(list(Event.objects.values("before", "after")), default=str)
    assert "Secret words" not in dumped and "log@example.net" not in dumped


def test_purge_erases_contacts_past_retention_and_logs_counts(channel, owner):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    s, _ = fb.submission_create(
        channel=channel, text="Old", language="en", email="old@example.net", consent_contact=True
    )
    fb.submission_create(
        channel=channel, text="New", language="en", email="new@example.net", consent_contact=True
    )
    SubmissionContact.objects.filter(submission=s).update(
        created_at=timezone.now() - datetime.timedelta(days=181)
    )
    call_command("purge_feedback_pii")
    assert list(SubmissionContact.objects.values_list("email", flat=True)) == ["new@example.net"]
    event = Event.objects.filter(verb="purge_feedback_contacts").get()
    assert event.after == {"contacts_erased": 1, "retention_days": 180}
    fb.settings_update(actor=owner, organization=channel.organization, retention_days=1)
    erased = fb.purge_expired_contacts(now=timezone.now() + datetime.timedelta(days=2))
    assert erased == {channel.organization_id: 1}
    assert not SubmissionContact.objects.exists()


def test_the_reply_email_speaks_the_senders_language(
    channel, owner, review, django_capture_on_commit_callbacks
):
    s, _ = fb.submission_create(
        channel=channel,
        text="Me negaron el préstamo.",
        language="es",
        email="ana@example.net",
        consent_contact=True,
    )
    quiet, _ = fb.submission_create(channel=channel, text="Sin contacto", language="es")
    theme = fb.theme_create(actor=owner, review=review, name="Préstamos")
    for x in (s, quiet):
        fb.submission_triage(actor=owner, submission=x, themes=[theme])
    with django_capture_on_commit_callbacks(execute=True):
        fb.reply_create(actor=owner, review=review, theme=theme, text="Lo arreglamos.")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Respondimos a tu mensaje sobre «Loan decisions»"
    assert "código de recibo" in mail.outbox[0].body
    assert "/f/receipt/" in mail.outbox[0].body


def test_the_beat_task_purges_like_the_command(channel):
    import datetime

    from django.utils import timezone

    from reviews.feedback import tasks

    s, _ = fb.submission_create(
        channel=channel, text="Old", language="en", email="o@example.net", consent_contact=True
    )
    SubmissionContact.objects.filter(submission=s).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    assert tasks.purge_feedback_pii.delay().get() == {str(channel.organization_id): 1}
    assert tasks.purge_feedback_pii.delay().get() == {}  # idempotent
    assert Event.objects.filter(verb="purge_feedback_contacts").count() == 1


def test_each_form_has_its_own_fields():
    """The public form copies its fields shallowly (forms.py): a change to one form's field
    must still not reach another form, nor the class."""
    from reviews.feedback.pages.forms import FeedbackForm

    first, second = FeedbackForm(), FeedbackForm({"text": "x"})
    first.fields["text"].label = "Changed"
    first.fields["effects"].required = True
    assert second.fields["text"].label == "What happened?"
    assert FeedbackForm.base_fields["text"].label == "What happened?"
    assert second.fields["effects"].required is False
    assert first.fields["text"] is not FeedbackForm.base_fields["text"]
    assert list(second.fields) == list(FeedbackForm.base_fields)
    assert not second.is_valid() and list(second.errors) == ["consent_read"]
