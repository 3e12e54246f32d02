"""The thank-you page is drawn once per language, channel and site address, with a slot
for the receipt code (reviews/feedback/pages/public.py): what a submitter gets must be
exactly the page the template draws for their own code, in their language."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.utils import translation

from reviews.feedback import receipts
from reviews.feedback.models import Submission
from reviews.feedback.pages import public

from .conftest import form_data, receipt_of

pytestmark = pytest.mark.django_db


def send(client, channel, text: str, lang: str = "en"):
    return client.post(f"/f/{channel.token}/?lang={lang}", form_data(text=text))


def drawn_afresh(language: str, token: str, code: str, site: str = "http://testserver") -> str:
    status_url = f"{site}/f/receipt/?code={code}"
    with translation.override(language):
        return render_to_string(
            "feedback/public/thanks.html",
            {"channel_token": token, "code": code, "status_url": status_url},
        )


@pytest.mark.parametrize("language", ["en", "es", "fr", "ar"])
def test_each_submitter_gets_the_page_drawn_for_their_own_code(channel, language):
    public._thanks_page.cache_clear()
    codes = []
    for n in range(3):
        response = send(Client(), channel, text=f"Story {n} in {language}.", lang=language)
        assert response.status_code == 200
        code = receipt_of(response)
        assert receipts.looks_like_code(code)
        assert response.content.decode() == drawn_afresh(language, channel.token, code)
        assert response["Content-Language"] == language
        codes.append(code)
    assert len(set(codes)) == 3
    assert Submission.objects.filter(language=language).count() == 3
    # Drawn once for the three.
    assert public._thanks_page.cache_info().misses == 1


def test_languages_and_site_addresses_do_not_share_a_page(channel):
    public._thanks_page.cache_clear()
    arabic = send(Client(), channel, text="قصتي.", lang="ar").content.decode()
    english = send(Client(), channel, text="My story.", lang="en").content.decode()
    assert 'lang="ar" dir="rtl"' in arabic and 'lang="en" dir="ltr"' in english
    with override_settings(SITE_URL="https://feedback.example.org"):
        response = send(Client(), channel, text="Another story.", lang="en")
    code = receipt_of(response)
    address = f"https://feedback.example.org/f/receipt/?code={code}"
    assert f'href="{address}"' in response.content.decode()
    assert public._thanks_page.cache_info().misses == 3


def test_the_page_carries_nothing_of_the_request(channel):
    """The page drawn ahead is shared by everyone on the channel: it must not carry a CSRF
    token, a cookie's value or anything else of the first visitor's request."""
    public._thanks_page.cache_clear()
    client = Client(enforce_csrf_checks=False)
    client.cookies["csrftoken"] = "A" * 32
    body = send(client, channel, text="First visitor.").content.decode()
    assert "csrfmiddlewaretoken" not in body and "A" * 32 not in body
    assert public._CODE_SLOT not in body
