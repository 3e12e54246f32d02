"""orgs/ledger/rows.py on PostgreSQL (jsonb, timestamptz, RETURNING): the same checks as
tests/orgs/test_rows.py on SQLite."""

from __future__ import annotations

import pytest

from reviews.feedback import services as fb
from tests.conftest import make_org, make_review, make_system, make_user
from tests.orgs.test_rows import (
    check_insert_matches_the_orm,
    check_insert_then,
    check_insert_with,
    check_lookup_matches_the_orm,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def channel():
    owner = make_user("owner")
    review = make_review(make_system(make_org(owner), owner), owner)
    return fb.channel_create(
        actor=owner, review=review, title="Loans", system_description="S", purpose="P"
    )


def test_an_insert_stores_what_the_orm_stores_on_postgresql(channel):
    check_insert_matches_the_orm(channel)


def test_a_lookup_reads_what_the_orm_reads_on_postgresql(channel):
    check_lookup_matches_the_orm(channel)


def test_an_insert_then_an_update_in_one_statement_on_postgresql(channel):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        check_insert_then(channel)
    together = [q["sql"] for q in queries if q["sql"].startswith("WITH new_row AS (INSERT")]
    assert len(together) == 2, [q["sql"][:80] for q in queries]


def test_an_insert_with_a_query_unless_a_row_is_found_on_postgresql(channel):
    check_insert_with(channel)


def test_a_public_submission_locks_the_chain_head_in_its_insert(channel):
    """The submission's INSERT also locks the chain head (create_logged): another
    transaction cannot lock it until the first commits; the event recorded is intact."""
    import psycopg
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from orgs.ledger.models import Event, EventChain
    from orgs.ledger.services import verify_organization
    from reviews.feedback.models import Submission

    db = settings.DATABASES["default"]
    other = psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname=db["NAME"],
        autocommit=True,
    )
    head = EventChain._meta.db_table
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        submission, _code = fb.submission_create(channel=channel, text="Locked?", language="en")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            other.execute(
                f'SELECT 1 FROM "{head}" WHERE organization_id = %s FOR UPDATE NOWAIT',  # noqa: S608 - test's own table
                [channel.organization_id],
            )
    other.execute(
        f'SELECT 1 FROM "{head}" WHERE organization_id = %s FOR UPDATE NOWAIT',  # noqa: S608 - test's own table
        [channel.organization_id],
    )
    other.close()
    statements = [q["sql"] for q in queries]
    assert sum("LEFT JOIN LATERAL" in q for q in statements) == 1, statements
    assert not any(q.startswith(f'SELECT id, length, head_hash FROM "{head}"') for q in statements)
    event = Event.objects.filter(object_id=str(submission.pk)).get()
    assert event.verb == "create" and event.after["status"] == Submission.objects.get().status
    assert verify_organization(channel.organization_id, "acme").intact
