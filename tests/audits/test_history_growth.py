"""Audit pages as history grows: summaries written with the result, lists that never read
a result, charts drawn once and served with validators."""

from django.core.files.storage import default_storage
from django.urls import reverse

from audits import charts, selectors, services
from audits.chart_store import run_chart_name
from audits.engine.trend import summary_of
from audits.models import AuditRun
from tests.conftest import run_small_audit


def test_a_finished_run_keeps_a_summary_of_its_result(owner, review):
    run = run_small_audit(owner, review)
    run.refresh_from_db()
    assert run.summary == summary_of(run.result)
    names = [d["name"] for d in run.summary["dimensions"]]
    assert names == [d["name"] for d in run.result["dimensions"]]
    parity = run.result["dimensions"][0]["summary"]["demographic_parity_ratio"]
    assert run.summary["dimensions"][0]["summary"]["demographic_parity_ratio"] == {
        "value": parity["value"],
        "ci": parity["ci"],
    }
    assert run.summary["warnings"] == len(run.result["warnings"])


def test_lists_never_read_a_result(owner, review, org):
    run_small_audit(owner, review)
    rows = list(selectors.run_list(owner, org))
    assert "result" in rows[0].get_deferred_fields()
    assert "result" in selectors.runs_for(owner).get().get_deferred_fields()


def test_a_chart_is_served_as_svg_with_an_etag_and_answers_304_when_unchanged(
    owner, review, client
):
    run = run_small_audit(owner, review)
    client.force_login(owner)
    url = reverse("audit_run_chart", args=[run.pk, 0, "rates"])
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "image/svg+xml"
    assert first.content.startswith(b"<svg") and first["ETag"]
    assert "max-age" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    stored = client.get(url)
    assert stored.content == first.content  # read from storage, not drawn again
    assert client.get(reverse("audit_run_chart", args=[run.pk, 9, "rates"])).status_code == 404
    assert client.get(reverse("audit_run_chart", args=[run.pk, 0, "pie"])).status_code == 404


def test_an_outsider_gets_404_on_a_chart(owner, review, outsider, client):
    run = run_small_audit(owner, review)
    client.force_login(outsider)
    assert client.get(reverse("audit_run_chart", args=[run.pk, 0, "rates"])).status_code == 404


def test_the_trend_labels_at_most_sixteen_runs():
    from audits.charts import tick_positions

    assert tick_positions(10) == list(range(10))
    picks = tick_positions(1000)
    assert len(picks) <= 17 and picks[0] == 0 and picks[-1] == 999


def test_the_summary_migration_fills_runs_that_finished_before(owner, review):
    from importlib import import_module

    from django.apps import apps

    run = run_small_audit(owner, review)
    AuditRun.objects.filter(pk=run.pk).update(summary={})
    migration = import_module("audits.migrations.0003_run_summary")
    migration.fill_summaries(apps, None)
    run.refresh_from_db()
    assert run.summary == summary_of(run.result)


def test_a_finished_run_stores_its_charts_on_commit_and_its_page_draws_none(
    owner, review, client, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        run = run_small_audit(owner, review)
    dims = run.result["dimensions"]
    assert len(dims) >= 2
    for i, dim in enumerate(dims):
        for kind, draw in (("rates", charts.group_rates_svg), ("impact", charts.impact_ratio_svg)):
            with default_storage.open(f"charts/{run_chart_name(run, i, kind)}.svg") as stored:
                assert stored.read().decode() == draw(dim)

    def refuse(dimension):
        raise AssertionError("drawn again")

    monkeypatch.setattr(charts, "group_rates_svg", refuse)
    monkeypatch.setattr(charts, "impact_ratio_svg", refuse)
    client.force_login(owner)
    page = client.get(reverse("audit_run_detail", args=[run.pk]))
    assert page.status_code == 200 and page.content.count(b"<svg") >= 2 * len(dims)
    assert client.get(reverse("audit_run_chart", args=[run.pk, 1, "impact"])).status_code == 200
    assert services.audit_draw_charts(run_id=run.pk) == 2 * len(dims)  # stored: read, not drawn
