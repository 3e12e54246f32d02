"""Absolute links point where Forethought is actually served: SITE_URL when set, else the
address of the request being served, else the HOST:PORT that `make run` passes."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from orgs.members import services as member_services
from orgs.models import Role
from orgs.site import site_url
from tests.conftest import run_small_audit


@pytest.fixture
def make_run_on_8123(settings):
    """As `make run PORT=8123` sets it (FORETHOUGHT_PORT), with no SITE_URL."""
    settings.SITE_URL = ""
    settings.RUN_HOST = "127.0.0.1"
    settings.RUN_PORT = 8123


def test_outside_a_request_it_is_the_host_and_port_make_run_serves(make_run_on_8123):
    assert site_url() == "http://127.0.0.1:8123"


def test_listening_on_every_interface_links_to_the_loopback_address(make_run_on_8123, settings):
    settings.RUN_HOST = "0.0.0.0"  # noqa: S104 - what `make run HOST=0.0.0.0` passes
    assert site_url() == "http://127.0.0.1:8123"


def test_a_given_request_gives_its_own_address(make_run_on_8123):
    request = RequestFactory().get("/", HTTP_HOST="localhost:8001")
    assert site_url(request) == "http://localhost:8001"
    secure = RequestFactory().get("/", HTTP_HOST="localhost:8443", secure=True)
    assert site_url(secure) == "https://localhost:8443"


def test_an_explicit_site_url_wins_over_the_request(settings):
    settings.SITE_URL = "https://forethought.example.org/"
    request = RequestFactory().get("/", HTTP_HOST="localhost:8001")
    assert site_url(request) == "https://forethought.example.org"
    assert site_url() == "https://forethought.example.org"


def test_the_settings_read_site_url_host_and_port_from_the_environment(tmp_path):
    from tests.test_health_and_settings import _manage

    show = "from django.conf import settings as s; print((s.SITE_URL, s.RUN_HOST, s.RUN_PORT))"
    plain = _manage("shell", "-c", show, FORETHOUGHT_VAR_DIR=str(tmp_path))
    assert plain.stdout.strip().splitlines()[-1] == "('', '127.0.0.1', 8000)"
    given = _manage(
        "shell",
        "-c",
        show,
        FORETHOUGHT_VAR_DIR=str(tmp_path),
        FORETHOUGHT_HOST="0.0.0.0",  # noqa: S104
        FORETHOUGHT_PORT="8001",
        SITE_URL="https://f.example.org/",
    )
    assert given.stdout.strip().splitlines()[-1] == "('https://f.example.org', '0.0.0.0', 8001)"


# --- Where the links are made -------------------------------------------------------------


def test_the_invitation_link_on_the_members_page_uses_the_address_of_the_request(
    make_run_on_8123, client, owner, org, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members"),
            {"email": "newcomer@example.org", "role": "viewer", "days": "7"},
            follow=True,
            HTTP_HOST="localhost:8001",
        )
    page = response.content.decode()
    shown = re.search(r'value="([^"]+)"[^>]*data-testid="invitation-url"', page).group(1)
    assert shown.startswith("http://localhost:8001/join/")
    # The email the service sent while serving that request carries the same link.
    assert len(mail.outbox) == 1
    assert shown in mail.outbox[0].body


def test_an_invitation_mailed_outside_any_request_links_to_make_runs_port(
    make_run_on_8123, owner, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = member_services.member_invitation_create(
            actor=owner, organization=org, role=Role.VIEWER, email="newcomer@example.org"
        )
    assert f"http://127.0.0.1:8123/join/{token}/" in mail.outbox[0].body


def test_the_failed_gate_email_from_an_audit_links_to_the_run_on_make_runs_port(
    make_run_on_8123, owner, review, django_capture_on_commit_callbacks
):
    from audits import services as audits

    audits.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        comparator=">=",
        threshold=0.99,  # the small demo file is far from parity: the gate fails
        action="block_launch",
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = run_small_audit(owner, review)
    sent = [m for m in mail.outbox if "Launch gate failed" in m.subject]
    assert len(sent) == 1
    assert f"http://127.0.0.1:8123/audits/runs/{run.pk}/" in sent[0].body


def test_seed_demo_prints_the_login_at_make_runs_port(make_run_on_8123, db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Log in at http://127.0.0.1:8123/ as demo / forethought-demo" in out.getvalue()
