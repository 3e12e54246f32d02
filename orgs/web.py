"""What every app's pages share: the current organization and form submission."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest

from .models import Organization
from .plumbing.errors import PermissionDenied, ServiceError, refusal_message

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def current_organization(request: HttpRequest) -> Organization:
    """The organization the pages show (set by CurrentOrganizationMiddleware)."""
    organization: Organization | None = getattr(request, "organization", None)
    if organization is None:
        raise Http404("You are not a member of any organization yet.")
    return organization


def actor(request: HttpRequest) -> User:
    """The logged-in person a page acts for. Every page that writes is ``@login_required``,
    so the refusal is only a backstop."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied("Log in to do this.")
    return user


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def form_error(form: forms.Form) -> str:
    return "; ".join(
        f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items()
    )


def submit(request: HttpRequest, form: forms.Form, call: Callable[..., Any], ok: str) -> bool:
    """Validate a page form, call the service with its data, and flash the outcome."""
    if not form.is_valid():
        messages.error(request, form_error(form))
        return False
    try:
        call(**form.cleaned_data)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
        return False
    messages.success(request, ok)
    return True


def save_form(form: forms.BaseForm, call: Callable[..., Any]) -> bool:
    """Validate a page form and call the service with its data; a refusal of the service
    lands on the field it names (or the form), so the page shows it beside the input. A
    permission refusal is raised (the 403 page says why)."""
    if not form.is_valid():
        return False
    try:
        call(**form.cleaned_data)
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, refusal_message(exc))
        return False
    return True


PAGE_SIZE = 50


def paginate(
    request: HttpRequest, rows: Any, per_page: int = PAGE_SIZE, param: str = "page"
) -> Any:
    """One page of ``rows`` (``?page=``, the last page for a number past it, the first for
    anything else): a list page stays the same size however long the history grows. The
    template includes ``_pager.html`` with ``page``."""
    from django.core.paginator import Paginator

    return Paginator(rows, per_page).get_page(request.GET.get(param))
