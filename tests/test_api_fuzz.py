"""Schemathesis against the API's own OpenAPI schema: every operation gets generated
requests (valid and invalid), as the owner of a throwaway organization that holds one
object of every kind. The build fails on any 5xx and on any answer the schema does not
describe (status code, content type or body).

Examples per operation: FUZZ_EXAMPLES (default 6). To fuzz longer:
``FUZZ_EXAMPLES=200 .venv/bin/pytest tests/test_api_fuzz.py -p no:cacheprovider``.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Loaded when the tests are collected: serving the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def owner_token(world, owner):
    return Token.objects.create(user=owner).key


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI app; like Django's test client, keep it from
    closing the test's database connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gets_a_5xx_or_an_undocumented_answer(case, owner_token):
    case.call_and_validate(headers={"Authorization": f"Token {owner_token}"}, checks=CHECKS)
