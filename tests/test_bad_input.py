"""Requests an attacker's probe or a careless client sent that once answered 500: each now
gets a clear 400/404/409 and writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews.harms.models import Harm
from reviews.workshops import services as ws
from tests.conftest import api_as, small_csv

HUGE = "1795249874191059576160256"


def test_creating_a_harm_with_a_status_is_a_400_naming_the_field(review, owner):
    response = api_as(owner).post(
        "/api/harms/",
        {"review": review.pk, "title": "T", "category": "economic-loss", "status": "closed"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"status": ["This field cannot be set here."]}
    assert not Harm.objects.exists()


def test_an_unknown_field_is_a_400_not_silently_dropped(review, owner):
    response = api_as(owner).patch(f"/api/reviews/{review.pk}/", {"titel": "Typo"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"titel": ["Unknown field."]}


@pytest.mark.parametrize("roles", [[["owner"]], [{}], "owner", [], [1]])
def test_sign_off_roles_of_the_wrong_shape_are_a_400(org, owner, roles):
    response = api_as(owner).patch(
        f"/api/organizations/{org.pk}/", {"required_signoff_roles": roles}, format="json"
    )
    assert response.status_code == 400
    assert "required_signoff_roles" in response.json()
    org.refresh_from_db()
    assert org.required_signoff_roles == ["owner", "reviewer"]


def test_deleting_a_draft_review_that_holds_a_workshop_is_a_409(review, owner):
    ws.workshop_create(actor=owner, review=review, title="W")
    response = api_as(owner).delete(f"/api/reviews/{review.pk}/")
    assert response.status_code == 409
    assert "1 workshop" in response.json()["detail"]
    assert response.json()["detail"].endswith("archive it instead of deleting it.")


@pytest.mark.parametrize(
    "query",
    [
        f"?stakeholders={HUGE}",
        "?stakeholders=²",
        f"?review={HUGE}",
        "?review=-1",
        "?category__slug=%00",
    ],
)
def test_filters_the_database_cannot_hold_are_a_400(review, owner, query):
    response = api_as(owner).get("/api/harms/" + query)
    assert response.status_code == 400, (query, response.content)
    assert isinstance(response.json(), dict)


def test_integer_filters_are_bounded(review, owner):
    response = api_as(owner).get(f"/api/signoffs/?round={HUGE}")
    assert response.status_code == 400
    assert "round" in response.json()


@pytest.mark.parametrize("path", [f"/api/harms/{HUGE}/", "/api/harms/-1/", "/api/nowhere/"])
def test_an_id_no_database_can_hold_is_a_json_404(db, owner, path):
    response = api_as(owner).get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_page_with_a_huge_id_is_a_404(review, owner, client):
    client.force_login(owner)
    assert client.get(f"/reviews/{HUGE}/").status_code == 404
    assert client.get(f"/reviews/{review.pk}/register/?stakeholder=²&severity={HUGE}").status_code
    assert client.get(f"/reviews/{review.pk}/register/?stakeholder={HUGE}").status_code == 200


def test_a_four_megabyte_harm_card_is_refused(review, owner):
    response = api_as(owner).post(
        "/api/harms/",
        {
            "review": review.pk,
            "title": "T",
            "category": "economic-loss",
            "description": "x" * 4_000_000,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "5000 characters" in response.json()["description"][0]
    assert not Harm.objects.exists()


def test_a_255_character_file_name_is_stored_cut_to_the_name_limit(org, owner):
    name = "n" * 251 + ".csv"
    response = api_as(owner).post(
        "/api/datasets/",
        {"organization": org.pk, "file": SimpleUploadedFile(name, small_csv())},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["name"]) == 200


def test_every_error_body_is_an_object_with_a_message(review, owner):
    response = api_as(owner).get("/api/harms/?search=%00")
    assert response.status_code == 400
    assert response.json() == {"detail": "Null characters are not allowed."}


def test_the_register_page_ignores_filters_that_are_not_numbers(review, owner, client):
    client.force_login(owner)
    url = reverse("harm_register", args=[review.pk])
    for query in ("?stakeholder=²", f"?stakeholder={HUGE}", "?risk_min=nan", "?severity=²"):
        assert client.get(url + query).status_code == 200, query
