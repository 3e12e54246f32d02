"""A write sent twice (a retry, a double click, three tabs at once) is done once."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from orgs.plumbing import idempotency
from orgs.plumbing.models import IdempotencyKey
from reviews.harms import services as harms
from reviews.harms.models import Harm, HarmCategory, Rating
from reviews.workshops import services as ws
from tests.conftest import api_as


@pytest.fixture
def open_workshop(review, owner):
    workshop = ws.workshop_create(actor=owner, review=review, title="W")
    return ws.workshop_set_status(actor=owner, workshop=workshop, status="open")


def _card(client, workshop, key, title="Postcode pricing"):
    return client.post(
        f"/api/workshops/{workshop.pk}/cards/",
        {"title": title, "category": "economic-loss"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_an_api_retry_with_the_same_key_gets_the_first_answer_and_writes_once(open_workshop, owner):
    client = api_as(owner)
    first = _card(client, open_workshop, "k-1")
    again = _card(client, open_workshop, "k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Harm.objects.count() == 1
    other = _card(client, open_workshop, "k-2")
    assert other.status_code == 201 and Harm.objects.count() == 2


def test_a_key_reused_for_a_different_request_is_a_409(open_workshop, owner):
    client = api_as(owner)
    assert _card(client, open_workshop, "k-1").status_code == 201
    reused = _card(client, open_workshop, "k-1", title="Something else")
    assert reused.status_code == 409
    assert "different request" in reused.json()["detail"]
    assert Harm.objects.count() == 1


def test_keys_belong_to_one_person(open_workshop, owner, facilitator):
    ws.workshop_join(actor=facilitator, workshop=open_workshop)
    assert _card(api_as(owner), open_workshop, "shared").status_code == 201
    assert _card(api_as(facilitator), open_workshop, "shared").status_code == 201
    assert Harm.objects.count() == 2


def test_an_overlong_key_is_a_400(open_workshop, owner):
    response = _card(api_as(owner), open_workshop, "k" * 201)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()


def test_a_double_submitted_page_form_creates_one_row(open_workshop, owner, client):
    client.force_login(owner)
    url = reverse("workshop_add_card", args=[open_workshop.pk])
    data = {"title": "Double click", "category": "economic-loss", "idempotency_key": "abc"}
    first = client.post(url, data, HTTP_HX_REQUEST="true")
    second = client.post(url, data, HTTP_HX_REQUEST="true")
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert Harm.objects.filter(title="Double click").count() == 1
    board = client.get(reverse("workshop_board", args=[open_workshop.pk])).content.decode()
    assert 'name="idempotency_key"' in board and "crypto.randomUUID" in board


def test_a_failed_answer_releases_the_key(open_workshop, owner):
    record_id, answer = idempotency.begin(user_id=owner.pk, key="k", print_="p")
    assert answer is None
    idempotency.finish(record_id, idempotency.Answer(500, "text/plain", "", b"boom"))
    assert not IdempotencyKey.objects.exists()


def test_old_answers_are_purged(owner, settings):
    from datetime import timedelta

    from django.utils import timezone

    record_id, _ = idempotency.begin(user_id=owner.pk, key="old", print_="p")
    IdempotencyKey.objects.filter(pk=record_id).update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS + 1)
    )
    idempotency.begin(user_id=owner.pk, key="new", print_="p")
    assert idempotency.purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def _in_parallel(n, call):
    results, errors = [None] * n, []
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait()
            results[i] = call(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_three_identical_posts_at_once_create_one_card(review, owner):
    from reviews.harms.taxonomy import load_taxonomy

    load_taxonomy(HarmCategory)
    workshop = ws.workshop_create(actor=owner, review=review, title="W")
    ws.workshop_set_status(actor=owner, workshop=workshop, status="open")
    statuses = _in_parallel(3, lambda i: _card(api_as(owner), workshop, "same").status_code)
    assert statuses == [201, 201, 201]
    assert Harm.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_ratings_sent_at_once_report_what_happened(review, owner):
    from reviews.harms.taxonomy import load_taxonomy

    load_taxonomy(HarmCategory)
    harm = harms.harm_create(
        actor=owner, review=review, title="H", category=HarmCategory.objects.first()
    )
    answers = _in_parallel(
        2,
        lambda i: (
            api_as(owner)
            .post(
                "/api/ratings/",
                {"harm": harm.pk, "severity": 2 + i, "likelihood": 3, "scale": 3},
                format="json",
            )
            .status_code
        ),
    )
    assert sorted(answers) == [200, 201]  # one created it, the other changed it
    assert Rating.objects.count() == 1
