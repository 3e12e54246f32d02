"""Who may do what: the one place that says it.

Everyone stands in one of these relations to an organization:

* a **member**, by role: owner, facilitator, reviewer, participant or viewer;
* a **workshop guest** (role ``guest``): joined through a workshop invitation and reaches
  only the workshops they hold a seat in;
* an **outsider** (logged in, not in the organization) or **anonymous** (not logged in):
  they reach only public things, such as an invitation link they hold.

``POLICY`` maps every action to the grants that allow it. A grant names roles and, for some
actions, a relation the person must also have to the object: a seat in its workshop
(``seated``), being the workshop's facilitator (``facilitates``), or the row being their
own (``own``). A model says how to find a relation from one of its rows (``access_paths``,
the lookup from the row to the user); this module says when a relation matters.

Services call ``require(actor, action, obj)``; pages, templates and the API ask
``can(actor, action, obj)`` what to show, and ``scope(queryset, user)`` limits every read.
Because every grant starts from a standing in the organization, a person removed from it
loses everything at once: seats, facilitator rights and guest links included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save

from .models import Membership, Organization, Role

Actor = AbstractBaseUser | AnonymousUser | None

OWNER = Role.OWNER.value
FACILITATOR = Role.FACILITATOR.value
REVIEWER = Role.REVIEWER.value
PARTICIPANT = Role.PARTICIPANT.value
VIEWER = Role.VIEWER.value
GUEST = Role.GUEST.value
OUTSIDER = "outsider"  # logged in, but not in the organization
ANONYMOUS = "anonymous"  # not logged in

# Every standing, from most to least trusted (the policy table test walks all of them).
STANDINGS: tuple[str, ...] = (
    OWNER,
    FACILITATOR,
    REVIEWER,
    PARTICIPANT,
    VIEWER,
    GUEST,
    OUTSIDER,
    ANONYMOUS,
)
MEMBERS = frozenset({OWNER, FACILITATOR, REVIEWER, PARTICIPANT, VIEWER})
EDITORS = frozenset({OWNER, FACILITATOR, REVIEWER})
DECIDERS = frozenset({OWNER, REVIEWER})
RUNNERS = frozenset({OWNER, FACILITATOR})
CONTRIBUTORS = EDITORS | {PARTICIPANT}
ANYONE = frozenset(STANDINGS)
# Accepting an invitation needs an account; the link's page creates one for a newcomer.
LOGGED_IN = ANYONE - {ANONYMOUS}

# What a relation means, in words for a refusal.
RELATION_HINTS: dict[str, str] = {
    "seated": "Join the workshop first.",
    "facilitates": "Only the workshop's facilitator, or an owner or facilitator of the "
    "organization, can do this.",
    "own": "You can only do this to your own.",
}


@dataclass(frozen=True)
class Grant:
    """``roles`` may do the action, provided they also hold ``relation`` to the object,
    and, when ``setting`` names a field of the organization (a list of roles), are listed
    there: the organization chooses who among ``roles`` may."""

    roles: frozenset[str]
    relation: str | None = None
    setting: str | None = None


def _grant(roles: Iterable[str], relation: str | None = None, setting: str | None = None) -> Grant:
    return Grant(frozenset(roles), relation, setting)


# action → (what it is in words, the grants that allow it). An action with no grants is
# done only on behalf of another action (see DELEGATES).
POLICY: dict[str, tuple[str, tuple[Grant, ...]]] = {
    # Organizations and people
    "organization.read": ("see the organization", (_grant(MEMBERS | {GUEST}),)),
    "organization.update": ("change the organization's settings", (_grant({OWNER}),)),
    "membership.read": (
        "see who is a member",
        (_grant(MEMBERS), _grant({GUEST}, "own")),
    ),
    "membership.update": ("change members' roles", (_grant({OWNER}),)),
    "membership.delete": ("remove members", (_grant({OWNER}),)),
    "member_invitation.read": ("see invitations to join", (_grant({OWNER}),)),
    "member_invitation.create": ("invite members", (_grant({OWNER}),)),
    "member_invitation.revoke": ("withdraw invitations", (_grant({OWNER}),)),
    "member_invitation.accept": ("accept an invitation", (_grant(LOGGED_IN),)),
    "notice.read": ("read notices", (_grant(MEMBERS | {GUEST}, "own"),)),
    "event.read": (
        "read the event log",
        (_grant({OWNER, FACILITATOR, REVIEWER, VIEWER}),),
    ),
    "event.verify": ("verify the event log", (_grant(EDITORS),)),
    # AI systems, reviews, sign-offs
    "system.read": ("see AI systems", (_grant(MEMBERS),)),
    "system.create": ("create AI systems", (_grant(EDITORS),)),
    "system.update": ("edit AI systems", (_grant(EDITORS),)),
    "system.delete": ("delete AI systems", (_grant({OWNER}),)),
    "system.own": ("own an AI system", (_grant(MEMBERS),)),
    "review.read": ("see reviews", (_grant(MEMBERS),)),
    "review.create": ("create reviews", (_grant(EDITORS),)),
    "review.update": ("edit reviews", (_grant(EDITORS),)),
    "review.delete": ("delete reviews", (_grant({OWNER}),)),
    "review.lead": ("lead a review", (_grant(MEMBERS),)),
    "review.submit": ("send a review for sign-off", (_grant(EDITORS),)),
    "review.withdraw": ("return a review to draft", (_grant(EDITORS),)),
    "review.reopen": ("reopen a rejected review", (_grant(EDITORS),)),
    "review.approve": ("approve a review", (_grant(DECIDERS),)),
    "review.reject": ("reject a review", (_grant(DECIDERS),)),
    "review.archive": ("archive a review", (_grant({OWNER}),)),
    "review.reopen_approved": (
        "reopen an approved review (a new sign-off round)",
        (_grant({OWNER}),),
    ),
    "risk.read": ("see risk acceptances", (_grant(MEMBERS),)),
    "risk.accept": (
        "accept a risk (roles chosen by the organization; owners by default)",
        (_grant(MEMBERS, setting="risk_acceptance_roles"),),
    ),
    "risk.revoke": (
        "withdraw a risk acceptance",
        (_grant(MEMBERS, setting="risk_acceptance_roles"),),
    ),
    "signoff.read": ("see sign-offs", (_grant(MEMBERS),)),
    "signoff.create": ("sign off reviews", (_grant(EDITORS),)),
    # Stakeholders, harms, ratings, votes, mitigations
    "stakeholder.read": ("see stakeholders", (_grant(MEMBERS),)),
    "stakeholder.create": ("add stakeholders", (_grant(EDITORS),)),
    "stakeholder.update": ("edit stakeholders", (_grant(EDITORS),)),
    "stakeholder.delete": ("delete stakeholders", (_grant(EDITORS),)),
    "harm.read": ("see harms", (_grant(MEMBERS),)),
    "harm.create": ("add harms", (_grant(EDITORS),)),
    "harm.update": ("edit harms", (_grant(EDITORS),)),
    "harm.delete": ("delete harms", (_grant(EDITORS),)),
    "rating.read": ("see ratings", (_grant(MEMBERS | {GUEST}, "own"),)),
    "rating.set": ("rate harms outside a workshop", (_grant(EDITORS),)),
    "vote.read": ("see votes", (_grant(MEMBERS | {GUEST}, "own"),)),
    "vote.create": ("vote for harms", ()),
    "vote.delete": ("take back votes", ()),
    "mitigation.read": ("see mitigations", (_grant(MEMBERS),)),
    "mitigation.create": ("add mitigations", (_grant(EDITORS),)),
    "mitigation.update": ("edit mitigations", (_grant(EDITORS),)),
    "mitigation.delete": ("delete mitigations", (_grant(EDITORS),)),
    "mitigation.own": ("own a mitigation", (_grant(MEMBERS),)),
    # Workshops
    "workshop.read": ("open the workshop", (_grant(MEMBERS), _grant({GUEST}, "seated"))),
    "workshop.create": ("create workshops", (_grant(EDITORS),)),
    "workshop.facilitate": ("facilitate a workshop", (_grant(EDITORS),)),
    "workshop.run": (
        "run the workshop (open, close, change rounds)",
        (_grant(RUNNERS), _grant(EDITORS, "facilitates")),
    ),
    "workshop.update": (
        "edit a workshop (title, schedule, facilitator, votes, anonymity)",
        (_grant(RUNNERS), _grant(EDITORS, "facilitates")),
    ),
    "workshop.delete": (
        "delete a workshop nobody has used yet",
        (_grant(RUNNERS), _grant(EDITORS, "facilitates")),
    ),
    "workshop.join": ("join workshops", (_grant(CONTRIBUTORS),)),
    "workshop.contribute": (
        "add cards, ratings and votes in the workshop",
        (_grant(CONTRIBUTORS | {GUEST}, "seated"),),
    ),
    "participant.read": (
        "see who is in the workshop",
        (_grant(MEMBERS), _grant({GUEST}, "seated")),
    ),
    "consequence.read": ("see consequence cards", (_grant(MEMBERS), _grant({GUEST}, "seated"))),
    "workshop_invitation.read": (
        "see the workshop's invitation links",
        (_grant(RUNNERS), _grant(EDITORS, "facilitates")),
    ),
    "workshop_invitation.create": (
        "create invitation links",
        (_grant(RUNNERS), _grant(EDITORS, "facilitates")),
    ),
    "workshop_invitation.revoke": (
        "revoke invitation links",
        (_grant(RUNNERS), _grant(EDITORS, "facilitates")),
    ),
    "workshop_invitation.update": (
        "edit invitation links (label, community, expiry, uses)",
        (_grant(RUNNERS), _grant(EDITORS, "facilitates")),
    ),
    "workshop_invitation.accept": ("accept an invitation", (_grant(LOGGED_IN),)),
    # Audits and launch gates
    "dataset.read": ("see datasets", (_grant(MEMBERS),)),
    "dataset.upload": ("upload datasets", (_grant(EDITORS),)),
    "audit.read": ("see audits", (_grant(MEMBERS),)),
    "audit.run": ("run audits", (_grant(EDITORS),)),
    "launch_gate.read": ("see launch gates", (_grant(MEMBERS),)),
    "launch_gate.create": ("set launch gates", (_grant(EDITORS),)),
    "launch_gate.update": ("edit launch gates", (_grant(EDITORS),)),
    "launch_gate.delete": ("remove launch gates", (_grant(EDITORS),)),
    "verdict.read": ("see launch-gate verdicts", (_grant(MEMBERS),)),
    # Community feedback (reviews/feedback): the public form itself needs no standing.
    "feedback_channel.read": ("see feedback channels", (_grant(MEMBERS),)),
    "feedback_channel.create": ("open feedback channels", (_grant(EDITORS),)),
    "feedback_channel.update": ("edit, pause and close feedback channels", (_grant(EDITORS),)),
    "feedback_settings.update": ("set feedback retention and contact roles", (_grant({OWNER}),)),
    "submission.read": ("read community feedback and its themes", (_grant(MEMBERS),)),
    "submission.triage": (
        "triage feedback (themes, stakeholder groups, links to harms)",
        (_grant(EDITORS),),
    ),
    "submission.hide": ("hide feedback or mark it as spam", (_grant(EDITORS),)),
    "submission_contact.read": (
        "see a submitter's contact details (roles chosen by the organization; owners and "
        "reviewers by default)",
        (_grant(MEMBERS, setting="feedback_contact_roles"),),
    ),
    "feedback_reply.read": ("see replies to feedback", (_grant(MEMBERS),)),
    "feedback_reply.create": ("publish replies to feedback", (_grant(EDITORS),)),
    "feedback_reply.delete": ("withdraw replies to feedback", (_grant(EDITORS),)),
    # Model cards
    "modelcard.read": ("see model cards", (_grant(MEMBERS),)),
    "modelcard.create": ("start a model card", (_grant(EDITORS),)),
    "modelcard.update": (
        "edit model card drafts (sections, analysis, imports, new drafts)",
        (_grant(EDITORS),),
    ),
    "modelcard.publish": ("publish a model card version", (_grant(DECIDERS),)),
    # Compliance checklists, assessments, evidence and controls
    "checklist.read": ("see compliance checklists", (_grant(MEMBERS),)),
    "checklist.attach": ("attach a framework's checklist to a review", (_grant(EDITORS),)),
    "checklist.update": ("change a checklist's readiness rule", (_grant(EDITORS),)),
    "checklist.upgrade": ("upgrade a checklist to a new framework version", (_grant(EDITORS),)),
    "assessment.read": ("see checklist assessments", (_grant(MEMBERS),)),
    "assessment.update": ("assess checklist items", (_grant(EDITORS),)),
    "assessment.own": ("own a checklist item", (_grant(MEMBERS),)),
    "assessment.sign_off": ("sign off a checklist item", (_grant(DECIDERS),)),
    "evidence.read": ("see compliance evidence", (_grant(MEMBERS),)),
    "evidence.add": ("add compliance evidence", (_grant(EDITORS),)),
    "evidence.remove": ("remove compliance evidence", (_grant(EDITORS),)),
    "control.read": ("see controls", (_grant(MEMBERS),)),
    "control.create": ("create controls", (_grant(EDITORS),)),
    "control.update": ("edit controls and their evidence", (_grant(EDITORS),)),
    "control.own": ("own a control", (_grant(MEMBERS),)),
    # Signed review dossiers (verifying one is public: /verify/)
    "dossier.read": ("see and download review dossiers", (_grant(MEMBERS),)),
    "dossier.export": ("export signed review dossiers", (_grant(EDITORS),)),
    "dossier.countersign": (
        "record an auditor's counter-signed copy of a dossier",
        (_grant(EDITORS),),
    ),
    # Monitoring after launch (audits/monitoring)
    "monitor.read": ("see monitors, their batches and readings", (_grant(MEMBERS),)),
    "monitor.create": ("set up monitors", (_grant(EDITORS),)),
    "monitor.update": ("change or pause monitors", (_grant(EDITORS),)),
    "batch.push": ("send production batches to a monitor", (_grant(EDITORS),)),
    "incident.read": ("see incidents", (_grant(MEMBERS),)),
    "incident.create": ("open incidents", (_grant(EDITORS),)),
    "incident.update": ("move incidents along and link evidence", (_grant(EDITORS),)),
    "webhook.read": ("see webhooks and their delivery log", (_grant(EDITORS),)),
    "webhook.create": ("add webhooks", (_grant({OWNER, FACILITATOR}),)),
    "webhook.update": ("change a webhook's URL or pause it", (_grant({OWNER, FACILITATOR}),)),
    "webhook.delete": ("remove webhooks", (_grant({OWNER, FACILITATOR}),)),
}

# Role-list settings kept by a higher app rather than on Organization (setting name →
# reader by organization id; an organization without its own choice gets the default),
# registered from that app's ready(): feedback contact roles.
SETTINGS: dict[str, Callable[[int], list[str]]] = {}

# A lower app's write done on behalf of a higher app's action: a card added on a workshop
# board is a harm created under "workshop.contribute", which the workshops service checks
# (seat, open workshop) before it asks the harms service to write. See ``Permit``.
DELEGATES: dict[str, frozenset[str]] = {
    "harm.create": frozenset({"workshop.contribute"}),
    "harm.update": frozenset({"workshop.contribute"}),
    "rating.set": frozenset({"workshop.contribute"}),
    "vote.create": frozenset({"workshop.contribute"}),
    "vote.delete": frozenset({"workshop.contribute"}),
    "stakeholder.create": frozenset({"workshop.contribute"}),
}


@dataclass(frozen=True)
class Permit:
    """Proof that ``require`` let ``actor_id`` do ``action`` in an organization (and, when
    set, within one review). A service of a lower app accepts one from a higher app's
    service in place of its own check when ``DELEGATES`` allows it. ``anonymous`` carries
    the venue's promise that contributions are anonymous, so the write is logged so."""

    actor_id: int | None
    action: str
    organization_id: int
    review_id: int | None = None
    anonymous: bool = False


