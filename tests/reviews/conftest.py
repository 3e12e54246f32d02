import pytest

from reviews.harms.models import HarmCategory
from reviews.workshops import services as ws


@pytest.fixture
def workshop(review, facilitator):
    w = ws.workshop_create(actor=facilitator, review=review, title="Loan harms")
    return ws.workshop_set_status(actor=facilitator, workshop=w, status="open")


@pytest.fixture
def seated(workshop, participant):
    ws.workshop_join(actor=participant, workshop=workshop)
    return participant


@pytest.fixture
def category(db):
    return HarmCategory.objects.get(slug="opportunity-loss")


def add_harm(actor, workshop, category, title="Thin files declined"):
    return ws.card_add(actor=actor, workshop=workshop, title=title, category=category)
