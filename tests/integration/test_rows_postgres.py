"""orgs/ledger/rows.py on PostgreSQL (jsonb, timestamptz, RETURNING): the same checks as
tests/orgs/test_rows.py on SQLite."""

from __future__ import annotations

import pytest

from reviews.feedback import services as fb
from tests.conftest import make_org, make_review, make_system, make_user
from tests.orgs.test_rows import (
    check_insert_matches_the_orm,
    check_insert_then,
    check_insert_unless,
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


def test_an_insert_unless_a_row_is_found_on_postgresql(channel):
    check_insert_unless(channel)
