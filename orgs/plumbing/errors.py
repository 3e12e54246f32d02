"""Errors that services raise; the API and pages turn them into 400/403/409 answers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

__all__ = ["Conflict", "PermissionDenied", "ServiceError", "refusal_message"]


class ServiceError(Exception):
    """Bad input: the request cannot be carried out as given (HTTP 400)."""

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or []

    def as_dict(self) -> dict[str, Any]:
        if self.field:
            return {self.field: [self.message]}
        body: dict[str, Any] = {"detail": self.message}
        if self.details:
            body["details"] = self.details
        return body


class Conflict(ServiceError):
    """The object is not in a state that allows this (HTTP 409)."""

    status_code = 409


def refusal_message(exc: ServiceError | PermissionDenied) -> str:
    """What to tell the person when a service refused (bad input, state or permission)."""
    if isinstance(exc, ServiceError):
        return exc.message
    return str(exc) or "Your role does not allow this."
