from .selectors import organizations_for, role_in


def organizations(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(request, "organization", None)
    from .models import Notice

    return {
        "unread_notices": Notice.objects.for_user(user).filter(read_at=None).count(),
        "my_organizations": organizations_for(user),
        "current_organization": current,
        "current_role": role_in(user, current) if current else None,
    }
