"""The public form under concurrency on PostgreSQL: the same words sent at the same moment
are stored once (the duplicate check takes turns per channel and text), different words
are all stored, and the event chain stays whole."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from orgs.ledger.models import Event, EventChain
from orgs.ledger.services import verify_organization
from orgs.plumbing.errors import Conflict
from reviews.feedback import services as fb
from reviews.feedback.models import Submission
from tests.conftest import make_org, make_review, make_system, make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SENDERS = 8


@pytest.fixture
def channel():
    owner = make_user("owner")
    org = make_org(owner)
    review = make_review(make_system(org, owner), owner)
    return fb.channel_create(
        actor=owner, review=review, title="Loans", system_description="S", purpose="P"
    )


def _send_at_once(channel, texts: list[str]) -> tuple[int, list[BaseException]]:
    stored: list[int] = []
    refused: list[BaseException] = []
    barrier = threading.Barrier(len(texts))

    def send(text: str) -> None:
        try:
            barrier.wait()
            submission, _code = fb.submission_create(channel=channel, text=text, language="en")
            stored.append(submission.pk)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            refused.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return len(stored), refused


def test_the_same_words_sent_at_the_same_moment_are_stored_once(channel):
    # Case and spacing differ: the fingerprint is the same, so is the lock.
    texts = [
        f"I was  refused {'WITHOUT' if i % 2 else 'without'} a reason." for i in range(SENDERS)
    ]
    stored, refused = _send_at_once(channel, texts)
    assert stored == 1
    assert len(refused) == SENDERS - 1
    assert all(isinstance(exc, Conflict) for exc in refused), refused
    assert Submission.objects.filter(channel=channel).count() == 1


def test_different_words_sent_at_the_same_moment_are_all_stored_in_one_chain(channel):
    organization_id = channel.organization_id
    before = EventChain.objects.get(organization_id=organization_id).length
    stored, refused = _send_at_once(channel, [f"Story number {i}." for i in range(SENDERS)])
    assert (stored, refused) == (SENDERS, [])
    assert Submission.objects.filter(channel=channel).count() == SENDERS
    chain = EventChain.objects.get(organization_id=organization_id)
    assert chain.length == before + SENDERS
    assert (
        Event.objects.filter(
            organization_id=organization_id, object_type="feedback.submission"
        ).count()
        == SENDERS
    )
    report = verify_organization(organization_id, "org")
    assert report.intact, report.message
