import re

import pytest
from django.core.cache import caches

from reviews.feedback import services as fb
from reviews.harms import services as harms


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


@pytest.fixture
def channel(review, owner):
    return fb.channel_create(
        actor=owner,
        review=review,
        title="Loan decisions",
        system_description="A model scores loan applications.",
        purpose="Tell us how a decision affected you.",
    )


@pytest.fixture
def applicants(review, owner):
    return harms.stakeholder_create(actor=owner, review=review, name="Applicants", kind="direct")


def form_data(**overrides):
    data = {
        "about": "My loan",
        "text": "I was refused without a reason.",
        "effects": ["refused"],
        "self_described_group": "first-time borrower",
        "email": "",
        "phone": "",
        "preferred_language": "",
        "consent_read": "on",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def send(client, channel, **overrides):
    return client.post(f"/f/{channel.token}/", form_data(**overrides))


def receipt_of(response) -> str:
    """The receipt code as the thank-you page shows it."""
    found = re.search(r'<output id="receipt-code"[^>]*>([^<]+)</output>', response.content.decode())
    assert found, "no receipt code on the page"
    return found.group(1)
