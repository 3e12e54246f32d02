"""The column mapping refuses what cannot be right before a run is created (the engine's
AuditConfig and mapping.check_mapping, through the form and the API alike), guesses its
defaults from the column names, and shows the file's first rows."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits import services
from audits.engine.config import AuditConfig
from audits.engine.errors import AuditInputError
from audits.engine.mapping import check_mapping, guess_mapping, profile
from audits.engine.reading import read_sample
from audits.models import AuditRun, Dataset
from orgs.plumbing.errors import ServiceError
from tests.conftest import api_as, small_csv

XLSX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"\x00" * 200
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200


def csv_of(**columns) -> bytes:
    return pd.DataFrame(columns).to_csv(index=False).encode()


def upload(owner, org, content: bytes, name: str = "preds.csv") -> Dataset:
    return services.dataset_upload(
        actor=owner, organization=org, upload=SimpleUploadedFile(name, content)
    )


LABELS = csv_of(
    sex=["f", "m", "f", "m"],
    y=["approved", "declined", "pending", "approved"],
    pred=[1, 0, 1, 0],
)
WORDS = csv_of(sex=["f", "m", "f", "m"], y=["approved", "declined"] * 2, pred=[1, 0, 1, 0])

# (file, form fields beyond review/positive_is/bootstrap/seed, the field refused, message)
REFUSALS = [
    pytest.param(
        small_csv(),
        {"y_true": "y", "prediction_kind": "pred", "y_pred": "y", "sensitive": ["sex"]},
        "y_pred",
        "'y' is chosen as both the true outcome and the prediction column",
        id="outcome-also-prediction",
    ),
    pytest.param(
        small_csv(),
        {"y_true": "y", "prediction_kind": "score", "y_score": "score", "threshold": 0.5}
        | {"sensitive": ["sex"], "weight": "sex"},
        "weight",
        "'sex' is chosen as both the sensitive feature and the weight column",
        id="feature-also-weight",
    ),
    pytest.param(
        small_csv(),
        {"y_true": "y", "prediction_kind": "score", "y_score": "score", "threshold": 0.5}
        | {"sensitive": ["sex", "y"]},
        "sensitive",
        "'y' is the true outcome and cannot also be a sensitive feature",
        id="outcome-as-feature",
    ),
    pytest.param(
        b"sex,race,y,score\n",
        {"y_true": "y", "prediction_kind": "score", "y_score": "score", "threshold": 0.5}
        | {"sensitive": ["sex"]},
        "file",
        "preds.csv has a header but no rows",
        id="header-only",
    ),
    pytest.param(
        LABELS,
        {"y_true": "y", "prediction_kind": "pred", "y_pred": "pred", "sensitive": ["sex"]},
        "y_true",
        "y has the values 'approved', 'declined', 'pending': a true outcome needs exactly two",
        id="three-labels",
    ),
    pytest.param(
        WORDS,
        {"y_true": "y", "prediction_kind": "pred", "y_pred": "pred", "sensitive": ["sex"]},
        "positive",
        "y has the values 'approved', 'declined': say which is the positive class in Positive "
        "value (e.g. 'approved')",
        id="labels-without-positive",
    ),
    pytest.param(
        WORDS,
        {"y_true": "y", "prediction_kind": "pred", "y_pred": "pred", "sensitive": ["sex"]}
        | {"positive": "approved"},
        "positive",
        "The positive value 'approved' is neither of pred's values ('0', '1')",
        id="positive-not-a-prediction-value",
    ),
    pytest.param(
        csv_of(sex=["f", "m"], y=[1, 0], s=["0.3", "high"]),
        {"y_true": "y", "prediction_kind": "score", "y_score": "s", "threshold": 0.5}
        | {"sensitive": ["sex"]},
        "y_score",
        "The score column 's' has the value 'high' in row 2, not a number",
        id="text-score",
    ),
]


@pytest.mark.parametrize(("content", "fields", "field", "message"), REFUSALS)
def test_the_mapping_form_refuses_it_and_creates_no_run(
    owner, org, review, client, content, fields, field, message
):
    dataset = upload(owner, org, content)
    client.force_login(owner)
    data = {"review": review.pk, "positive_is": "beneficial", "bootstrap": 50, "seed": 0}
    page = client.post(reverse("audit_configure", args=[dataset.pk]), data | fields)
    assert page.status_code == 200
    assert message in page.content.decode().replace("&#x27;", "'")
    assert not AuditRun.objects.exists()


@pytest.mark.parametrize(("content", "fields", "field", "message"), REFUSALS)
def test_the_api_refuses_it_with_a_400_naming_the_field(
    owner, org, review, content, fields, field, message
):
    dataset = upload(owner, org, content)
    body = {k: v for k, v in fields.items() if k != "prediction_kind"}
    response = api_as(owner).post(
        "/api/audit-runs/", {"review": review.pk, "dataset": dataset.pk, **body}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert any(message in m for m in response.json()[field])
    assert not AuditRun.objects.exists()


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (XLSX, "an Excel workbook (or another zip archive)"),
        (XLS, "an Excel 97–2003 workbook (.xls)"),
    ],
)
def test_an_excel_file_named_csv_is_refused_at_upload_with_its_own_name(
    owner, org, client, content, what
):
    with pytest.raises(ServiceError) as info:
        upload(owner, org, content, name="Q3 loans.csv")
    assert info.value.message.startswith(f"Q3 loans.csv is {what}, not CSV text")
    assert "Save As › CSV UTF-8" in info.value.message
    assert "tmp" not in info.value.message
    client.force_login(owner)
    page = client.post(reverse("audit_home"), {"file": SimpleUploadedFile("Q3 loans.csv", content)})
    assert "Q3 loans.csv is" in page.content.decode() and not Dataset.objects.exists()
    response = api_as(owner).post(
        "/api/datasets/",
        {"organization": org.pk, "file": SimpleUploadedFile("Q3 loans.csv", content)},
        format="multipart",
    )
    assert response.status_code == 400 and "Q3 loans.csv is" in response.json()["file"][0]


def test_a_reader_message_names_the_uploaded_file_not_a_temporary_one(owner, org):
    with pytest.raises(ServiceError, match=r"^hist\.csv is not UTF-8 text"):
        upload(owner, org, b"a,b\n\xff\xfe,1\n" * 10, name="hist.csv")


def test_a_parquet_file_named_csv_is_told_to_use_its_own_extension(tmp_path):
    path = tmp_path / "scores.csv"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(AuditInputError, match="scores.csv is a Parquet file"):
        read_sample(path, 10)


def check(config, header, rows):
    check_mapping(config, header, profile(header, rows), "f.csv")


def test_the_engine_check_passes_a_good_mapping_and_reads_only_what_the_sample_proves():
    config = AuditConfig(y_true="y", y_pred="p", sensitive=("g",), positive="yes")
    header = ["g", "y", "p"]
    check(config, header, [["a", "yes", "yes"], ["b", "no", "no"]])
    # One value seen: the positive class may simply not occur in the first rows.
    check(config, header, [["a", "no", "no"]])
    # A Parquet boolean column counts True as positive whatever "positive" says.
    check(config, header, [["a", "True", "False"], ["b", "False", "True"]])


def test_the_engine_check_refuses_empty_labels_and_two_spellings_of_one_class():
    config = AuditConfig(y_true="y", y_pred="p", sensitive=("g",))
    with pytest.raises(AuditInputError, match="1 of the first 2 rows have an empty true outcome"):
        check(config, ["g", "y", "p"], [["a", None, "1"], ["b", "1", "0"]])
    with pytest.raises(AuditInputError, match="which would both count as positive"):
        check(config, ["g", "y", "p"], [["a", "1", "1"], ["b", "yes", "0"]])


def test_a_prediction_column_of_scores_is_pointed_at_score_mode():
    config = AuditConfig(y_true="y", y_pred="p", sensitive=("g",))
    sample = [["a", "1", "0.12"], ["b", "0", "0.5"], ["a", "1", "0.93"]]
    with pytest.raises(AuditInputError, match="If they are scores, choose scores with a threshold"):
        check(config, ["g", "y", "p"], sample)


def test_the_profile_keeps_a_few_values_per_column_and_the_first_rows():
    header = ["id", "y", "s"]
    rows = [[str(i), " yes " if i % 2 else "no", "0.5" if i < 30 else "n/a"] for i in range(40)]
    rows[3][1] = None
    kept = profile(header, rows)
    assert kept["rows"] == 40 and kept["preview"] == rows[:10]
    assert kept["columns"]["id"] == {"values": [str(i) for i in range(7)], "empty": 0, "text": None}
    assert kept["columns"]["y"] == {"values": ["no", "yes"], "empty": 1, "text": [1, "no"]}
    assert kept["columns"]["s"]["text"] == [31, "n/a"]
    assert len(str(profile(["x"], [["v" * 10_000]]))) < 1000  # long values are cut


def test_a_dataset_kept_before_profiles_is_checked_by_its_header_alone(owner, org, review):
    dataset = upload(owner, org, WORDS)
    Dataset.objects.filter(pk=dataset.pk).update(sample={})
    dataset.refresh_from_db()
    config = AuditConfig(y_true="y", y_pred="pred", sensitive=("sex",))
    with pytest.raises(ServiceError, match="'race' is not in preds.csv"):
        services.audit_start(
            actor=owner,
            review=review,
            dataset=dataset,
            config=AuditConfig(y_true="y", y_pred="pred", sensitive=("race",)),
        )
    assert services.audit_start(actor=owner, review=review, dataset=dataset, config=config)


def test_a_file_whose_first_rows_cannot_be_parsed_is_refused_at_upload(owner, org):
    with pytest.raises(ServiceError, match="could not be parsed as CSV"):
        upload(owner, org, b"a,b\n1,2\n3,4,5,6\n")
    assert not Dataset.objects.exists()


@pytest.mark.parametrize(
    ("columns", "guess"),
    [
        (
            ["Label", "prediction", "score", "sex"],
            {"y_true": "Label", "y_pred": "prediction", "y_score": "score"}
            | {"prediction_kind": "pred"},
        ),
        (["outcome", "Probability", "race"], {"y_true": "outcome", "y_score": "Probability"}),
        (["target", "y-pred"], {"y_true": "target", "y_pred": "y-pred", "prediction_kind": "pred"}),
        (["id", "age"], {}),
    ],
)
def test_defaults_are_guessed_from_column_names(columns, guess):
    if "y_score" in guess and "y_pred" not in guess:
        guess["prediction_kind"] = "score"  # only a score column: scores with a threshold
    assert guess_mapping(columns) == guess


def test_the_mapping_page_opens_with_guessed_defaults_and_a_preview(owner, org, client):
    rows = 12
    content = csv_of(
        applicant=[f"<script>alert({i})</script>" for i in range(rows)],
        sex=["f", "m"] * (rows // 2),
        outcome=[1, 0] * (rows // 2),
        proba=[0.25] * rows,
    )
    dataset = upload(owner, org, content)
    client.force_login(owner)
    page = client.get(reverse("audit_configure", args=[dataset.pk])).content.decode()
    assert '<option value="outcome" selected>outcome</option>' in page
    assert '<option value="proba" selected>proba</option>' in page
    assert 'value="score" required id="id_prediction_kind_1" checked' in page
    preview = page[page.index('data-testid="preview"') :]
    preview = preview[: preview.index("</table>")]
    assert preview.count("<tr>") == 11  # the header and 10 rows
    assert "&lt;script&gt;alert(0)&lt;/script&gt;" in preview and "<script>alert" not in page
    assert "alert(10)" not in preview


def test_the_mapping_page_says_when_the_file_has_no_rows(owner, org, client):
    dataset = upload(owner, org, b"y,pred,sex\n")
    client.force_login(owner)
    page = client.get(reverse("audit_configure", args=[dataset.pk])).content.decode()
    assert 'data-testid="no-rows"' in page


def test_a_sample_reads_parquet_and_csv_alike(tmp_path):
    frame = pd.DataFrame({"g": ["a", None], "y": [1.0, 0.0], "ok": [True, False]})
    frame.to_parquet(tmp_path / "f.parquet")
    frame.to_csv(tmp_path / "f.csv", index=False)
    expected = [["a", "1", "True"], [None, "0", "False"]]
    assert read_sample(tmp_path / "f.parquet", 10) == expected
    assert read_sample(tmp_path / "f.csv", 10) == [["a", "1.0", "True"], [None, "0.0", "False"]]
    assert read_sample(tmp_path / "f.csv", 1) == [["a", "1.0", "True"]]