class Tenant(Protocol):
    """A row that belongs to one organization."""

    pk: Any
    organization_id: int


_QS = TypeVar("_QS", bound=QuerySet[Any])


def label(action: str) -> str:
    return POLICY[action][0]


def grants(action: str) -> tuple[Grant, ...]:
    try:
        return POLICY[action][1]
    except KeyError:
        raise KeyError(f"No such action in the access policy: {action!r}") from None


def roles_allowed(action: str) -> frozenset[str]:
    """Every standing some grant of the action names (relations aside)."""
    out: frozenset[str] = frozenset()
    for grant in grants(action):
        out |= grant.roles
    return out


def organization_id_of(obj: Organization | Tenant | int) -> int:
    """The organization of a row (or an organization, or an organization's id)."""
    if isinstance(obj, int):
        return obj
    if isinstance(obj, Organization):
        return int(obj.pk)
    return int(obj.organization_id)


def _authenticated(user: Actor) -> bool:
    return user is not None and bool(user.is_authenticated)


# Within one request, each person's roles are read once (user id → organization id → role):
# a page asks ``can`` for every button it may show. ``remembering_roles`` turns this on for
# the length of a request (CurrentOrganizationMiddleware); any save or delete of a
# membership forgets everything read so far, so a role changed mid-request is seen at once.
# Outside a request (tasks, commands, services called directly) every check reads afresh.
_remembered: ContextVar[dict[int, dict[int, str]] | None] = ContextVar(
    "forethought_roles", default=None
)


