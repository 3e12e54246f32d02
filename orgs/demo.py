"""Demo people and organization for ``make run``. Every app with a ``demo.py`` adds its
part (``seed``, then ``finish``) in INSTALLED_APPS order; see the seed_demo command."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from . import services
from .models import Organization, Role

DEMO_PASSWORD = "forethought-demo"  # noqa: S105 - printed to the person running the demo
DEMO_USERS = [
    ("demo", Role.OWNER, "Dana", "Owner"),
    ("facilitator", Role.FACILITATOR, "Femi", "Facilitator"),
    ("reviewer", Role.REVIEWER, "Rosa", "Reviewer"),
    ("participant", Role.PARTICIPANT, "Pat", "Participant"),
]


@dataclass
class Demo:
    """What the apps' demo seeds share: the people, the organization, and whatever a
    lower app made that a higher one builds on (the review, the workshop, ...)."""

    users: dict[str, Any] = field(default_factory=dict)
    organization: Organization | None = None
    made: dict[str, Any] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)

    @property
    def owner(self) -> Any:
        return self.users["demo"]


def seed(demo: Demo) -> None:
    User = get_user_model()
    for username, _role, first, last in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        demo.users[username] = user
    owner = demo.owner
    if not owner.is_staff:
        owner.is_staff = owner.is_superuser = True
        owner.save(update_fields=["is_staff", "is_superuser"])
    organization = Organization.objects.filter(slug="demo-lending").first()
    if organization is None:
        organization = services.organization_create(
            actor=owner, name="Demo Lending Co", slug="demo-lending"
        )
    demo.organization = organization
