"""A dossier's audit charts are the run's stored drawings (audits/chart_store.py): the
same SVG its data would draw, read rather than drawn again at export."""

from __future__ import annotations

import pytest

from audits import charts
from audits.chart_store import review_run_charts
from audits.dossiers import gather, render, services
from tests.conftest import run_small_audit

pytestmark = pytest.mark.django_db
SIGNING = {"subject": "Test", "development_key": True}


def test_the_stored_charts_are_the_ones_the_dossier_data_draws(owner, review):
    run = run_small_audit(owner, review)
    data = gather.build(review, SIGNING)
    drawn = render.figures(data)["charts"]
    stored = render.figures(data, review_run_charts(review.pk))["charts"]
    names = [d["name"] for d in run.result["dimensions"]]
    assert sorted(drawn) == sorted(f"{run.pk}:{name}" for name in names)
    assert all(c["rates"].startswith("<img src=") for c in drawn.values())
    assert stored == drawn


def test_an_export_reads_stored_charts_and_draws_none(owner, review, monkeypatch):
    run_small_audit(owner, review)
    data = gather.build(review, SIGNING)
    expected = render.figures(data, review_run_charts(review.pk))["charts"]  # stored here

    def refuse(dimension):
        raise AssertionError("drawn again")

    monkeypatch.setattr(charts, "group_rates_svg", refuse)
    monkeypatch.setattr(charts, "impact_ratio_svg", refuse)
    html = render.to_html(data, review_run_charts(review.pk))
    for chart in expected.values():
        assert chart["rates"] in html and chart["impact"] in html
    dossier = services.dossier_export_now(review=review)
    assert dossier.status == "ready", dossier.error