@contextmanager
def remembering_roles() -> Iterator[None]:
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def _forget_roles(**_: object) -> None:
    remembered = _remembered.get()
    if remembered is not None:
        remembered.clear()


post_save.connect(_forget_roles, sender=Membership, dispatch_uid="access-forget-roles-save")
post_delete.connect(_forget_roles, sender=Membership, dispatch_uid="access-forget-roles-delete")


def _read_standings(user_id: int) -> dict[int, str]:
    return dict(Membership.objects.filter(user_id=user_id).values_list("organization_id", "role"))


def standing(user: Actor, organization: Organization | int) -> str:
    """The user's role in the organization, or ``outsider`` / ``anonymous``."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    org_id = organization if isinstance(organization, int) else organization.pk
    if _remembered.get() is not None:
        return standings(user).get(org_id, OUTSIDER)
    role = (
        Membership.objects.filter(user_id=user.pk, organization_id=org_id)
        .values_list("role", flat=True)
        .first()
    )
    return role or OUTSIDER


def standings(user: Actor) -> dict[int, str]:
    """Organization id → role, for every organization the user belongs to."""
    if user is None or not user.is_authenticated:
        return {}
    remembered = _remembered.get()
    if remembered is None:
        return _read_standings(user.pk)
    if user.pk not in remembered:
        remembered[user.pk] = _read_standings(user.pk)
    return dict(remembered[user.pk])


def _path(model: type[models.Model], relation: str) -> str | None:
    paths: Mapping[str, str] = getattr(model, "access_paths", {})
    return paths.get(relation)


def holds(user: Actor, relation: str, obj: models.Model) -> bool:
    """Whether the user has ``relation`` to ``obj`` (a seat in its workshop, ...)."""
    if user is None or not user.is_authenticated:
        return False
    path = _path(type(obj), relation)
    if path is None:
        return False
    if "__" not in path:
        # A foreign key on the row itself: compare ids, no query.
        return bool(getattr(obj, f"{path}_id") == user.pk)
    return type(obj)._default_manager.filter(pk=obj.pk, **{path: user.pk}).exists()


def _allows(
    user: Actor, action: str, obj: Organization | Tenant | int
) -> tuple[bool, str, str | None]:
    """(allowed, the user's standing, the relation that was missing if a role matched)."""
    org_id = organization_id_of(obj)
    role = standing(user, org_id)
    missing: str | None = None
    for grant in grants(action):
        if role not in grant.roles:
            continue
        if grant.setting is not None and role not in _setting(org_id, grant.setting):
            continue
        if grant.relation is None:
            return True, role, None
        if isinstance(obj, models.Model) and holds(user, grant.relation, obj):
            return True, role, None
        missing = grant.relation
    return False, role, missing


def _setting(organization_id: int, field: str) -> list[str]:
    if field in SETTINGS:
        return SETTINGS[field](organization_id)
    value = Organization.objects.filter(pk=organization_id).values_list(field, flat=True).first()
    return list(value) if isinstance(value, list) else []


def roles_in(organization_id: int, action: str) -> set[str]:
    """The roles that may do the action in this organization (its settings applied)."""
    return {role for role in roles_allowed(action) if _role_allows(organization_id, role, action)}


def can(user: Actor, action: str, obj: Organization | Tenant | int) -> bool:
    """May the user do ``action`` on (or within) ``obj``?"""
    return _allows(user, action, obj)[0]


def require(
    user: Actor,
    action: str,
    obj: Organization | Tenant | int,
    *,
    permit: Permit | None = None,
) -> Permit:
    """Raise PermissionDenied (403) with a reason unless the user may do ``action``.

    ``permit`` stands in for the check when a higher app's service already granted an
    action that ``DELEGATES`` accepts for this one, for the same person and organization
    (and review, when both name one)."""
    org_id = organization_id_of(obj)
    user_id = user.pk if _authenticated(user) and user is not None else None
    if permit is not None:
        review_id = getattr(obj, "review_id", None)
        if (
            permit.action in DELEGATES.get(action, frozenset())
            and permit.actor_id == user_id
            and permit.organization_id == org_id
            and (permit.review_id is None or review_id is None or permit.review_id == review_id)
        ):
            return Permit(user_id, action, org_id, permit.review_id, permit.anonymous)
        raise PermissionDenied(f"A {permit.action} permit does not cover {action}.")
    allowed, role, missing = _allows(user, action, obj)
    if allowed:
        return Permit(user_id, action, org_id, getattr(obj, "review_id", None))
    if role in (OUTSIDER, ANONYMOUS):
        # Callers hide the object first (404); never act on it regardless.
        raise PermissionDenied("You are not a member of this organization.")
    if missing is not None:
        raise PermissionDenied(RELATION_HINTS[missing])
    needed = ", ".join(sorted(roles_in(org_id, action))) or "a workshop seat"
    raise PermissionDenied(
        f"Your role ({Role(role).label.lower()}) cannot {label(action)}; it needs: {needed}."
    )


def _role_allows(organization_id: int, role: str, action: str) -> bool:
    """Whether some grant of the action names the role there (relations aside)."""
    return any(
        role in grant.roles
        and (grant.setting is None or role in _setting(organization_id, grant.setting))
        for grant in grants(action)
    )


def can_somewhere(user: Actor, action: str) -> bool:
    """Whether the user holds a role that some grant of the action names, in any of their
    organizations: lets the API refuse a write with 403 before it looks anything up."""
    return any(_role_allows(org, role, action) for org, role in standings(user).items())


def organizations_where(user: Actor, action: str) -> QuerySet[Organization]:
    """Organizations where the user's role allows the action (relations aside)."""
    ids = [org for org, role in standings(user).items() if _role_allows(org, role, action)]
    return Organization.objects.filter(pk__in=ids)


def scope(queryset: _QS, user: Actor, action: str | None = None) -> _QS:
    """Only the rows the user may ``action`` (default: the model's ``read_action``).

    One query reads the user's memberships; relations become a subquery each, so rows are
    never duplicated and no DISTINCT is needed."""
    model = queryset.model
    action = action or model.read_action
    by_org = standings(user)
    condition = Q(pk__in=[])
    for grant in grants(action):
        orgs = [org for org, role in by_org.items() if role in grant.roles]
        if grant.setting is not None:  # the organization chooses who among the roles may
            orgs = [org for org in orgs if by_org[org] in _setting(org, grant.setting)]
        if not orgs:
            continue
        org_field = "pk" if model is Organization else "organization_id"
        clause = Q(**{f"{org_field}__in": orgs})
        if grant.relation is not None:
            path = _path(model, grant.relation)
            if path is None or user is None:
                continue
            related = model._default_manager.filter(**{path: user.pk}).values("pk")
            clause &= Q(pk__in=related)
        condition |= clause
    return queryset.filter(condition)


def users_who_may(organization: Organization | int, action: str) -> QuerySet[Any]:
    """People of the organization whose role allows ``action`` (relations aside): the
    choices for a mitigation owner, a review lead or a workshop facilitator."""
    org_id = organization if isinstance(organization, int) else organization.pk
    return (
        get_user_model()
        .objects.filter(
            memberships__organization_id=org_id,
            memberships__role__in=sorted(roles_allowed(action)),
        )
        .order_by("username")
    )
