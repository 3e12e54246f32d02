"""Model card formats without a database: Hugging Face, Model Card Toolkit 0.0.2 and
Markdown, on public-style cards written for these tests (data/) and on a card carrying an
analysis computed from a real audit result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from audits.engine.audit import audit_frame
from audits.engine.config import AuditConfig
from audits.engine.synthetic import synthetic_loans
from reviews.modelcards.documents import CardFormatError, analysis, formats, huggingface, mct
from reviews.modelcards.documents.sections import render

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def audit_result():
    config = AuditConfig(
        y_true="repaid",
        y_score="score",
        threshold=0.7,
        sensitive=("age_band", "sex"),
        bootstrap=50,
        seed=7,
    )
    result = audit_frame(synthetic_loans(4000), config)
    result["input"]["sha256"] = "ab" * 32
    return result


@pytest.fixture
def document(audit_result):
    return {
        "metadata": {
            "name": "Loan model",
            "version": "2.1",
            "license": "apache-2.0",
            "owners": ["Risk team"],
            "references": ["https://example.org/card"],
            "tags": ["credit"],
            "datasets": ["loans"],
        },
        "sections": {
            "model_details": "A **GBM** | with a pipe.\n\n### Notes\n\nKept under details.",
            "intended_use": "Scoring applications.",
            "intended_users": "Loan officers.",
            "out_of_scope": "- Mortgages",
            "factors": "Age band, sex.",
            "metrics": "Selection rate.",
            "evaluation_data": "Q3 decisions.",
            "training_data": "2021–2025 applications.",
            "quantitative_analyses": "Gaps by age.",
            "ethical_considerations": "Postcode proxy.",
            "caveats_recommendations": "Re-audit monthly.",
        },
        "analysis": analysis.from_audit(12, audit_result),
    }


@pytest.mark.parametrize("key", ["huggingface", "mct", "markdown"])
def test_it_exports_imports_and_exports_the_same_file(document, key):
    fmt = formats()[key]
    first = fmt.write(document)
    again = fmt.write(fmt.read(first))
    assert again == first


def test_hugging_face_carries_every_section_and_the_exact_numbers(document):
    back = huggingface.read(huggingface.write(document))
    assert back["sections"] == document["sections"]
    assert back["metadata"] == {
        "name": "Loan model",
        "license": "apache-2.0",
        "tags": ["credit"],
        "datasets": ["loans"],
    }
    assert back["analysis"]["results"] == document["analysis"]["results"]
    assert back["analysis"]["run_id"] == 12
    assert back["analysis"]["input_sha256"] == "ab" * 32
    assert back["analysis"]["source"] == "imported"  # the service decides whether to trust it


def test_model_card_toolkit_carries_what_schema_0_0_2_has(document):
    text = mct.write(document)
    card = json.loads(text)
    assert card["schema_version"] == "0.0.2"
    assert set(card) <= set(mct.SPEC)
    assert card["model_details"]["licenses"] == [{"identifier": "apache-2.0"}]
    back = mct.read(text)
    assert back["metadata"] == {
        "name": "Loan model",
        "version": "2.1",
        "license": "apache-2.0",
        "owners": ["Risk team"],
        "references": ["https://example.org/card"],
    }
    carried = [
        "model_details",
        "intended_use",
        "intended_users",
        "evaluation_data",
        "training_data",
        "ethical_considerations",
        "caveats_recommendations",
    ]
    assert back["sections"] == {k: document["sections"][k] for k in carried}
    assert back["analysis"]["results"] == document["analysis"]["results"]


def test_markdown_keeps_the_sections_and_the_numbers_it_shows(document):
    fmt = formats()["markdown"]
    back = fmt.read(fmt.write(document))
    assert back["sections"] == document["sections"]
    assert back["metadata"] == {"name": "Loan model"}
    shown = {(r["dimension"], r["group"], r["metric"]): r for r in back["analysis"]["results"]}
    assert len(shown) == len(document["analysis"]["results"])
    for r in document["analysis"]["results"]:
        got = shown[(r["dimension"], r["group"], r["metric"])]
        assert got["value"] == pytest.approx(r["value"], abs=0.0005 if r["metric"] != "n" else 0.5)


def test_a_public_hugging_face_card_is_read_by_its_headings_and_round_trips():
    text = (DATA / "hf_public_card.md").read_text()
    card = huggingface.read(text)
    sections = card["sections"]
    assert card["metadata"]["name"] == "example-org/credit-default-gbm"
    assert card["metadata"]["license"] == "mit"
    assert card["metadata"]["tags"] == ["tabular-classification", "credit-scoring"]
    assert sections["intended_use"].startswith("Ranking applications")
    assert "### Downstream Use [optional]" in sections["intended_use"]
    assert sections["out_of_scope"] == (
        "Automatic rejection of applicants; any use outside consumer credit."
    )
    assert sections["ethical_considerations"].startswith("Applicants with short")
    assert sections["caveats_recommendations"].startswith("Review every decline")
    assert sections["evaluation_data"] == "A held-out 20 % of applications from 2023."
    assert sections["factors"] == "Age group and region."
    assert sections["metrics"] == "Accuracy and F1 on the default class."
    assert "Missing incomes imputed" in sections["training_data"]
    # Unknown top-level headings land in the model details, with their text; a heading
    # inside a code block stays code.
    assert "### How to Get Started with the Model" in sections["model_details"]
    assert "# ## Training Details" in sections["model_details"]
    assert "credit-ml@example.org" in sections["model_details"]
    assert [(r["metric"], r["value"]) for r in card["analysis"]["results"]] == [
        ("accuracy", 0.913),
        ("f1", 0.47),
    ]
    first = huggingface.write(card)
    assert huggingface.write(huggingface.read(first)) == first
    # What both carry comes out as it went in: the task, the dataset and the metrics.
    front = yaml.safe_load(first.split("---\n")[1])
    original = yaml.safe_load(text.split("---\n")[1])
    assert front["model-index"][0]["results"][0] == original["model-index"][0]["results"][0]
    assert front["license"] == "mit" and front["tags"] == original["tags"]
    out = huggingface.read(first)
    assert out["sections"] == sections and out["analysis"]["results"] == card["analysis"]["results"]


def test_a_public_model_card_toolkit_file_is_read_and_round_trips():
    text = (DATA / "mct_public_card.json").read_text()
    card = mct.read(text)
    assert card["metadata"] == {
        "name": "Fine-tuned tabular default classifier",
        "version": "1.4",
        "license": "Apache-2.0",
        "owners": ["Credit modelling team"],
        "references": ["https://example.org/paper"],
    }
    sections = card["sections"]
    assert sections["intended_users"] == "Credit officers\n\nRisk analysts"
    assert sections["training_data"] == "**Training set**: Applications 2019-2024."
    assert "Monitor rates by age group." in sections["ethical_considerations"]
    assert sections["caveats_recommendations"].endswith("Higher recall costs more manual reviews.")
    results = card["analysis"]["results"]
    assert results[1] == {
        "dimension": "age",
        "group": "18-25",
        "metric": "accuracy",
        "value": 0.88,
        "ci": [0.85, 0.9],
    }
    assert results[0]["dimension"] == "overall" and results[0]["group"] is None
    first = mct.write(card)
    assert mct.write(mct.read(first)) == first


@pytest.mark.parametrize(
    ("text", "field", "line"),
    [
        ("---\nlicense: mit\ntags: [a, b\n---\n# X\n", "front matter", 4),
        ("---\nlicense: [mit]\n---\n# X\n", "license", 2),
        (
            "---\nmodel-index:\n- name: m\n  results:\n  - task: {type: t}\n    dataset: "
            "{name: d, type: d}\n    metrics:\n    - type: acc\n      value: high\n---\n",
            "model-index[0].results[0].metrics[0].value",
            9,
        ),
        ("---\nlicense: mit\n", "", 1),
    ],
)
def test_an_unreadable_hugging_face_card_names_the_field_and_line(text, field, line):
    with pytest.raises(CardFormatError) as caught:
        huggingface.read(text)
    assert (caught.value.field, caught.value.line) == (field, line)
    assert f"line {line}" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "field", "line"),
    [
        ('{\n  "model_details": {\n    "name": "x",\n  }\n}', "(JSON)", 4),
        ('{\n  "model_details": {\n    "name": 7\n  }\n}', "model_details.name", 3),
        ('{\n  "schema_version": "0.0.2",\n  "extra": 1\n}', "extra", 3),
        (
            '{"quantitative_analysis": {"performance_metrics": [\n  {"type": "a", "value": 1},'
            '\n  {"type": "b", "value": "high"}\n]}}',
            "quantitative_analysis.performance_metrics[1].value",
            3,
        ),
        ('{"model_details": {\n "version": {"date": "March"}}}', "model_details.version.date", 2),
        ('{"model_details": {\n "licenses": [{}]}}', "model_details.licenses[0]", 2),
    ],
)
def test_an_unreadable_model_card_toolkit_file_names_the_field_and_line(text, field, line):
    with pytest.raises(CardFormatError) as caught:
        mct.read(text)
    assert (caught.value.field, caught.value.line) == (field, line)


def test_the_preview_keeps_markdown_and_drops_anything_that_runs():
    html = render(
        "**bold** [ok](https://example.org) [bad](javascript:alert(1))\n\n"
        "<script>alert(1)</script><img src=x onerror=alert(1)>\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer"' in html
    assert "javascript:" not in html and "<script" not in html and "onerror" not in html
    assert "<img" not in html and "<table>" in html


def test_yaml_aliases_are_refused_before_they_can_expand():
    text = "---\na: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n---\n# X\n"
    with pytest.raises(CardFormatError, match="aliases"):
        huggingface.read(text)
