import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.db import OperationalError

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_reports_the_database_and_eager_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager"}


def test_healthz_answers_503_naming_an_unreachable_broker(client, db, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


def test_healthz_answers_503_naming_a_broken_database(client, db, monkeypatch):
    from django.db import connection

    def boom(*args, **kwargs):
        raise OperationalError("down")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", boom)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    dropped = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_without_debug_on_the_development_key(tmp_path):
    result = _manage("check", DEBUG="0", FORETHOUGHT_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        EVENT_CHAIN_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="forethought.example.org",
        FORETHOUGHT_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_debug_and_without_an_event_chain_key(tmp_path):
    result = _manage(
        "check",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="x.example.org",
        FORETHOUGHT_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "EVENT_CHAIN_KEY is not set" in result.stderr


def test_bad_environment_values_are_named(tmp_path):
    result = _manage("check", DEBUG="maybe", FORETHOUGHT_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_secret_and_chain_keys_can_come_from_files(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(secrets.token_urlsafe(50))
    chain_file = tmp_path / "chain-key"
    chain_file.write_text(secrets.token_urlsafe(48))
    result = _manage(
        "check",
        DEBUG="0",
        SECRET_KEY_FILE=str(key_file),
        EVENT_CHAIN_KEY_FILE=str(chain_file),
        ALLOWED_HOSTS="x.example.org",
        FORETHOUGHT_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr


def test_a_development_chain_key_is_made_once_under_var(tmp_path):
    first = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EVENT_CHAIN_KEY)",
        FORETHOUGHT_VAR_DIR=str(tmp_path),
    )
    second = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EVENT_CHAIN_KEY)",
        FORETHOUGHT_VAR_DIR=str(tmp_path),
    )
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    assert len(key) >= 60 and key == second.stdout.strip().splitlines()[-1]
    assert (tmp_path / "event-chain.key").read_text().strip() == key
    assert oct((tmp_path / "event-chain.key").stat().st_mode & 0o777) == "0o600"


def _settings_env_names() -> set[str]:
    import re

    text = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', text))


def test_compose_defines_the_stack_with_healthchecks_and_known_env_names():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "redis", "postgres"}
    for name in ("redis", "postgres", "web", "worker"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        unknown = set(services[name]["environment"]) - _settings_env_names()
        assert not unknown, f"{name} sets env names that settings.py never reads: {unknown}"
        # Workers send emails and notices outside any request: their links need SITE_URL.
        assert services[name]["environment"]["SITE_URL"] == "${SITE_URL:-http://localhost:8000}"
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")


def test_the_dockerfile_runs_as_a_non_root_user_with_weasyprint_libraries():
    text = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text
    assert "libpango-1.0-0" in text
    assert "\nUSER forethought" in text


def test_celery_is_configured_for_safe_redelivery():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit


def test_the_ping_task_answers(db):
    from orgs.tasks import ping

    assert ping.delay().get(timeout=5) == "pong"


@pytest.mark.parametrize("target", ["run", "test"])
def test_the_readme_starts_with_the_two_commands(target):
    readme = (ROOT / "README.md").read_text()
    head = readme.split("\n## ", 1)[0]
    assert f"make {target}" in head
