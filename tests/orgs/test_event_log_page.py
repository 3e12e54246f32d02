"""The event log people can read (issue #9): pages by cursor, filters, objects named and
linked, what changed, anonymity kept, the verification's outcome, a review's history."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import services as audits
from orgs import selectors as org_selectors
from orgs.ledger.chain import record
from orgs.ledger.models import Event
from orgs.ledger.reading import changes
from orgs.ledger.selectors import event_view
from reviews import selectors as review_selectors
from reviews import services
from reviews.harms import services as harms
from reviews.harms.models import HarmCategory
from reviews.models import Decision, ReviewStatus
from reviews.workshops import services as ws

LOG = reverse("event_log")


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


@pytest.fixture
def client_as(db):
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def category(db):
    return HarmCategory.objects.get(slug="opportunity-loss")


def seqs(page: str) -> list[int]:
    return [int(s) for s in re.findall(r'id="event-(\d+)"', page)]


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]*)" rel="{rel}"', page)
    return html.unescape(found.group(1)) if found else None


def get(client, query: str = "") -> str:
    response = client.get(LOG + query)
    assert response.status_code == 200
    return response.content.decode()


def add_events(org, actor, objects, count: int, at: datetime | None = None) -> None:
    """``count`` update events, cycling through ``objects`` (as written by services)."""
    with transaction.atomic(), mock.patch("orgs.ledger.chain.timezone.now") as now:
        now.return_value = at or datetime.now(UTC)
        for i in range(count):
            obj = objects[i % len(objects)]
            record(
                organization_id=org.pk,
                actor=actor,
                verb="update",
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
                before={"title": f"v{i}"},
                after={"title": f"v{i + 1}"},
            )


# --- Pages -------------------------------------------------------------------------------


def test_it_pages_through_the_log_newest_first_with_older_and_newer_links(
    org, owner, review, client_as
):
    add_events(org, owner, [review], 120)
    last = Event.objects.filter(organization=org).order_by("-seq").first().seq
    client = client_as(owner)
    first = get(client)
    assert seqs(first) == list(range(last, last - 50, -1))
    assert link(first, "prev") is None
    second = get(client, link(first, "next"))
    assert seqs(second) == list(range(last - 50, last - 100, -1))
    third = get(client, link(second, "next"))
    assert seqs(third) == list(range(last - 100, 0, -1))
    assert link(third, "next") is None  # the oldest page
    back = get(client, link(third, "prev"))
    assert seqs(back) == seqs(second)
    assert seqs(get(client, link(back, "prev"))) == seqs(first)
    assert 'href="?">Newest</a>' in second


def test_a_cursor_keeps_the_filters(org, owner, reviewer, review, client_as):
    add_events(org, owner, [review], 60)
    add_events(org, reviewer, [review], 60)
    first = get(client_as(owner), "?actor=ravi")
    older = link(first, "next")
    assert "actor=ravi" in older and "before=" in older
    rest = get(client_as(owner), older)
    assert len(seqs(first)) == 50 and len(seqs(rest)) == 10


def test_a_page_costs_the_same_queries_at_10_and_200_events(
    org, owner, review, category, client_as
):
    harm = harms.harm_create(actor=owner, review=review, title="H", category=category)
    stakeholder = harms.stakeholder_create(actor=owner, review=review, name="S", kind="direct")
    workshop = ws.workshop_create(actor=owner, review=review, title="W")
    membership = org.memberships.get(user=owner)
    # The same object types on the first page either way (the fixtures' events included).
    seat = workshop.participants.get()  # the facilitator's
    objects = [review, harm, stakeholder, workshop, seat, review.system, org, membership]
    client = client_as(owner)

    def queries_for_a_page(query: str = "") -> int:
        with CaptureQueriesContext(connection) as captured:
            get(client, query)
        return len(captured)

    add_events(org, owner, objects, 10)
    get(client)  # the session's first request does a little more
    small = queries_for_a_page()
    add_events(org, owner, objects, 190)
    assert queries_for_a_page() == small
    older = link(get(client), "next")
    assert queries_for_a_page(older) <= small + 1  # one more: is there a newer page?
    # 8 object types on the page: one query each to name them, one access check per page
    # kind they link to; the rest is the session, the middleware and the base template.
    assert small <= 40, small


# --- Filters -----------------------------------------------------------------------------


def test_it_filters_by_actor_verb_and_object_type(
    org, owner, reviewer, review, category, client_as
):
    harms.harm_create(actor=owner, review=review, title="Declined", category=category)
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    services.signoff_create(actor=reviewer, review=review, decision=Decision.APPROVE)
    client = client_as(owner)

    by_ravi = get(client, "?actor=ravi")
    assert seqs(by_ravi) and "Sign-off on review" in by_ravi and "Harm ‘" not in by_ravi
    signed = get(client, "?verb=sign_off")
    assert len(seqs(signed)) == 1
    harm_events = get(client, "?object_type=harms.harm")
    assert seqs(harm_events) == list(
        Event.objects.filter(object_type="harms.harm")
        .order_by("-seq")
        .values_list("seq", flat=True)
    )
    assert "No events match these filters" in get(client, "?actor=nobody")


def test_it_filters_by_date_range(org, owner, review, client_as):
    add_events(org, owner, [review], 3, at=datetime(2024, 1, 10, 12, tzinfo=UTC))
    add_events(org, owner, [review], 2, at=datetime(2024, 3, 5, 23, 59, tzinfo=UTC))
    client = client_as(owner)
    march = seqs(get(client, "?since=2024-02-01"))
    january = seqs(get(client, "?since=2024-01-10&until=2024-01-31"))
    assert len(march) == 2 + Event.objects.filter(at__year__gt=2024).count()
    assert len(january) == 3
    assert seqs(get(client, "?since=2024-03-05&until=2024-03-05")) == march[:2]


@pytest.mark.parametrize(
    "query, problem",
    [
        ("?since=2024-13-45", "From: Enter a valid date."),
        ("?until=yesterday", "To: Enter a valid date."),
        ("?since=2024-03-01&until=2024-01-01", "To: The “to” date is before the “from” date."),
        ("?object_type=nope.nothing", "Object: Select a valid choice."),
        ("?before=-3", "Before: "),
        ("?after=99999999999999999999999999", "After: "),
        ("?review=1e5", "Review: "),
    ],
)
def test_a_bad_filter_is_a_message_not_an_error(org, owner, review, client_as, query, problem):
    page = get(client_as(owner), query)
    assert html.unescape(problem) in html.unescape(page)
    assert seqs(page)  # the filters that parsed still apply; the log is still there


@pytest.mark.parametrize(
    "query",
    [
        "?actor=%00",
        "?verb=" + "x" * 500,
        "?actor=a&actor=b&since=&until=",
        "?before=0",
        "?after=1.5&before=abc",
        "?since=0000-00-00",
        "?since=9999-12-31&until=9999-12-31",
        "?since=0001-01-01",
        "?review=%F0%9F%92%A5",
        "?object_type[]=x",
    ],
)
def test_no_input_breaks_the_page(org, owner, review, client_as, query):
    assert client_as(owner).get(LOG + query).status_code == 200


def test_filtering_by_actor_never_reaches_another_readers_anonymous_events(
    org, owner, facilitator, review, category, client_as
):
    workshop = ws.workshop_create(actor=facilitator, review=review, title="Anon", anonymous=True)
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status="open")
    ws.workshop_join(actor=owner, workshop=workshop)
    ws.card_add(actor=owner, workshop=workshop, title="Mine", category=category)
    mine = Event.objects.filter(anonymous=True, actor=owner)
    anonymous = set(mine.values_list("seq", flat=True))
    assert anonymous
    assert anonymous <= set(seqs(get(client_as(owner), "?actor=olivia")))
    seen = get(client_as(facilitator), "?actor=olivia")
    assert not anonymous & set(seqs(seen))


def test_the_review_filter_shows_the_reviews_events_and_its_signoffs(
    org, owner, reviewer, review, category, client_as
):
    harms.harm_create(actor=owner, review=review, title="Not in it", category=category)
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    services.signoff_create(actor=reviewer, review=review, decision=Decision.APPROVE)
    page = get(client_as(owner), f"?review={review.pk}")
    expected = review_selectors.events_about(review, org_selectors.events_for(owner))
    assert seqs(page) == list(expected.values_list("seq", flat=True))
    assert "Not in it" not in page and "Sign-off on review" in page


def test_the_review_filter_finds_nothing_of_another_organization(
    org, owner, outsider, other_org, client_as
):
    from tests.conftest import make_review, make_system

    theirs = make_review(make_system(other_org, outsider, name="Their model"), outsider)
    page = get(client_as(owner), f"?review={theirs.pk}")
    assert seqs(page) == [] and "Their model" not in page


# --- Names and links ---------------------------------------------------------------------

NAMES = {
    "reviews.aisystem": "AI system ‘Credit model’",
    "reviews.review": "Review ‘Pre-launch review’",
    "reviews.signoff": "Sign-off on review ‘Pre-launch review’",
    "harms.harm": "Harm ‘H’",
    "harms.stakeholder": "Stakeholder ‘S’",
    "harms.mitigation": "Mitigation ‘M’",
    "harms.rating": "Rating of harm ‘H’",
    "harms.vote": "Vote for harm ‘H’",
    "workshops.workshop": "Workshop ‘W’",
    "workshops.boardcard": "Card ‘H’",
    "workshops.consequence": "Consequence ‘x’",
    "workshops.workshopinvitation": "Invitation link to workshop ‘W’",
    "workshops.workshopparticipant": "Seat in workshop ‘W’",
    "audits.dataset": "Dataset ‘small.csv’",
    "audits.auditrun": "Audit run #{run}",
    "audits.launchgate": "Launch gate ‘Demographic parity ratio on all features ≥ 0.8’",
    "orgs.organization": "Organization ‘Acme Lending’",
    "orgs.membership": "Membership of ravi",
    "members.memberinvitation": "Invitation to join as viewer",
}


def _links(world, review) -> dict[str, str | None]:
    from audits.models import AuditRun, Dataset
    from reviews.workshops.models import Workshop

    run, dataset = AuditRun.objects.get(), Dataset.objects.get()
    workshop = Workshop.objects.get(title="W")
    register = reverse("harm_register", args=[review.pk])
    board = reverse("workshop_board", args=[workshop.pk])
    return {
        "reviews.aisystem": reverse("system_detail", args=[review.system_id]),
        "reviews.review": reverse("review_detail", args=[review.pk]),
        "reviews.signoff": reverse("review_detail", args=[review.pk]),
        **dict.fromkeys(
            ["harms.harm", "harms.stakeholder", "harms.mitigation", "harms.rating", "harms.vote"],
            register,
        ),
        "workshops.workshop": board,
        "workshops.boardcard": board,
        "workshops.workshopinvitation": board,
        "workshops.workshopparticipant": board,
        "audits.dataset": reverse("audit_configure", args=[dataset.pk]),
        "audits.auditrun": reverse("audit_run_detail", args=[run.pk]),
        "audits.launchgate": reverse("launch_gates", args=[review.pk]),
        "orgs.organization": None,
        "orgs.membership": reverse("members"),
        "members.memberinvitation": reverse("members"),
    }


def test_every_object_type_is_named_and_linked(world, owner, review, client_as):
    from audits.models import AuditRun

    client = client_as(owner)
    links = _links(world, review)
    for object_type, name in NAMES.items():
        name = name.format(run=AuditRun.objects.get().pk)
        page = get(client, f"?object_type={object_type}")
        assert seqs(page), object_type
        assert f"{object_type}:" not in page
        url = links.get(object_type)
        if object_type == "workshops.consequence":
            from reviews.workshops.models import Consequence

            url = reverse("workshop_board", args=[Consequence.objects.get().workshop_id])
        if url:
            assert f'<a href="{url}">{name}</a>' in page, object_type
        else:
            assert f"<span>{name}</span>" in page, object_type


def test_a_link_is_given_only_where_the_reader_may_open_the_page(world, viewer, client_as):
    page = get(client_as(viewer), "?object_type=audits.dataset")
    assert "<span>Dataset ‘small.csv’</span>" in page  # configuring an audit needs audit.run
    invitations = get(client_as(viewer), "?object_type=members.memberinvitation")
    assert "<span>Invitation to join as viewer</span>" in invitations  # owners' page
    harm_page = get(client_as(viewer), "?object_type=harms.harm")
    assert '">Harm ‘H’</a>' in harm_page


def test_a_deleted_object_is_named_from_its_last_state_without_a_link(
    org, owner, review, category, client_as
):
    harm = harms.harm_create(actor=owner, review=review, title="Gone soon", category=category)
    harms.harm_delete(actor=owner, harm=harm)
    gate = audits.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        comparator=">=",
        threshold=0.8,
        action="block_launch",
    )
    audits.launch_gate_delete(actor=owner, gate=gate)
    page = get(client_as(owner))
    assert page.count("<span>Harm ‘Gone soon’ (deleted)</span>") == 2  # created, deleted
    assert "<span>Launch gate ‘demographic_parity_ratio’ (deleted)</span>" in page
    assert reverse("harm_register", args=[review.pk]) not in page


def test_a_name_is_escaped_and_shortened(org, owner, review, category, client_as):
    title = "<script>alert(1)</script> " + "very long " * 20
    harms.harm_create(actor=owner, review=review, title=title, category=category)
    page = get(client_as(owner), "?object_type=harms.harm")
    assert "<script>alert(1)" not in page
    assert "Harm ‘&lt;script&gt;alert(1)&lt;/script&gt; very long" in page and "…’" in page


# --- What changed ------------------------------------------------------------------------


def test_an_update_shows_the_fields_it_changed_old_and_new(org, owner, review, category, client_as):
    harm = harms.harm_create(actor=owner, review=review, title="Old title", category=category)
    harms.harm_update(actor=owner, harm=harm, title="New title")
    page = get(client_as(owner), "?verb=update&object_type=harms.harm")
    assert "What changed (1)" in page
    assert re.search(
        r"<dt>Title</dt><dd><span class=\"old\">Old title</span> .*?"
        r"<span class=\"new\">New title</span></dd>",
        page,
    )
    assert "<dt>Updated at</dt>" not in page and "<dt>Status</dt>" not in page


def test_changes_show_only_what_differs_with_field_names_for_people(org, owner, review):
    event = Event.objects.filter(object_type="reviews.review", verb="create").get()
    created = {c.field: c.new for c in changes(event_view(event, owner.pk))}
    assert created["Title"] == "Pre-launch review" and created["System"] == str(review.system_id)
    assert "Id" not in created and "Organization" not in created and "Due date" not in created
    services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    moved = Event.objects.filter(verb="transition").get()
    diff = [(c.field, c.old, c.new) for c in changes(event_view(moved, owner.pk))]
    assert ("Status", "draft", "in_review") in diff
    assert all(old != new for _field, old, new in diff)


def test_an_anonymous_event_keeps_its_author_hidden_in_names_and_diffs(
    org, owner, facilitator, viewer, participant, review, category, client_as
):
    workshop = ws.workshop_create(actor=facilitator, review=review, title="Anon", anonymous=True)
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status="open")
    ws.workshop_join(actor=participant, workshop=workshop)
    harm = ws.card_add(actor=participant, workshop=workshop, title="Secret", category=category)
    ws.card_rate(actor=participant, workshop=workshop, harm=harm, severity=4, likelihood=4, scale=4)
    for reader in (owner, facilitator, viewer):
        page = get(client_as(reader))
        # A membership names its member, as the members page does; nothing else names her.
        assert "anonymous participant" in page
        assert "paula" not in page.replace("Membership of paula", "")
        hidden = [e for e in page.split('<li class="event"') if "anonymous participant" in e]
        authors = re.findall(r"<dt>(?:Author|User)</dt><dd>([^<]*)</dd>", "".join(hidden))
        assert len(hidden) >= 3 and set(authors) == {"(hidden)"}, reader
        assert "Seat in workshop ‘Anon’" in page and "Rating of harm ‘Secret’" in page


def test_a_participant_does_not_read_the_log(org, participant, review, client_as):
    page = get(client_as(participant))
    assert "Your role does not include reading the event log" in page and not seqs(page)


# --- Verification ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_in_eager_mode_the_page_shows_the_verifications_result(org, owner, review, client_as):
    page = client_as(owner).post(LOG, follow=True).content.decode()
    count = Event.objects.filter(organization=org).count()
    assert f"Verified: intact, {count} events." in page
    assert "Verification queued" not in page


@pytest.mark.django_db(transaction=True)
def test_in_eager_mode_a_broken_chain_is_reported_at_once(org, owner, review, client_as):
    target = Event.objects.filter(organization=org).order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_event SET verb = 'edited' WHERE id = %s", [target.pk])
    page = client_as(owner).post(LOG, follow=True).content.decode()
    assert f"Verified: broken at #{target.seq}: event #{target.seq}" in html.unescape(page)
    assert 'class="msg-error"' in page


def test_a_verification_still_on_its_way_says_it_is_queued(org, owner, client_as):
    # Inside the test's transaction nothing commits, so the task has not run yet.
    page = client_as(owner).post(LOG, follow=True).content.decode()
    assert "Verification queued." in page


# --- A review's history ------------------------------------------------------------------


def test_the_review_page_shows_its_newest_20_events_named_with_a_full_history_link(
    org, owner, reviewer, review, client_as
):
    add_events(org, owner, [review], 30)
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    services.signoff_create(actor=reviewer, review=review, decision=Decision.APPROVE)
    page = client_as(owner).get(reverse("review_detail", args=[review.pk])).content.decode()
    history = page[page.index('id="history-h"') :]
    expected = review_selectors.events_about(review, org_selectors.events_for(owner))
    assert seqs(history) == list(expected.values_list("seq", flat=True)[:20])
    assert "ravi</strong>\n      signed off" in history
    assert "Sign-off on review ‘Pre-launch review’" in history
    assert "<dt>Status</dt>" in history  # the transition's diff
    assert f'href="{LOG}?review={review.pk}">Full history</a>' in history
