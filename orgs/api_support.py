"""What every app's REST API shares: the policy permission, scoped related fields, and
the error handler that turns service errors into 400/409 answers."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import access
from .plumbing import idempotency
from .plumbing.errors import ServiceError

if TYPE_CHECKING:
    from django.contrib.auth.models import User

OBJECT_ACTIONS = frozenset({"update", "partial_update", "destroy"})


class PolicyPermission(BasePermission):
    """Reads need a login (querysets scope them through the policy). A viewset names the
    policy action of each of its write actions in ``policy``; a write whose action the
    user's role allows in none of their organizations is refused before any lookup (403),
    and a write on an object asks the policy about that object. Services decide last."""

    message = "Your role does not allow this change."

    def _action(self, view: APIView) -> str | None:
        policy: dict[str, str] = getattr(view, "policy", {})
        return policy.get(getattr(view, "action", "") or "")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        action = self._action(view)
        return action is None or access.can_somewhere(user, action)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        # Edits and deletes ask about the object itself; custom actions (a transition, a
        # card added to a workshop) are refused by their service, which says why.
        if request.method in SAFE_METHODS or getattr(view, "action", "") not in OBJECT_ACTIONS:
            return True
        action = self._action(view)
        return action is None or access.can(request.user, action, obj)


class Replayed(Exception):
    def __init__(self, answer: idempotency.Answer) -> None:
        self.answer = answer


def _jsonable(data: Any) -> Any:
    if hasattr(data, "lists"):
        return {name: [_jsonable(v) for v in values] for name, values in data.lists()}
    if isinstance(data, dict):
        return {str(k): _jsonable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_jsonable(v) for v in data]
    if hasattr(data, "read") and hasattr(data, "size"):  # an uploaded file
        return [getattr(data, "name", ""), data.size]
    return data


class ScopedViewSet(viewsets.GenericViewSet):
    """A viewset whose writes the policy checks, and whose POSTs are idempotent when they
    carry an ``Idempotency-Key`` header: a retry gets the first answer again."""

    permission_classes = [PolicyPermission]
    # An id is at most 18 digits: anything else is a 404, never an integer overflow.
    lookup_value_regex = "[0-9]{1,18}"
    # DRF action → policy action, e.g. {"create": "harm.create"}.
    policy: dict[str, str] = {}

    _idempotency_record: int | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        key = request.headers.get("Idempotency-Key")
        user_id = request.user.pk
        if request.method != "POST" or key is None or user_id is None:
            return
        print_ = idempotency.fingerprint("POST", request.path, _jsonable(request.data))
        record_id, answer = idempotency.begin(user_id=user_id, key=key, print_=print_)
        if answer is not None:
            raise Replayed(answer)
        self._idempotency_record = record_id

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Replayed):
            return idempotency.replay(exc.answer)
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        record_id, self._idempotency_record = self._idempotency_record, None
        if record_id is not None:
            if hasattr(response, "render"):
                response.render()
            idempotency.finish(record_id, idempotency._answer_of(response))
        return response

    @property
    def actor(self) -> User:
        """The logged-in person the request acts for. PolicyPermission has already turned
        anonymous requests away, so the refusal is only a backstop."""
        user = self.request.user
        if not user.is_authenticated:
            raise NotAuthenticated()
        return user


class StrictInput:
    """A serializer mixin: a field the request may not set is a 400 naming it, not silently
    ignored (a client that sends ``status`` on create, or misspells a field, learns so)."""

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            fields = self.fields  # type: ignore[attr-defined]
            errors = {}
            for name in data:
                field = fields.get(name)
                if field is None:
                    errors[name] = ["Unknown field."]
                elif field.read_only:
                    errors[name] = ["This field cannot be set here."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


@extend_schema_field(OpenApiTypes.INT)
class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A related object the requesting user can see; anything else "does not exist"."""

    def __init__(self, selector: Callable[[Any], Any], **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return self.selector(self.context["request"].user)


class UserField(serializers.SlugRelatedField):
    """Users are named by username in the API."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "username")
        kwargs.setdefault("queryset", get_user_model().objects.all())
        super().__init__(**kwargs)


def organizations_for_action(action: str) -> Callable[[Any], Any]:
    """Choices for an ``organization`` field: where the user's role allows ``action``."""
    return lambda user: access.organizations_where(user, action)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus service errors (400/409) and Django validation errors (400)."""
    if isinstance(exc, ServiceError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, AxesBackendPermissionDenied):
        # The token endpoint while logins are throttled: 429 and how long to wait.
        minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME * 60))
        return Response(
            {"detail": f"Too many failed logins. Try again in {minutes} minutes."},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(minutes * 60)},
        )
    if isinstance(exc, DjangoValidationError):
        body: dict[str, Any] = {"detail": " ".join(exc.messages)}
        if hasattr(exc, "error_dict"):
            body = dict(exc.message_dict)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    # Every error body is an object: a bare list of messages becomes its "detail".
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(message) for message in response.data)}
    return response


ERROR_DETAIL = inline_serializer(name="ErrorDetail", fields={"detail": serializers.CharField()})
CONFLICT = inline_serializer(
    name="Conflict",
    fields={
        "detail": serializers.CharField(),
        "details": serializers.ListField(child=serializers.DictField(), required=False),
    },
)


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Any string of 1 to 200 characters, new for each intended write. A retry "
    "with the same key gets the first answer again (header Idempotent-Replayed: true) "
    "instead of writing twice; the same key with a different request is a 409. Answers are "
    "kept for 24 hours.",
    pattern="^[!-~]{1,200}$",
)


class ForethoughtAutoSchema(AutoSchema):
    """Documents the error answers the API really gives, beside its successes:
    400 (field messages, or ``detail``), 401 and 403 (``detail``), 404 (``detail``: not in
    your organizations, or no such page), 409 (``detail`` and sometimes ``details``: the
    object's state forbids the change), 415 (a body the route cannot read)."""

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method == "POST" and isinstance(self.view, ScopedViewSet):
            parameters.append(IDEMPOTENCY_HEADER)
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        errors: dict[str, Any] = {"403": ERROR_DETAIL, "404": ERROR_DETAIL}
        permissions = getattr(self.view, "permission_classes", [])
        if not any(getattr(p, "__name__", "") == "AllowAny" for p in permissions):
            errors["401"] = ERROR_DETAIL
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        if writes or self._is_list_view():
            errors["400"] = OpenApiTypes.OBJECT
        if writes:
            errors["409"] = CONFLICT
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = ERROR_DETAIL  # a body in a media type the route does not read
        if type(self.view).__name__ == "TokenView":
            errors["429"] = ERROR_DETAIL  # failed logins are throttled
        for code, body in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(body, code, direction=direction)
        return responses
