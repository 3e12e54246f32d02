import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from config.celery import app as celery_app
from orgs import services as org_services
from orgs.ledger.models import ChainVerification, Event, EventChain
from orgs.ledger.services import verify_organization
from reviews import services
from reviews.models import AISystem
from tests.conftest import make_org, make_review, make_system, make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker():
    """A real `celery -A config worker` process talking to the test database."""
    celery_app.control.purge()
    env = {**os.environ, "DATABASE_URL": _test_database_url()}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            "itest@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("celery worker exited early:\n" + proc.stdout.read())
        if celery_app.control.ping(timeout=1.0):
            break
    else:
        proc.kill()
        pytest.fail("celery worker did not answer ping within 60 s")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wait_for(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_a_real_worker_runs_the_task_enqueued_on_commit(worker):
    owner = make_user("olivia")
    org = make_org(owner)
    make_review(make_system(org, owner), owner)
    with transaction.atomic():
        verification = org_services.event_log_verify(actor=owner, organization=org)
        # Not sent yet: the task only goes to the broker after this transaction commits.
        time.sleep(0.5)
        assert ChainVerification.objects.get(pk=verification.pk).status == "pending"
    done = _wait_for(
        lambda: ChainVerification.objects.filter(pk=verification.pk, status="done").first()
    )
    assert done.intact is True
    assert done.checked == Event.objects.filter(organization=org).count()
    assert done.worker  # the worker's host name, written by the worker process


def test_the_ping_task_round_trips_through_redis(worker):
    from orgs.tasks import ping

    assert ping.delay().get(timeout=30) == "pong"


def test_healthz_reports_a_live_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_parallel_writers_in_one_organization_do_not_fork_the_chain():
    owner = make_user("olivia")
    org = make_org(owner)
    start_length = EventChain.objects.get(organization=org).length
    threads_n, per_thread = 6, 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_n)

    def write(worker_no: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                services.system_create(
                    actor=owner, organization=org, name=f"model {worker_no}-{i} ✓ café"
                )
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    total = threads_n * per_thread
    assert AISystem.objects.filter(organization=org).count() == total
    chain = EventChain.objects.get(organization=org)
    assert chain.length == start_length + total
    seqs = list(
        Event.objects.filter(organization=org).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, chain.length + 1))
    report = verify_organization(org.pk, org.slug)
    assert report.intact, report.message
    assert report.checked == chain.length


def test_postgresql_itself_refuses_to_update_or_delete_an_event():
    """The append-only trigger of migration ledger 0002: raw SQL cannot rewrite history."""
    from django.db import DatabaseError

    owner = make_user("olivia")
    org = make_org(owner)
    event = Event.objects.filter(organization=org).order_by("seq").first()
    for statement in (
        "UPDATE ledger_event SET verb = 'forged' WHERE id = %s",
        "DELETE FROM ledger_event WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert Event.objects.get(pk=event.pk).verb == event.verb
    assert verify_organization(org.pk, org.slug).intact
