"""The demo review exported once per test module: ``demo`` holds the review, the signed
PDF's bytes and the export's row. Built inside a transaction that is rolled back at the end
of the module; tests that read the stored file use ``demo_media``."""

from __future__ import annotations

import io
import json
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from audits import services as audit_services
from audits.dossiers import services
from audits.dossiers.models import Dossier
from audits.models import AuditRun, RunStatus
from audits.signatures import verify
from reviews.modelcards import demo as modelcard_demo
from reviews.modelcards.models import ModelCard

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class DemoExport:
    review: Any
    owner: Any
    dossier: Dossier
    pdf: bytes
    data: dict[str, Any]
    media: Path


def finish_pending() -> None:
    """What the workers would do after the demo's transaction commits."""
    for run in AuditRun.objects.filter(status=RunStatus.PENDING).order_by("id"):
        audit_services.audit_claim(run.pk, "test")
        audit_services.audit_execute(run_id=run.pk)
    # The model card's v1 is published from the audit when the seed commits, before the
    # dossier is built (reviews/modelcards/demo.py, audits/dossiers/demo.py).
    for card in ModelCard.objects.filter(versions__number=1, versions__status="draft"):
        run = AuditRun.objects.filter(review__system=card.system_id).order_by("id").first()
        if run is not None:
            modelcard_demo.publish_with_audit(card.created_by, card.pk, run.review)
    for dossier in Dossier.objects.filter(status="pending").order_by("id"):
        services.dossier_build(dossier.pk)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=media):
            call_command("seed_demo", stdout=io.StringIO())
            finish_pending()
            dossier = Dossier.objects.select_related("review").get(number=1)
            assert dossier.status == "ready", dossier.error
            with dossier.file.open("rb") as stored:
                pdf = stored.read()
            raw = verify.embedded_file(pdf)
            assert raw is not None
            yield DemoExport(
                dossier.review, dossier.exported_by, dossier, pdf, json.loads(raw), media
            )
        transaction.set_rollback(True)


@pytest.fixture
def demo_media(demo, settings):
    settings.MEDIA_ROOT = demo.media
    return demo.media


def pdftotext(pdf: bytes, *pages: int, layout: bool = True) -> str:
    args = ["pdftotext", "-layout"] if layout else ["pdftotext"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run(
        [*args, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def free_port(low: int = 8260, high: int = 8269) -> int:
    for port in range(low, high + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8260-8269")
