from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import Organization
from .selectors import role_in


class RoleWritePermission(BasePermission):
    """Reads need a login (querysets do the scoping); writes need one of ``view.write_roles``.

    ``has_permission`` refuses a write outright when the user holds none of those roles in
    any organization, so a viewer gets 403 before any lookup. Per-object checks then use
    the role in the object's own organization; services repeat the precise rule.
    """

    message = "Your role does not allow this change."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        roles = getattr(view, "write_roles", frozenset())
        return user.memberships.filter(role__in=list(roles)).exists()

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        roles = getattr(view, "write_roles", frozenset())
        organization = obj if isinstance(obj, Organization) else obj.organization
        return role_in(request.user, organization) in roles
