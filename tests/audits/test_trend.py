"""The trend page plots one dimension: a run that did not audit it is a gap, never another
dimension's numbers under its name."""

from __future__ import annotations

from django.urls import reverse

from audits.engine.names import SUMMARY_METRIC_NAMES
from audits.engine.trend import trend
from tests.conftest import make_review, run_small_audit


def _result(*dimensions: tuple[str, float]) -> dict:
    return {
        "dimensions": [
            {"name": name, "summary": {"demographic_parity_ratio": {"value": v, "ci": [v, v]}}}
            for name, v in dimensions
        ]
    }


def test_a_run_without_the_dimension_is_a_gap_not_another_dimensions_numbers():
    runs = [
        (1, "#1", _result(("sex", 0.9), ("race", 0.7), ("intersection", 0.6))),
        (2, "#2", _result(("sex", 0.8))),
        (3, "#3", _result(("race", 0.75))),
    ]
    race = trend(runs, "race")
    points = race.series["demographic_parity_ratio"]
    assert [(p.run, p.value, p.audited) for p in points] == [
        (1, 0.7, True),
        (2, None, False),
        (3, 0.75, True),
    ]
    assert race.gaps == ["run #2 did not audit race"]
    assert race.dimensions == ["intersection", "race", "sex"]
    assert list(race.series) == list(SUMMARY_METRIC_NAMES)
    # A metric the run's result does not hold is undefined there, not a gap.
    assert [p.audited for p in race.series["equalized_odds_ratio"]] == [True, False, True]


def test_without_a_choice_the_intersection_else_the_latest_runs_first_dimension():
    assert trend([(1, "#1", _result(("sex", 1), ("intersection", 1)))], None).dimension == (
        "intersection"
    )
    only_features = [(1, "#1", _result(("race", 1))), (2, "#2", _result(("sex", 1)))]
    chosen = trend(only_features, None)
    assert chosen.dimension == "sex" and chosen.gaps == ["run #1 did not audit sex"]
    empty = trend([], None)
    assert empty.series == {} and empty.dimensions == [] and empty.gaps == []


def test_the_trend_page_says_which_run_did_not_audit_the_dimension(owner, review, system, client):
    both = run_small_audit(owner, review)  # sex, race and their intersection
    sex_only = run_small_audit(owner, review, sensitive=("sex",))
    client.force_login(owner)
    page = client.get(reverse("system_trend", args=[system.pk]), {"dimension": "race"})
    text = page.content.decode()
    assert f"Run #{sex_only.pk} did not audit race" in text
    assert f"run #{both.pk} did not audit" not in text
    assert page.context["trend"].dimension == "race"
    series = page.context["trend"].series["demographic_parity_ratio"]
    race = next(d for d in both.result["dimensions"] if d["name"] == "race")
    assert [p.value for p in series] == [race["summary"]["demographic_parity_ratio"]["value"], None]
    assert "(not audited)" in text  # the chart's tick for the gap
    default = client.get(reverse("system_trend", args=[system.pk]))
    assert default.context["trend"].dimension == "intersection"
    assert f"Run #{sex_only.pk} did not audit intersection" in default.content.decode()


def test_a_system_without_succeeded_audits_shows_how_to_start_one(owner, system, client):
    make_review(system, owner, title="Second review")
    client.force_login(owner)
    page = client.get(reverse("system_trend", args=[system.pk])).content.decode()
    assert 'data-testid="trend-empty"' in page and "<svg" not in page
    assert f'href="{reverse("audit_home")}"' in page
