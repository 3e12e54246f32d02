"""Aggregation maths against hand-computed values (docs/workshops.md)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.harms.aggregate import aggregate, iqr
from reviews.harms.matrix import risk_matrix_svg
from reviews.harms.register import neutralise, to_csv


def test_iqr_of_one_two_four_five_is_two_and_a_half():
    # Type 7: Q1 at position 1 + 0.25*3 = 1.75 → 1 + 0.75*(2-1) = 1.75;
    # Q3 at position 1 + 0.75*3 = 3.25 → 4 + 0.25*(5-4) = 4.25.
    assert iqr([1, 2, 4, 5]) == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([3], 0.0),
        ([3, 3, 3, 3], 0.0),
        ([2, 4], 1.0),  # Q1 = 2.5, Q3 = 3.5
        ([1, 5], 2.0),  # Q1 = 2, Q3 = 4
        ([1, 1, 1, 5, 5], 4.0),  # Q1 = 1, Q3 = 5
        ([2, 3, 3, 4], 0.5),  # Q1 = 2.75, Q3 = 3.25
    ],
)
def test_iqr_hand_computed(values, expected):
    assert iqr(values) == pytest.approx(expected)


def test_risk_is_median_severity_times_median_likelihood():
    agg = aggregate([(4, 3, 2), (5, 2, 2), (2, 4, 3), (4, 3, 5)])
    # severities 2,4,4,5 → median 4; likelihoods 2,3,3,4 → median 3
    assert (agg.severity, agg.likelihood, agg.scale, agg.risk) == (4.0, 3.0, 2.5, 12.0)
    assert agg.raters == 4
    assert agg.cell == (4, 3)


def test_an_even_count_gives_half_point_medians_rounded_up_for_the_matrix():
    agg = aggregate([(2, 1, 1), (3, 2, 1)])
    assert (agg.severity, agg.likelihood, agg.risk) == (2.5, 1.5, 3.75)
    assert agg.cell == (3, 2)


def test_a_spread_of_two_on_either_axis_is_contested():
    split = aggregate([(1, 3, 3), (2, 3, 3), (4, 3, 3), (5, 3, 3)])
    assert split.severity_iqr == pytest.approx(2.5)
    assert split.contested
    agreed = aggregate([(3, 3, 3), (3, 4, 3), (4, 3, 3), (4, 4, 3)])
    assert agreed.severity_iqr == pytest.approx(1.0) and not agreed.contested
    likely = aggregate([(3, 1, 3), (3, 5, 3)])
    assert likely.likelihood_iqr == pytest.approx(2.0) and likely.contested


def test_no_ratings_means_no_risk():
    agg = aggregate([], votes=2)
    assert agg.risk is None and agg.cell is None and agg.votes == 2 and not agg.contested


@pytest.mark.parametrize("bad", [(0, 3, 3), (3, 6, 3), (3, 3, 2.5), (3, "4", 3)])
def test_ratings_outside_one_to_five_are_refused(bad):
    with pytest.raises(ValueError, match="1 to 5"):
        aggregate([bad])


@given(st.lists(st.integers(1, 5), min_size=1, max_size=40))
def test_iqr_is_within_the_range_and_order_free(values):
    result = iqr(values)
    assert 0 <= result <= max(values) - min(values)
    assert result == iqr(sorted(values, reverse=True))


def test_the_matrix_counts_harms_per_cell_and_links_them():
    svg = risk_matrix_svg(
        {(4, 3): [(1, "A"), (2, "B")], (1, 1): [(3, "C")]},
        link=lambda s, lk: f"/register?severity={s}&likelihood={lk}",
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'data-cell="4-3" data-count="2"' in svg
    assert 'href="/register?severity=4&amp;likelihood=3"' in svg
    assert svg.count("data-count=") == 25
    assert 'data-cell="5-5" data-count="0"' in svg


def test_the_matrix_escapes_harm_titles():
    svg = risk_matrix_svg({(2, 2): [(1, "<script>x</script> & co")]})
    assert "<script>" not in svg
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in svg


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("plain", "plain"),
        (12.5, "12.5"),
        (None, ""),
    ],
)
def test_csv_cells_that_look_like_formulas_are_neutralised(cell, expected):
    assert neutralise(cell) == expected


def test_to_csv_quotes_and_neutralises():
    text = to_csv(["a", "b"], [["=1+1", 'say "hi", ok']])
    assert text.splitlines() == ["a,b", '\'=1+1,"say ""hi"", ok"']
