"""Integration tests run in their own pytest pass with DATABASE_URL (PostgreSQL) and
REDIS_URL set (see the Makefile). Locally they skip when those are missing; with CI=true
they fail instead."""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests.conftest import require_service


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _services_present():
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    require_service(
        database_url.startswith(("postgres://", "postgresql://"))
        and _reachable(database_url, 5432),
        f"PostgreSQL (DATABASE_URL={database_url or 'unset'})",
    )
    require_service(
        redis_url.startswith("redis://") and _reachable(redis_url, 6379),
        f"Redis (REDIS_URL={redis_url or 'unset'})",
    )
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
