import pandas as pd
import pytest

from audits.engine.audit import audit_frame
from audits.engine.config import AuditConfig
from audits.engine.gates import GateSpec, evaluate


def _result(rows_a=(40, 60), rows_b=(40, 60), small_b=False):
    """Group a: 40 of 100 selected; group b likewise unless told otherwise."""
    data = []
    for group, (sel, rest) in (("a", rows_a), ("b", rows_b)):
        data += [(group, 1, 1)] * sel + [(group, 1, 0)] * rest
    if small_b:
        data = [r for r in data if r[0] == "a"] + [("b", 1, 1)] * 3 + [("b", 1, 0)] * 7
    return audit_frame(
        pd.DataFrame(data, columns=["g", "y", "p"]),
        AuditConfig(y_true="y", y_pred="p", sensitive=("g",), bootstrap=500, seed=1),
    )


def test_a_clear_pass_and_a_clear_fail():
    equal = _result((400, 600), (400, 600))
    assert evaluate(GateSpec("demographic_parity_ratio", ">=", 0.8, "g"), equal).verdict == "pass"
    unequal = _result((400, 600), (100, 900))
    outcome = evaluate(GateSpec("demographic_parity_ratio", ">=", 0.8, "g"), unequal)
    assert outcome.verdict == "fail"
    assert outcome.value == pytest.approx(0.25)
    assert "breaks the threshold" in outcome.reason


def test_an_interval_straddling_the_threshold_is_insufficient_evidence():
    close = _result((40, 60), (33, 67))  # ratio 0.825 on 100 rows a group
    outcome = evaluate(GateSpec("demographic_parity_ratio", ">=", 0.8, "g"), close)
    assert outcome.ci[0] < 0.8 < outcome.ci[1]
    assert outcome.verdict == "insufficient"
    assert "straddles" in outcome.reason


def test_a_group_below_the_minimum_size_is_insufficient_evidence():
    outcome = evaluate(
        GateSpec("demographic_parity_difference", "<=", 0.1, "g"), _result((400, 600), small_b=True)
    )
    assert outcome.verdict == "insufficient" and "minimum size" in outcome.reason


def test_a_feature_the_audit_did_not_cover_is_insufficient_evidence():
    outcome = evaluate(GateSpec("demographic_parity_ratio", ">=", 0.8, "race"), _result())
    assert outcome.verdict == "insufficient" and "no dimension 'race'" in outcome.reason


def test_blank_feature_means_the_only_feature_or_the_intersection():
    assert (
        evaluate(
            GateSpec("demographic_parity_ratio", ">=", 0.8, ""), _result((400, 600), (400, 600))
        ).dimension
        == "g"
    )
