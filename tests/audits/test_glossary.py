"""Numbers that explain themselves: every key the engine can produce has a label and a
definition (audits/engine/names.py), and the pages show labels, not keys."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from django.urls import reverse

from audits import services
from audits.engine import metrics
from audits.engine.audit import audit_frame
from audits.engine.config import AuditConfig
from audits.engine.names import GLOSSARY, SUMMARY_METRICS, label
from tests.conftest import run_small_audit

ENGINE = Path(__file__).resolve().parents[2] / "audits" / "engine"


def warning_codes_in_the_engine() -> set[str]:
    """Every warning code the engine's source can emit (``"code": "…"``)."""
    codes = set()
    for path in ENGINE.glob("*.py"):
        codes.update(re.findall(r'"code":\s*"(\w+)"', path.read_text()))
    return codes


def visible(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def test_every_key_the_engine_can_produce_has_a_label_and_a_definition():
    keys = [*metrics.GROUP_METRICS, "auc", "brier"]
    keys += [m.name for m in SUMMARY_METRICS]
    keys += ["selection_rate", "scoring_rate", "impact_ratio", "four_fifths", "small"]
    keys += ["missing_rows", "median_score"]
    codes = warning_codes_in_the_engine()
    assert {"small_group", "underpowered", "undefined_metric", "auc_binned"} <= codes
    for key in [*keys, *codes]:
        term = GLOSSARY.get(key)
        assert term is not None, key
        assert term.label != key and "_" not in term.label, key
        assert term.definition.endswith("."), key
    assert label("equalized_odds_difference") == "Equalized odds difference"
    assert label("small_group") == "Small group"


def test_every_warning_of_an_audit_is_in_the_glossary():
    rng = np.random.default_rng(5)
    n = 600
    frame = pd.DataFrame(
        {
            "g": rng.choice(["a", "b", "c", None], n, p=[0.6, 0.3, 0.09, 0.01]),
            "y": rng.integers(0, 2, n),
            "s": rng.normal(600, 80, n),  # not probabilities, not whole numbers: binned
        }
    )
    frame.loc[frame["g"] == "c", "y"] = 0  # TPR undefined for c
    result = audit_frame(
        frame,
        AuditConfig(y_true="y", y_score="s", threshold=620, sensitive=("g",), bootstrap=20),
    )
    codes = {w["code"] for w in result["warnings"]}
    assert codes == warning_codes_in_the_engine()  # this data triggers every one
    assert all(code in GLOSSARY for code in codes)
    impact_keys = set(result["dimensions"][0]["impact_ratios"]) | set(
        result["dimensions"][0]["impact_ratios"]["rows"][0]
    )
    assert {"impact_ratio", "four_fifths", "small", "missing_rows", "median_score"} <= impact_keys


def test_the_glossary_page_lists_every_term_with_an_anchor(owner, client):
    client.force_login(owner)
    page = client.get(reverse("audit_glossary")).content.decode()
    for key, term in GLOSSARY.items():
        assert f'id="{key}"' in page, key
        assert term.label in page.replace("&#x27;", "'"), key
    assert "Summary metrics" in page and "Warnings" in page


def test_the_run_page_shows_labels_linked_to_the_glossary(owner, review, client):
    services.launch_gate_create(
        actor=owner,
        review=review,
        metric="equalized_odds_difference",
        sensitive_feature="sex",
        comparator="<=",
        threshold=0.0001,
        action="block_launch",
    )
    run = run_small_audit(owner, review, min_group_size=150)  # small intersectional groups
    client.force_login(owner)
    page = client.get(reverse("audit_run_detail", args=[run.pk])).content.decode()
    text = visible(page)
    assert "Equalized odds difference" in text and "equalized_odds_difference" not in text
    assert "True positive rate" in text and "Selection rate" in text
    assert "Small group" in text and "Smallgroup" not in text
    assert f'href="{reverse("audit_glossary")}#equalized_odds_difference"' in page
    assert 'title="The larger of the true positive rate gap' in page
    note = page[page.index('data-testid="ratio-note"') :].split("</p>")[0]
    assert "divides each category" in note and "leaves out categories under 2%" in note
    assert "over all groups" in note and "reference group" in note


def test_a_failing_gate_is_prominent_on_the_run_page_with_its_action(owner, review, client):
    for threshold, action in ((0.0001, "block_launch"), (0.0, "human_review")):
        services.launch_gate_create(
            actor=owner,
            review=review,
            metric="demographic_parity_difference" if threshold else "demographic_parity_ratio",
            sensitive_feature="sex",
            comparator="<=" if threshold else ">=",
            threshold=threshold,
            action=action,
        )
    run = run_small_audit(owner, review)
    client.force_login(owner)
    page = client.get(reverse("audit_run_detail", args=[run.pk])).content.decode()
    verdicts = re.findall(r'<li class="([^"]+)" data-testid="verdict">(.*?)</li>', page)
    assert [v[0] for v in verdicts] == ["verdict-fail notice bad", "verdict-pass"]
    assert "Failed — else block launch." in verdicts[0][1]
    assert "Demographic parity difference on sex" in verdicts[0][1]
