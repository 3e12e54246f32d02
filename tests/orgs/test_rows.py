"""orgs/ledger/rows.py stores and reads rows exactly as the ORM does: the same values in
every column (JSON, dates, foreign keys, defaults, auto_now_add) and the same instance
read back. (tests/integration/test_rows_postgres.py runs these on PostgreSQL.)"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from orgs.ledger import rows
from orgs.ledger.models import Event
from reviews.feedback import services as fb
from reviews.feedback.models import FeedbackChannel, Submission

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _submission(channel, text: str) -> Submission:
    return Submission(
        organization_id=channel.organization_id,
        channel=channel,
        review_id=channel.review_id,
        about="Mi préstamo",
        text=text,
        text_hash=f"hash-{text}",
        effects=["refused", "privacy"],
        self_described_group="الجيران",
        language="es",
        preferred_language="ar",
        consent_contact=False,
        consent_keep_text=True,
        consent_version="2",
        consented_at=datetime.datetime(2026, 11, 26, 1, 2, 3, 456789, tzinfo=datetime.UTC),
        receipt_hash=f"receipt-{text}",
    )


@pytest.fixture
def channel(review, owner):
    return fb.channel_create(
        actor=owner, review=review, title="Loans", system_description="S", purpose="P"
    )


def check_insert_matches_the_orm(channel) -> None:
    before = timezone.now()
    fast = rows.insert(_submission(channel, "fast"))
    orm = _submission(channel, "orm")
    orm.save()
    assert fast.pk is not None and fast.pk != orm.pk
    assert not fast._state.adding and fast._state.db == "default"
    stored_fast = _fields(Submission.objects.get(pk=fast.pk))
    stored_orm = _fields(Submission.objects.get(pk=orm.pk))
    assert stored_fast["created_at"] >= before and stored_fast["updated_at"] >= before
    differ = {
        name
        for name in stored_fast
        if stored_fast[name] != stored_orm[name]
        and name not in ("id", "text", "text_hash", "receipt_hash", "created_at", "updated_at")
    }
    assert differ == set()
    assert stored_fast["effects"] == ["refused", "privacy"]
    assert stored_fast["self_described_group"] == "الجيران"
    assert stored_fast["status"] == "new" and stored_fast["stakeholder_id"] is None


def check_lookup_matches_the_orm(channel) -> None:
    fast = rows.get_by(FeedbackChannel, "token", channel.token)
    assert fast is not None and type(fast) is FeedbackChannel
    assert _fields(fast) == _fields(FeedbackChannel.objects.get(token=channel.token))
    assert not fast._state.adding and fast._state.db == "default"
    submission = rows.insert(_submission(channel, "read back"))
    read = rows.get_by(Submission, "receipt_hash", "receipt-read back")
    assert read is not None
    assert _fields(read) == _fields(Submission.objects.get(pk=submission.pk))
    assert read.effects == ["refused", "privacy"]  # JSON decoded
    assert read.consented_at == submission.consented_at and read.consented_at.tzinfo
    assert rows.get_by(FeedbackChannel, "token", "no-such-token") is None


def check_insert_then(channel) -> None:
    """insert_then: the row and the second statement's change, and how many rows that
    statement changed (one statement on PostgreSQL, two elsewhere)."""
    table = FeedbackChannel._meta.db_table
    update = f'UPDATE "{table}" SET title = %s WHERE id = %s'  # noqa: S608 - test's own table
    first = _submission(channel, "then one")
    assert rows.insert_then(first, update, ["Préstamos «2»", channel.pk]) == 1
    assert first.pk is not None and not first._state.adding
    assert Submission.objects.get(pk=first.pk).text == "then one"
    assert FeedbackChannel.objects.get(pk=channel.pk).title == "Préstamos «2»"
    second = _submission(channel, "then none")
    assert rows.insert_then(second, update, ["Nobody", -1]) == 0
    assert Submission.objects.get(pk=second.pk).effects == ["refused", "privacy"]
    assert first.pk != second.pk
    with pytest.raises(ValueError, match="already saved"):
        rows.insert_then(first, update, ["x", channel.pk])


def check_insert_with(channel) -> None:
    """insert_with: the insert and a query in one statement on PostgreSQL (two elsewhere);
    with ``unless``, nothing inserted when that query finds a row. What it stores is what
    the plain insert stores (literals typed by their columns on PostgreSQL: NULL foreign
    keys, JSON, booleans, times)."""
    table = Submission._meta.db_table
    channels = FeedbackChannel._meta.db_table
    sent = f'SELECT 1 FROM "{table}" WHERE channel_id = %s AND text_hash = %s'  # noqa: S608 - test's own table
    query = f'SELECT id, title FROM "{channels}" WHERE id = %s'  # noqa: S608 - test's own table
    first = _submission(channel, "unless")
    row = rows.insert_with(first, query, [channel.pk], unless=(sent, [channel.pk, "hash-unless"]))
    assert row == (first.pk, channel.pk, "Loans")
    assert first.pk is not None and not first._state.adding
    plain = rows.insert(_submission(channel, "plain"))
    stored = _fields(Submission.objects.get(pk=first.pk))
    expected = _fields(Submission.objects.get(pk=plain.pk))
    differ = {
        name
        for name in stored
        if stored[name] != expected[name]
        and name not in ("id", "text", "text_hash", "receipt_hash", "created_at", "updated_at")
    }
    assert differ == set() and stored["stakeholder_id"] is None
    again = _submission(channel, "unless")
    assert (
        rows.insert_with(again, query, [channel.pk], unless=(sent, [channel.pk, "hash-unless"]))
        is None
    )
    assert again.pk is None and again._state.adding
    assert Submission.objects.filter(text_hash="hash-unless").count() == 1
    # A query that finds nothing: the row is inserted all the same.
    lone = _submission(channel, "lone")
    assert rows.insert_with(lone, query, [-1]) == (lone.pk, None, None)
    assert Submission.objects.filter(pk=lone.pk).exists()


def test_an_insert_with_a_query_unless_a_row_is_found(channel):
    check_insert_with(channel)


def test_an_insert_then_an_update(channel):
    check_insert_then(channel)


def test_an_insert_stores_what_the_orm_stores(channel):
    check_insert_matches_the_orm(channel)


def test_a_lookup_reads_what_the_orm_reads(channel):
    check_lookup_matches_the_orm(channel)


def test_an_event_appended_through_rows_verifies(channel, owner):
    from orgs.ledger.services import verify_organization

    event = Event.objects.filter(organization_id=channel.organization_id).latest("seq")
    assert Event.objects.get(pk=event.pk).hash == event.hash
    report = verify_organization(channel.organization_id, "acme")
    assert report.intact, report.message


def test_it_refuses_a_saved_row_and_a_column_that_is_not_unique(channel):
    with pytest.raises(ValueError, match="already saved"):
        rows.insert(channel)
    with pytest.raises(ValueError, match="not unique"):
        rows.get_by(FeedbackChannel, "title", "Loans")
