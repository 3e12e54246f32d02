"""The event ledger: an HMAC chain per organization, checked against signed checkpoints
kept outside the database. Each way of tampering with the database is a test."""

import hashlib
import hmac
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from orgs.ledger import checkpoints
from orgs.ledger.chain import GENESIS_HASH, canonical_json, verify_chain
from orgs.ledger.models import Event, EventChain
from orgs.ledger.services import verify_all, verify_organization
from reviews import services
from reviews.models import ReviewStatus


@pytest.fixture(autouse=True)
def _checkpoints_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "event_checkpoints": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "checkpoints")},
        },
    }
    from django.core.files.storage import storages

    storages._storages.pop("event_checkpoints", None)
    yield
    storages._storages.pop("event_checkpoints", None)


def _verify(org_slug: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = ["--organization", org_slug] if org_slug else []
    call_command("verify_events", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _report(org):
    return verify_organization(org.pk, org.slug)


def test_each_hash_is_an_hmac_of_every_field_and_the_previous_hash(org, review, settings):
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
        "actor_id": last.actor_id,
        "actor": last.actor_username,
        "verb": last.verb,
        "object_type": last.object_type,
        "object_id": last.object_id,
        "before": last.before,
        "after": last.after,
        "anonymous": last.anonymous,
        "at": last.at.isoformat(),
        "prev_hash": last.prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = settings.EVENT_CHAIN_KEY.encode()
    assert last.hash == hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    # A plain SHA-256 of the same text (what a forger without the key could compute) differs.
    assert last.hash != hashlib.sha256(text.encode()).hexdigest()


def test_verify_events_passes_on_an_untouched_chain(org, review, owner):
    services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    out, err = _verify("acme")
    count = Event.objects.filter(organization=org).count()
    assert out.strip() == f"acme: intact, {count} events"
    assert err == ""


def test_verify_events_names_the_event_edited_with_sql(org, review, owner):
    services.review_update(actor=owner, review=review, title="Second title")
    target = Event.objects.get(organization=org, verb="update", object_type="reviews.review")
    _sql(
        "UPDATE ledger_event SET after = %s WHERE id = %s",
        [json.dumps({**target.after, "title": "Quietly changed"}), target.pk],
    )
    with pytest.raises(CommandError) as info:
        _verify("acme")
    assert info.value.returncode == 1
    report = _report(org)
    assert (report.intact, report.first_broken_seq, report.first_broken_id) == (
        False,
        target.seq,
        target.pk,
    )
    assert f"#{target.seq} (id {target.pk}) was altered" in report.message


@pytest.mark.parametrize(
    ("column", "value"),
    [("actor_username", "someone-else"), ("actor_id", None), ("anonymous", True)],
)
def test_every_stored_field_is_covered_including_the_actor(org, review, owner, column, value):
    target = Event.objects.filter(organization=org).order_by("seq").last()
    _sql(f"UPDATE ledger_event SET {column} = %s WHERE id = %s", [value, target.pk])  # noqa: S608
    report = _report(org)
    assert not report.intact
    assert report.first_broken_seq == target.seq


def test_rewriting_the_chain_after_an_edit_needs_the_key(org, review, owner):
    """Edit an event, then recompute every later hash as a forger without the key would
    (SHA-256, or an HMAC under a guessed key): verification still finds the first edit."""
    services.review_update(actor=owner, review=review, title="Second title")
    services.review_update(actor=owner, review=review, title="Third title")
    events = list(Event.objects.filter(organization=org).order_by("seq"))
    start = events[-2]
    prev = start.prev_hash
    for i, event in enumerate(events[-2:]):
        after = {**event.after, "title": "Rewritten"} if i == 0 else event.after
        payload = {
            "organization": event.organization_id,
            "seq": event.seq,
            "actor_id": event.actor_id,
            "actor": event.actor_username,
            "verb": event.verb,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "before": event.before,
            "after": after,
            "anonymous": event.anonymous,
            "at": event.at.isoformat(),
            "prev_hash": prev,
        }
        forged = hmac.new(b"guessed-key", canonical_json(payload).encode(), "sha256").hexdigest()
        _sql(
            "UPDATE ledger_event SET after = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [json.dumps(after), prev, forged, event.pk],
        )
        prev = forged
    _sql("UPDATE ledger_eventchain SET head_hash = %s WHERE organization_id = %s", [prev, org.pk])
    report = _report(org)
    assert not report.intact
    assert report.first_broken_seq == start.seq
    assert "altered" in report.message


def test_verify_events_catches_a_deleted_row_in_the_middle(org, review, owner):
    services.review_update(actor=owner, review=review, title="Second title")
    middle = Event.objects.get(organization=org, seq=3)
    _sql("DELETE FROM ledger_event WHERE id = %s", [middle.pk])
    report = _report(org)
    assert not report.intact
    assert report.first_broken_seq == 3
    assert "event #3 is missing" in report.message


def test_verify_events_catches_rows_removed_from_the_end(org, review, owner):
    last = Event.objects.filter(organization=org).order_by("-seq").first()
    _sql("DELETE FROM ledger_event WHERE id = %s", [last.pk])
    report = _report(org)
    assert not report.intact
    assert report.first_broken_seq == last.seq
    assert "removed" in report.message


def test_a_checkpoint_catches_the_last_events_removed_with_the_head_reset(org, review, owner):
    services.review_update(actor=owner, review=review, title="Second title")
    checkpoints.write_checkpoint()
    events = list(Event.objects.filter(organization=org).order_by("seq"))
    keep = events[:-2]
    _sql(
        "DELETE FROM ledger_event WHERE organization_id = %s AND seq > %s",
        [org.pk, keep[-1].seq],
    )
    _sql(
        "UPDATE ledger_eventchain SET length = %s, head_hash = %s WHERE organization_id = %s",
        [keep[-1].seq, keep[-1].hash, org.pk],
    )
    # The chain alone now looks whole ...
    assert verify_chain(org.pk, org.slug).intact
    # ... but not against the checkpoint written before the deletion.
    report = _report(org)
    assert not report.intact
    assert report.first_broken_seq == keep[-1].seq + 1
    assert f"recorded {len(events)} events" in report.message


def test_a_checkpoint_catches_an_organizations_whole_chain_deleted(org, review, other_org):
    checkpoints.write_checkpoint()
    _sql("DELETE FROM ledger_event WHERE organization_id = %s", [org.pk])
    _sql("DELETE FROM ledger_eventchain WHERE organization_id = %s", [org.pk])
    assert verify_chain(org.pk, org.slug).intact  # nothing left to contradict itself
    reports = {r.organization: r for r in verify_all()}
    assert not reports["acme"].intact
    assert "event #1 onwards was removed" in reports["acme"].message
    assert reports["other"].intact
    with pytest.raises(CommandError) as info:
        _verify()
    assert info.value.returncode == 1


def test_a_rewritten_chain_differs_from_the_checkpoint(org, review, owner, settings):
    """Even someone holding the key who rewrites history is caught by the checkpoint."""
    checkpoints.write_checkpoint()
    events = list(Event.objects.filter(organization=org).order_by("seq"))
    last = events[-1]
    from orgs.ledger.chain import compute_hash

    last.after = {**last.after, "title": "Rewritten with the key"}
    new_hash = compute_hash(last)
    _sql(
        "UPDATE ledger_event SET after = %s, hash = %s WHERE id = %s",
        [json.dumps(last.after), new_hash, last.pk],
    )
    _sql(
        "UPDATE ledger_eventchain SET head_hash = %s WHERE organization_id = %s", [new_hash, org.pk]
    )
    assert verify_chain(org.pk, org.slug).intact
    report = _report(org)
    assert not report.intact
    assert "differs from checkpoint" in report.message


def test_a_forged_checkpoint_is_refused(org, review):
    name = checkpoints.write_checkpoint()
    path = Path(checkpoints.storage().path(name))
    body = json.loads(path.read_text())
    body["chains"][0]["length"] = 1
    path.write_text(json.dumps(body))
    report = _report(org)
    assert not report.intact
    assert "not signed with this EVENT_CHAIN_KEY" in report.message


def test_the_checkpoint_command_writes_a_signed_file_of_every_head(org, review, other_org):
    out = io.StringIO()
    call_command("checkpoint_events", stdout=out)
    latest = checkpoints.latest_checkpoint()
    assert latest is not None and latest.valid
    assert latest.name in out.getvalue()
    assert latest.heads[org.pk].length == EventChain.objects.get(organization=org).length
    assert latest.slugs == {org.pk: "acme", other_org.pk: "other"}


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


def test_deleting_a_user_leaves_their_events_untouched(org, review, reviewer):
    from reviews.harms import services as harms

    harms.stakeholder_create(actor=reviewer, review=review, name="Applicants", kind="direct")
    acted = list(Event.objects.filter(actor_id=reviewer.pk).values_list("pk", "actor_username"))
    assert acted and all(name == "ravi" for _pk, name in acted)
    reviewer_id = reviewer.pk
    reviewer.delete()
    assert (
        list(Event.objects.filter(actor_id=reviewer_id).values_list("pk", "actor_username"))
        == acted
    )
    assert _report(org).intact


def test_a_rolled_back_change_leaves_no_event(org, owner, review):
    before = EventChain.objects.get(organization=org).length
    with pytest.raises(RuntimeError), transaction.atomic():
        services.review_update(actor=owner, review=review, title="Never")
        raise RuntimeError("abort")
    assert EventChain.objects.get(organization=org).length == before
    assert _report(org).intact


def test_each_organization_has_its_own_chain(org, review, other_org):
    first = Event.objects.filter(organization=other_org).order_by("seq").first()
    assert first.prev_hash == GENESIS_HASH
    assert _report(org).intact and _report(other_org).intact
