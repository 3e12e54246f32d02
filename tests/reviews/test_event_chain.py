import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from reviews import services
from reviews.events import GENESIS_HASH, verify_chain
from reviews.models import Event, EventChain, ReviewStatus


def _verify(org_slug: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = ["--organization", org_slug] if org_slug else []
    call_command("verify_events", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_each_hash_is_sha256_of_the_previous_hash_and_the_canonical_event(org, review):
    events = list(Event.objects.filter(organization=org).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS_HASH
    for previous, event in zip(events, events[1:], strict=False):
        assert event.prev_hash == previous.hash
    # Recompute one hash by hand from the documented recipe (docs/event-log.md).
    last = events[-1]
    payload = {
        "organization": last.organization_id,
        "seq": last.seq,
        "actor": last.actor_username,
        "verb": last.verb,
        "object_type": last.object_type,
        "object_id": last.object_id,
        "before": last.before,
        "after": last.after,
        "at": last.at.isoformat(),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert last.hash == hashlib.sha256((last.prev_hash + text).encode()).hexdigest()


def test_verify_events_passes_on_an_untouched_chain(org, review, owner):
    services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    out, err = _verify("acme")
    count = Event.objects.filter(organization=org).count()
    assert out.strip() == f"acme: intact, {count} events"
    assert err == ""


def test_verify_events_names_the_event_edited_with_sql(org, review, owner):
    services.review_update(actor=owner, review=review, title="Second title")
    target = Event.objects.get(organization=org, verb="update", object_type="reviews.review")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reviews_event SET after = %s WHERE id = %s",
            [json.dumps({**target.after, "title": "Quietly changed"}), target.pk],
        )
    with pytest.raises(CommandError) as info:
        _verify("acme")
    assert info.value.returncode == 1
    report = verify_chain(org)
    assert (report.intact, report.first_broken_seq, report.first_broken_id) == (
        False,
        target.seq,
        target.pk,
    )
    assert f"#{target.seq} (id {target.pk}) was altered" in report.message


def test_verify_events_catches_a_deleted_row_in_the_middle(org, review, owner):
    services.review_update(actor=owner, review=review, title="Second title")
    middle = Event.objects.get(organization=org, seq=3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reviews_event WHERE id = %s", [middle.pk])
    report = verify_chain(org)
    assert not report.intact
    assert report.first_broken_seq == 3
    assert "event #3 is missing" in report.message


def test_verify_events_catches_rows_removed_from_the_end(org, review, owner):
    last = Event.objects.filter(organization=org).order_by("-seq").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reviews_event WHERE id = %s", [last.pk])
    report = verify_chain(org)
    assert not report.intact
    assert report.first_broken_seq == last.seq
    assert "removed" in report.message


def test_verify_events_checks_only_the_named_organization(org, review, other_org):
    out, _ = _verify("other")
    assert out.startswith("other: intact")
    assert "acme" not in out


def test_verify_events_exits_2_for_an_unknown_organization(db):
    with pytest.raises(CommandError) as info:
        _verify("nope")
    assert info.value.returncode == 2


def test_no_code_path_updates_or_deletes_events(org, review):
    event = Event.objects.filter(organization=org).first()
    with pytest.raises(TypeError, match="append-only"):
        Event.objects.filter(pk=event.pk).update(verb="x")
    with pytest.raises(TypeError, match="append-only"):
        Event.objects.filter(pk=event.pk).delete()
    event.verb = "x"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()


def test_a_rolled_back_change_leaves_no_event(org, owner, review):
    before = EventChain.objects.get(organization=org).length
    with pytest.raises(RuntimeError), transaction.atomic():
        services.review_update(actor=owner, review=review, title="Never")
        raise RuntimeError("abort")
    assert EventChain.objects.get(organization=org).length == before
    assert verify_chain(org).intact


def test_each_organization_has_its_own_chain(org, review, other_org):
    assert Event.objects.filter(organization=other_org).order_by("seq").first().prev_hash == (
        GENESIS_HASH
    )
    assert verify_chain(org).intact and verify_chain(other_org).intact
