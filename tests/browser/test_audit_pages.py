"""The audit pages at phone width (390 px) with long, unbroken names everywhere: no page
scrolls sideways, even with every edit form and value table opened."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits import services
from audits.engine.config import AuditConfig
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG = "x" * 90


def _audited(owner, review):
    rows = 240
    frame = pd.DataFrame(
        {
            f"feature_{LONG}": [f"group_{LONG}_{i % 3}" for i in range(rows)],
            "sex": ["female", "male"] * (rows // 2),
            "label": [i % 2 for i in range(rows)],
            "score": [round((i % 10) / 10, 2) for i in range(rows)],
            "note": [f"<b>{LONG * 2}</b>" for _ in range(rows)],
        }
    )
    dataset = services.dataset_upload(
        actor=owner,
        organization=review.organization,
        upload=SimpleUploadedFile(f"{LONG}.csv", frame.to_csv(index=False).encode()),
    )
    services.launch_gate_create(
        actor=owner,
        review=review,
        metric="equalized_odds_difference",
        sensitive_feature=f"feature_{LONG}",
        comparator="<=",
        threshold=0.0001,
        action="block_launch",
        description=LONG * 3,
    )
    config = AuditConfig(
        y_true="label",
        y_score="score",
        threshold=0.5,
        sensitive=(f"feature_{LONG}", "sex"),
        bootstrap=30,
    )
    run = services.audit_start(actor=owner, review=review, dataset=dataset, config=config)
    services.audit_claim(run.pk, "w")
    return services.audit_execute(run_id=run.pk)


def test_the_audit_pages_do_not_scroll_sideways_at_phone_width(
    browser,
    live_server,
    artifacts,
    owner,
    review,
):
    run = _audited(owner, review)
    assert run.status == "succeeded", run.error
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    paths = [
        reverse("audit_home"),
        reverse("audit_glossary"),
        reverse("audit_configure", args=[run.dataset_id]),
        reverse("audit_run_detail", args=[run.pk]),
        reverse("system_trend", args=[review.system_id]),
        reverse("launch_gates", args=[review.pk]),
    ]
    too_wide = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        width = int(page.evaluate("() => document.documentElement.scrollWidth"))
        if width > PHONE["width"]:
            too_wide[path] = width
        name = path.strip("/").replace("/", "_")
        page.screenshot(path=str(artifacts / f"audits-390-{name}.png"), full_page=True)
        assert page.evaluate("() => window.__xss === undefined"), path
    context.close()
    assert not too_wide, too_wide
