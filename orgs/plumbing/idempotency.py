"""Idempotent writes: a request that carries a key is answered once.

1. ``begin`` records the key (user, key) with a fingerprint of the request, committed at
   once, before the write. A second request with the key finds the record: the same
   request gets the kept answer (waiting up to ``IDEMPOTENCY_WAIT_SECONDS`` while the first
   is still running), a different request is refused (409).
2. ``finish`` keeps the answer (its status, type, redirect and body). An answer of 500 or
   more is not kept: the key is released so the request can be retried.
Records are purged after ``IDEMPOTENCY_KEEP_HOURS`` (celery beat).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import Conflict, ServiceError
from .models import IdempotencyKey

MAX_KEY_LENGTH = 200
MAX_KEPT_BODY = 1 << 20  # a bigger answer is kept without its body


@dataclass(frozen=True)
class Answer:
    status_code: int
    content_type: str
    location: str
    body: bytes


def fingerprint(method: str, path: str, data: Any) -> str:
    """The request's identity: method, path and data (files by name and size)."""
    text = json.dumps([method, path, data], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _answer(record: IdempotencyKey) -> Answer:
    return Answer(
        record.status_code or 200, record.content_type, record.location, bytes(record.body)
    )


def begin(*, user_id: int, key: str, print_: str) -> tuple[int | None, Answer | None]:
    """(record id to finish, None) to go ahead, or (None, the kept answer) to replay it."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ServiceError(
            f"An idempotency key is 1 to {MAX_KEY_LENGTH} characters.", field="Idempotency-Key"
        )
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(user_id=user_id, key=key, fingerprint=print_)
        return record.pk, None
    except IntegrityError:
        pass
    deadline = time.monotonic() + settings.IDEMPOTENCY_WAIT_SECONDS
    while True:
        found = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
        if found is None:  # released after a failure meanwhile: go ahead
            return begin(user_id=user_id, key=key, print_=print_)
        record = found
        if record.fingerprint != print_:
            raise Conflict("This idempotency key was already used for a different request.")
        if record.state == IdempotencyKey.State.DONE:
            return None, _answer(record)
        if time.monotonic() >= deadline:
            raise Conflict("A request with this idempotency key is still being processed.")
        time.sleep(0.1)


def finish(record_id: int, answer: Answer) -> None:
    if answer.status_code >= 500:
        IdempotencyKey.objects.filter(pk=record_id).delete()
        return
    IdempotencyKey.objects.filter(pk=record_id).update(
        state=IdempotencyKey.State.DONE,
        status_code=answer.status_code,
        content_type=answer.content_type[:200],
        location=answer.location[:2000],
        body=answer.body if len(answer.body) <= MAX_KEPT_BODY else b"",
    )


def purge() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def form_data(post: Any, files: Any) -> dict[str, Any]:
    """A page form's fields (its CSRF token and key aside) and files by name and size."""
    data: dict[str, Any] = {
        name: values
        for name, values in post.lists()
        if name not in ("csrfmiddlewaretoken", "idempotency_key")
    }
    for name, uploads in files.lists():
        data[name] = [[f.name, f.size] for f in uploads]
    return data


class IdempotencyMiddleware:
    """Page forms that carry a hidden ``idempotency_key`` (``{% idempotency_field %}``)
    are answered once: a double click or a resubmitted form replays the first answer.
    It acts after the CSRF check (``process_view``); the API has its own (api_support)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        record_id = getattr(request, "_idempotency_record", None)
        if record_id is not None:
            finish(record_id, _answer_of(response))
        return response

    def process_view(self, request: Any, view: Any, args: Any, kwargs: Any) -> Any:
        if request.method != "POST" or request.path.startswith("/api/"):
            return None
        if not request.user.is_authenticated or getattr(view, "csrf_exempt", False):
            return None
        key = request.POST.get("idempotency_key", "")
        if not key:
            return None
        from django.http import HttpResponse

        print_ = fingerprint("POST", request.path, form_data(request.POST, request.FILES))
        try:
            record_id, answer = begin(user_id=request.user.pk, key=key, print_=print_)
        except ServiceError as exc:
            return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain")
        if answer is not None:
            return replay(answer)
        request._idempotency_record = record_id
        return None


def _answer_of(response: Any) -> Answer:
    body = b"" if getattr(response, "streaming", False) else response.content
    return Answer(
        response.status_code,
        response.get("Content-Type", ""),
        response.get("Location", ""),
        body,
    )


def replay(answer: Answer) -> Any:
    from django.http import HttpResponse

    response = HttpResponse(answer.body, status=answer.status_code)
    if answer.content_type:
        response["Content-Type"] = answer.content_type
    if answer.location:
        response["Location"] = answer.location
    response["Idempotent-Replayed"] = "true"
    return response
