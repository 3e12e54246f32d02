"""A dossier exported on a real Celery worker: queued on commit, progress reported while
it renders in the worker's child process, then ready and valid."""

import time

import pytest
from django.db import transaction

from audits.dossiers import services
from audits.dossiers.models import Dossier
from audits.signatures import verify
from tests.integration.test_audit_worker import _review, media, start_worker, stop  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_dossier_is_built_on_a_worker_with_progress(media):  # noqa: F811
    owner, _org, review = _review()
    worker = start_worker(media, "dossiers")
    try:
        with transaction.atomic():
            dossier = services.dossier_export(actor=owner, review=review)
        seen = set()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            dossier.refresh_from_db()
            seen.add(dossier.progress)
            if dossier.status != "pending":
                break
            time.sleep(0.2)
    finally:
        stop(worker)
    assert dossier.status == "ready", dossier.error
    assert any(0 < p < 100 for p in seen), seen
    pdf = services.stored_pdf(Dossier.objects.get(pk=dossier.pk))
    assert pdf is not None
    report = verify.verify(pdf, services.trust_roots())
    assert report.ok, report.problems
