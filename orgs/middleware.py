from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import access
from .selectors import organizations_for

SESSION_KEY = "current_organization_id"


class CurrentOrganizationMiddleware:
    """Sets ``request.organization``: the organization the web pages show.

    Chosen with the organization switcher and kept in the session; falls back to the
    user's first organization. Always one the user belongs to.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The rest of the request reads each person's roles once (orgs.access).
        with access.remembering_roles():
            return self._call(request)

    def _call(self, request: HttpRequest) -> HttpResponse:
        request.organization = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            orgs = organizations_for(user)
            wanted = request.session.get(SESSION_KEY)
            organization = orgs.filter(pk=wanted).first() if wanted else None
            request.organization = organization or orgs.first()  # type: ignore[attr-defined]
        return self.get_response(request)
