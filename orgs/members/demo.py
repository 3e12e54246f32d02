"""The demo organization's members (see orgs/demo.py for how the apps' demo seeds compose)."""

from __future__ import annotations

from orgs.demo import DEMO_USERS, Demo
from orgs.models import Membership

from . import services


def seed(demo: Demo) -> None:
    organization = demo.organization
    assert organization is not None
    for username, role, _first, _last in DEMO_USERS:
        user = demo.users[username]
        if not Membership.objects.filter(organization=organization, user=user).exists():
            services.membership_add(
                actor=demo.owner, organization=organization, user=user, role=role
            )
    demo.summary.append(f"{organization.name} with {len(DEMO_USERS)} members")
