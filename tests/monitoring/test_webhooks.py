"""Signed webhooks: the documented verification accepts a real delivery and refuses forged
signatures and replays; failed deliveries are retried with exponential backoff and logged;
loopback, private, link-local and metadata addresses are refused unless allowed."""

from __future__ import annotations

import socket

import pytest

from audits.engine import webhook_signing as signing
from audits.incidents import delivery, escalation
from audits.incidents.models import Delivery
from orgs.plumbing.errors import ServiceError


def _delivery(monitor, hook, event="gate.breach"):
    return Delivery.objects.create(
        organization_id=monitor.organization_id,
        webhook=hook,
        event=event,
        payload={"event": event, "action": "rollback"},
    )


def test_the_receiver_verifies_a_delivery_and_refuses_replays_and_forgeries(
    monitor, owner, receiver, settings
):
    local = receiver()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    hook = escalation.webhook_create(actor=owner, monitor=monitor, url=local.url)
    row = _delivery(monitor, hook)
    assert escalation.delivery_attempt(delivery_id=row.pk) == "delivered"
    headers, body = local.got[0]
    seen: set[str] = set()
    signature, delivery_id = headers[signing.HEADER], headers["Forethought-Delivery"]
    signing.verify(hook.secret, signature, body, delivery_id, seen)  # accepted
    with pytest.raises(signing.SignatureError, match="already accepted"):
        signing.verify(hook.secret, signature, body, delivery_id, seen)
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify(hook.secret, signature, body.replace(b"rollback", b"nothing"), "x", set())
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify("whsec_wrong", signature, body, "y", set())
    timestamp = int(signature.split(",")[0][2:])
    with pytest.raises(signing.SignatureError, match="outside the tolerance"):
        signing.verify(hook.secret, signature, body, "z", set(), now=timestamp + 301)
    forged_time = signing.sign(hook.secret, body, timestamp).replace(
        f"t={timestamp}", f"t={timestamp + 1000}"
    )
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify(hook.secret, forged_time, body, "w", set(), now=timestamp + 1000)


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
    monitor, owner, receiver, settings
):
    local = receiver([500, 503])
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    hook = escalation.webhook_create(actor=owner, monitor=monitor, url=local.url)
    row = _delivery(monitor, hook)
    assert escalation.delivery_attempt(delivery_id=row.pk) == "retry"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.response_code) == ("retrying", 1, 500)
    assert escalation.delivery_attempt(delivery_id=row.pk) == "retry"
    assert escalation.delivery_attempt(delivery_id=row.pk) == "delivered"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.response_code) == ("delivered", 3, 200)
    assert [escalation.backoff(k) for k in (1, 2, 3, 4)] == [30, 60, 120, 240]
    # The same delivery id every time: a receiver dedupes retries by it.
    assert {h["Forethought-Delivery"] for h, _ in local.got} == {str(row.pk)}


def test_it_gives_up_after_the_last_attempt(monitor, owner, receiver, settings):
    local = receiver([500, 500])
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    hook = escalation.webhook_create(actor=owner, monitor=monitor, url=local.url)
    row = _delivery(monitor, hook)
    escalation.delivery_attempt(delivery_id=row.pk)
    assert escalation.delivery_attempt(delivery_id=row.pk) == "failed"
    assert escalation.delivery_attempt(delivery_id=row.pk) == "failed"
    assert len(local.got) == 2


def test_it_refuses_loopback_private_link_local_and_metadata_addresses(
    monitor, owner, receiver, settings, monkeypatch
):
    for url in (
        "http://127.0.0.1:8270/",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost/",
        "ftp://hooks.example.org/",
        "http://user:pw@hooks.example.org/",
    ):
        with pytest.raises(ServiceError):
            escalation.webhook_create(actor=owner, monitor=monitor, url=url)
    # A public-looking name that resolves to loopback (DNS rebinding) is refused at
    # delivery, after DNS, and the refusal is logged; nothing reaches the receiver.
    local = receiver()
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        return real("127.0.0.1" if host == "rebind.example.org" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = local.url.replace("127.0.0.1", "rebind.example.org")
    hook = escalation.webhook_create(actor=owner, monitor=monitor, url=url)
    row = _delivery(monitor, hook)
    assert escalation.delivery_attempt(delivery_id=row.pk) == "refused"
    row.refresh_from_db()
    assert row.status == "refused" and "refused" in row.error and local.got == []
    for unsafe in ("http://rebind.example.org/x", "http://[fd00:ec2::254]/"):
        with pytest.raises(delivery.UnsafeURL):
            delivery.resolve(unsafe, frozenset())
    # Named in WEBHOOK_ALLOWED_HOSTS, the same name is delivered to.
    settings.WEBHOOK_ALLOWED_HOSTS = ["rebind.example.org"]
    assert escalation.delivery_attempt(delivery_id=_delivery(monitor, hook).pk) == "delivered"


def test_the_delivery_task_retries_with_exponential_backoff(monitor, owner, settings, monkeypatch):
    from audits.incidents import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False  # as on a worker
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    monkeypatch.setattr(escalation, "delivery_attempt", lambda delivery_id: "retry")
    asked: list[int] = []

    class Retry(Exception):
        pass

    def retry(countdown: int) -> Retry:
        asked.append(countdown)
        return Retry()

    monkeypatch.setattr(tasks.deliver_webhook, "retry", retry)
    for retries in range(4):
        tasks.deliver_webhook.push_request(retries=retries)
        try:
            with pytest.raises(Retry):
                tasks.deliver_webhook.run(1)
        finally:
            tasks.deliver_webhook.pop_request()
    assert asked == [30, 60, 120, 240]
