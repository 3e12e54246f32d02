"""Launch gates are edited and removed through services (one event with before and after),
on the launch gates page and with PATCH; a frozen review refuses every audit write under
it; the audit list shows how each run's gates came out."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits import services
from audits.engine.config import AuditConfig
from audits.models import AuditRun, GateVerdict, LaunchGate
from orgs.ledger.models import Event
from orgs.plumbing.errors import Conflict, PermissionDenied, ServiceError
from reviews.harms.models import HarmCategory
from reviews.harms.services import harm_create
from reviews.models import Review
from tests.conftest import api_as, make_review, run_small_audit, small_csv


def gate_of(owner, review, **fields) -> LaunchGate:
    values = dict(
        metric="demographic_parity_ratio",
        sensitive_feature="sex",
        comparator=">=",
        threshold=0.0,
        action="block_launch",
    )
    return services.launch_gate_create(actor=owner, review=review, **(values | fields))


def updates_of(gate) -> list[Event]:
    return list(
        Event.objects.filter(
            object_type="audits.launchgate", object_id=str(gate.pk), verb="update"
        ).order_by("seq")
    )


def test_an_edit_is_one_event_with_before_and_after_and_the_latest_audit_judges_it_again(
    owner, review
):
    gate = gate_of(owner, review)
    run = run_small_audit(owner, review)
    assert GateVerdict.objects.get(run=run, gate=gate).verdict == "pass"
    services.launch_gate_update(actor=owner, gate=gate, threshold=0.9999, comparator=">")
    (event,) = updates_of(gate)
    assert (event.before["threshold"], event.after["threshold"]) == (0.0, 0.9999)
    assert (event.before["comparator"], event.after["comparator"]) == (">=", ">")
    verdict = GateVerdict.objects.get(run=run, gate=gate)
    assert (
        verdict.verdict == "fail" and "Demographic parity ratio on sex > 0.9999" in verdict.reason
    )


def test_an_edit_that_changes_nothing_records_nothing_and_a_description_keeps_the_verdict(
    owner, review
):
    gate = gate_of(owner, review)
    run = run_small_audit(owner, review)
    services.launch_gate_update(actor=owner, gate=gate)
    services.launch_gate_update(actor=owner, gate=gate, threshold=0.0)
    assert updates_of(gate) == []
    before = GateVerdict.objects.get(run=run, gate=gate)
    services.launch_gate_update(actor=owner, gate=gate, description="Four-fifths.")
    after = GateVerdict.objects.get(run=run, gate=gate)
    assert (after.pk, after.reason) == (before.pk, before.reason)
    assert len(updates_of(gate)) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"metric": "accuracy"}, "metric"),
        ({"comparator": "=="}, "comparator"),
        ({"threshold": float("nan")}, "threshold"),
        ({"action": "ignore"}, "action"),
    ],
)
def test_an_edit_is_checked_like_a_new_gate(owner, review, change, field):
    gate = gate_of(owner, review)
    with pytest.raises(ServiceError) as info:
        services.launch_gate_update(actor=owner, gate=gate, **change)
    assert info.value.field == field
    assert updates_of(gate) == []


def test_a_gate_links_only_a_harm_of_its_own_review(owner, review, system):
    other = make_review(system, owner, title="Another review")
    harm = harm_create(
        actor=owner, review=other, title="Elsewhere", category=HarmCategory.objects.first()
    )
    gate = gate_of(owner, review)
    with pytest.raises(ServiceError, match="another review"):
        services.launch_gate_update(actor=owner, gate=gate, harm=harm)


def test_a_viewer_cannot_edit_a_gate(owner, viewer, review):
    gate = gate_of(owner, review)
    with pytest.raises(PermissionDenied):
        services.launch_gate_update(actor=viewer, gate=gate, threshold=0.5)


def test_the_launch_gates_page_edits_a_gate_with_labels_and_audited_dimensions(
    owner, review, client
):
    gate = gate_of(owner, review)
    run_small_audit(owner, review)
    client.force_login(owner)
    url = reverse("launch_gates", args=[review.pk])
    page = client.get(url).content.decode()
    form = page[page.index(f'action="{reverse("launch_gate_edit", args=[gate.pk])}"') :]
    form = form[: form.index("</form>")]
    assert '<option value="equalized_odds_difference">Equalized odds difference</option>' in form
    assert '<option value="">All features (intersection)</option>' in form
    assert '<option value="sex" selected>sex</option>' in form
    assert '<option value="race">race</option>' in form
    response = client.post(
        reverse("launch_gate_edit", args=[gate.pk]),
        {
            f"g{gate.pk}-metric": "equalized_odds_difference",
            f"g{gate.pk}-sensitive_feature": "",
            f"g{gate.pk}-comparator": "<=",
            f"g{gate.pk}-threshold": "0.2",
            f"g{gate.pk}-action": "human_review",
            f"g{gate.pk}-description": "Error rates <b>close</b>.",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{url}#gate-{gate.pk}"
    text = response.content.decode()
    assert "Launch gate saved." in text and "Error rates &lt;b&gt;close&lt;/b&gt;." in text
    gate.refresh_from_db()
    assert (gate.metric, gate.sensitive_feature, gate.threshold, gate.action) == (
        "equalized_odds_difference",
        "",
        0.2,
        "human_review",
    )


def test_a_viewer_sees_no_edit_forms(owner, viewer, review, client):
    gate_of(owner, review)
    client.force_login(viewer)
    page = client.get(reverse("launch_gates", args=[review.pk])).content.decode()
    assert 'data-testid="gate-row"' in page
    assert "Save gate" not in page and "Remove" not in page and "Add gate" not in page


def test_patch_edits_a_gate_but_not_its_review(owner, review, system, viewer, outsider):
    gate = gate_of(owner, review)
    other = make_review(system, owner, title="Another review")
    url = f"/api/launch-gates/{gate.pk}/"
    response = api_as(owner).patch(url, {"threshold": 0.5, "action": "rollback"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["threshold"], response.json()["action"]) == (0.5, "rollback")
    assert len(updates_of(gate)) == 1
    moved = api_as(owner).patch(url, {"review": other.pk}, format="json")
    assert moved.status_code == 400 and "review" in moved.json()
    assert api_as(owner).patch(url, {"metric": "nope"}, format="json").status_code == 400
    assert api_as(owner).put(url, {"threshold": 1}, format="json").status_code == 405
    assert api_as(viewer).patch(url, {"threshold": 0.1}, format="json").status_code == 403
    assert api_as(outsider).patch(url, {"threshold": 0.1}, format="json").status_code == 404
    gate.refresh_from_db()
    assert (gate.review_id, gate.threshold) == (review.pk, 0.5)


def test_the_audit_list_shows_each_runs_gate_verdicts(owner, review, system, client):
    other = make_review(system, owner, title="Ungated review")
    ungated = run_small_audit(owner, other)
    gate_of(owner, review, threshold=0.9999)  # fails
    gate_of(owner, review, threshold=0.0)  # passes
    gate_of(owner, review, sensitive_feature="age")  # not audited: insufficient
    gated = run_small_audit(owner, review)
    client.force_login(owner)
    page = client.get(reverse("audit_home")).content.decode()
    cells = {
        run.pk: page[page.index(f">#{run.pk}</a>") :]
        .split('data-testid="gate-summary">')[1]
        .split("</td>")[0]
        .strip()
        for run in (gated, ungated)
    }
    assert cells[gated.pk] == '<strong class="bad">1 gate failed</strong>, 1 passed, 1 insufficient'
    assert cells[ungated.pk] == '<span class="muted">no gates</span>'


# --- Frozen reviews -----------------------------------------------------------------------


def freeze(review) -> None:
    Review.objects.filter(pk=review.pk).update(status="approved")
    review.refresh_from_db()


FROZEN = "frozen: nothing under it can change"


def test_every_audit_write_under_an_approved_review_is_refused(owner, review, org):
    gate = gate_of(owner, review)
    dataset = services.dataset_upload(
        actor=owner, organization=org, upload=SimpleUploadedFile("p.csv", small_csv())
    )
    freeze(review)
    config = AuditConfig(y_true="y", y_score="score", threshold=0.5, sensitive=("sex",))
    writes = [
        lambda: gate_of(owner, review),
        lambda: services.launch_gate_update(actor=owner, gate=gate, threshold=0.5),
        lambda: services.launch_gate_delete(actor=owner, gate=gate),
        lambda: services.audit_start(actor=owner, review=review, dataset=dataset, config=config),
    ]
    for write in writes:
        with pytest.raises(Conflict, match=FROZEN) as info:
            write()
        assert info.value.status_code == 409
    assert LaunchGate.objects.count() == 1 and not AuditRun.objects.exists()
    # Datasets belong to the organization, not to a review: uploads go on.
    services.dataset_upload(
        actor=owner, organization=org, upload=SimpleUploadedFile("q.csv", small_csv())
    )


def test_the_api_answers_409_with_the_reason_under_an_approved_review(owner, review, org):
    gate = gate_of(owner, review)
    client = api_as(owner)
    upload = client.post(
        "/api/datasets/",
        {"organization": org.pk, "file": SimpleUploadedFile("p.csv", small_csv())},
        format="multipart",
    )
    freeze(review)
    gate_body = {
        "review": review.pk,
        "metric": "demographic_parity_ratio",
        "comparator": ">=",
        "threshold": 0.8,
        "action": "block_launch",
    }
    run_body = {
        "review": review.pk,
        "dataset": upload.json()["id"],
        "y_true": "y",
        "y_score": "score",
        "threshold": 0.5,
        "sensitive": ["sex"],
    }
    answers = [
        client.post("/api/launch-gates/", gate_body, format="json"),
        client.patch(f"/api/launch-gates/{gate.pk}/", {"threshold": 0.5}, format="json"),
        client.delete(f"/api/launch-gates/{gate.pk}/"),
        client.post("/api/audit-runs/", run_body, format="json"),
    ]
    for answer in answers:
        assert answer.status_code == 409, answer.json()
        assert FROZEN in answer.json()["detail"]
    second = client.post(
        "/api/datasets/",
        {"organization": org.pk, "file": SimpleUploadedFile("q.csv", small_csv())},
        format="multipart",
    )
    assert second.status_code == 201


def test_the_launch_gates_page_of_an_approved_review_says_it_is_frozen(owner, review, client):
    gate = gate_of(owner, review)
    freeze(review)
    client.force_login(owner)
    page = client.get(reverse("launch_gates", args=[review.pk])).content.decode()
    assert 'data-testid="frozen"' in page and "Save gate" not in page and "Add gate" not in page
    response = client.post(
        reverse("launch_gate_delete", args=[gate.pk]), follow=True
    ).content.decode()
    assert FROZEN in response and LaunchGate.objects.filter(pk=gate.pk).exists()


@pytest.mark.parametrize(
    ("fail", "passed", "unsure", "text"),
    [
        (2, 1, 0, '<strong class="bad">2 gates failed</strong>, 1 passed'),
        (0, 3, 0, "3 gates passed"),
        (0, 1, 2, "1 gate passed, 2 insufficient"),
        (0, 0, 1, "1 gate insufficient"),
    ],
)
def test_a_runs_gate_summary_reads_as_a_sentence(fail, passed, unsure, text):
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    run = SimpleNamespace(gates_fail=fail, gates_pass=passed, gates_insufficient=unsure)
    assert render_to_string("audits/_gate_summary.html", {"run": run}).strip() == text
