from typing import Any

from django.http import HttpRequest

from . import access
from .selectors import organizations_for, unread_notices


def organizations(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(request, "organization", None)
    role = access.standing(user, current) if current else None
    return {
        "unread_notices": unread_notices(user),
        "my_organizations": organizations_for(user),
        "current_organization": current,
        "current_role": role,
        # A guest opens only their workshops: the header offers those and nothing else.
        "workshop_guest": role == access.GUEST,
    }
