"""The demo review shows a recorded risk acceptance of the launch gate its audit failed."""

from __future__ import annotations

import io

from django.core.management import call_command

from reviews import readiness
from reviews.models import Review, ReviewStatus


def test_the_demo_accepts_the_failed_blocking_gate_once_the_audit_has_run(
    db, django_capture_on_commit_callbacks
):
    for _ in range(2):  # idempotent: the second run finds the gate accepted
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", stdout=io.StringIO())
    review = Review.objects.get(title="Pre-launch harm review v3")
    [acceptance] = review.acceptances.all()
    assert acceptance.target_type == "launch_gate"
    assert acceptance.basis["verdict"] == "fail"
    assert "branch pilot" in acceptance.justification
    assert review.status == ReviewStatus.IN_REVIEW
    assert "gate" not in {b.kind for b in readiness.open_blockers(review)}
