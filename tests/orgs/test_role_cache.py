"""Within a request, each person's roles are read once (orgs/access.py remembering_roles);
a membership saved or deleted meanwhile is seen at once; outside a request nothing is kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs import access
from orgs.members import services as member_services
from orgs.models import Role
from tests.conftest import add_member, make_org, make_review, make_system, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner = make_user("olivia")
    org = make_org(owner)
    other = make_org(owner, name="Other", slug="other")
    ravi = make_user("ravi")
    membership = add_member(org, ravi, Role.VIEWER)
    return owner, org, other, ravi, membership


def test_roles_are_read_once_within_a_request(world, django_assert_num_queries):
    owner, org, other, ravi, _ = world
    # One read per person, for every organization.
    with access.remembering_roles(), django_assert_num_queries(2):
        assert access.standing(ravi, org) == Role.VIEWER
        assert access.standing(ravi, other) == access.OUTSIDER
        assert access.can(ravi, "review.read", org)
        assert not access.can(ravi, "review.create", org)
        assert access.standings(ravi) == {org.pk: Role.VIEWER}
        assert access.standing(owner, other) == Role.OWNER
        assert access.standings(owner) == {org.pk: Role.OWNER, other.pk: Role.OWNER}


def test_outside_a_request_every_check_reads_again(world, django_assert_num_queries):
    _, org, other, ravi, _ = world
    with django_assert_num_queries(3):
        assert access.standing(ravi, org) == Role.VIEWER
        assert access.standing(ravi, org) == Role.VIEWER
        assert access.standing(ravi, other) == access.OUTSIDER


def test_a_role_changed_mid_request_is_seen_at_once(world):
    owner, org, _, ravi, membership = world
    with access.remembering_roles():
        assert not access.can(ravi, "review.create", org)
        member_services.membership_change_role(
            actor=owner, membership=membership, role=Role.REVIEWER
        )
        assert access.standing(ravi, org) == Role.REVIEWER
        assert access.can(ravi, "review.create", org)
        member_services.membership_delete(actor=owner, membership=membership)
        assert access.standing(ravi, org) == access.OUTSIDER
        assert access.standings(ravi) == {}


def test_a_joined_organization_is_seen_at_once(world):
    owner, _, other, ravi, _ = world
    with access.remembering_roles():
        assert access.standing(ravi, other) == access.OUTSIDER
        add_member(other, ravi, Role.PARTICIPANT)
        assert access.standing(ravi, other) == Role.PARTICIPANT


def test_what_a_caller_does_to_the_answer_does_not_change_the_memory(world):
    _, org, _, ravi, _ = world
    with access.remembering_roles():
        access.standings(ravi)[org.pk] = Role.OWNER
        assert access.standing(ravi, org) == Role.VIEWER


def test_the_memory_ends_with_the_request(world, django_assert_num_queries):
    _, org, _, ravi, _ = world
    with access.remembering_roles():
        access.standing(ravi, org)
    with django_assert_num_queries(1):
        assert access.standing(ravi, org) == Role.VIEWER


def test_a_page_reads_the_viewers_roles_once(world):
    owner, org, _, _, _ = world
    review = make_review(make_system(org, owner), owner)
    client = Client()
    client.force_login(owner)
    url = reverse("review_detail", args=[review.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    role_reads = [q for q in captured.captured_queries if 'FROM "orgs_membership"' in q["sql"]]
    assert len(role_reads) == 1, [q["sql"] for q in role_reads]
