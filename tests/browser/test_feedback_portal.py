"""The public feedback portal in a browser, at phone width (390 px): a person fills the
form in Spanish and in Arabic (right to left), keeps the receipt code and reads their
status page; axe-core finds no serious or critical violation on the form, the thank-you
page and the status page."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import caches
from PIL import Image
from playwright.sync_api import expect

from reviews.feedback import services as fb
from reviews.feedback.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def channel(review, owner):
    caches["ratelimit"].clear()
    return fb.channel_create(
        actor=owner,
        review=review,
        title="Decisiones de préstamo",
        system_description="A model scores loan applications.",
        purpose="Tell us how a decision affected you.",
    )


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _width(page) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


def _drawn_qr_reads(page, url: str) -> bool:
    """The receipt's QR code as the browser drew it (qrcode-generator) decodes, read off a
    screenshot by zxing-cpp as a phone's camera would, to the status page's address."""
    box = page.get_by_test_id("receipt-qr")
    assert box.get_attribute("data-qr") == url
    image = Image.open(io.BytesIO(box.locator("svg").screenshot()))
    return [found.text for found in zxingcpp.read_barcodes(image)] == [url]


CASES = {
    "es": {
        "text": "Me negaron el préstamo sin explicación.",
        "effect": "Me negaron algo que necesitaba (un préstamo, un trabajo, un servicio)",
        "consent": "He leído qué se guarda, quién lo ve y durante cuánto tiempo.",
        "send": "Enviar mi mensaje",
        "thanks": "Gracias. Recibimos tu mensaje.",
        "open": "Abrir ahora tu página de seguimiento",
        "status": "Recibido: el equipo aún no lo ha leído",
        "problem": "Hay un problema",
        "dir": "ltr",
    },
    "ar": {
        "text": "رُفض طلبي ولم يخبرني أحد بالسبب.",
        "effect": "رُفض لي شيء كنت أحتاجه (قرض، وظيفة، خدمة)",
        "consent": "قرأت ما يُحفظ، ومن يطّلع عليه، ولأي مدة.",
        "send": "أرسل ملاحظاتي",
        "thanks": "شكراً لك. لقد تلقينا ملاحظاتك.",
        "open": "افتح صفحة المتابعة الخاصة بك الآن",
        "status": "تم الاستلام: لم يقرأه الفريق بعد",
        "problem": "هناك مشكلة",
        "dir": "rtl",
    },
}


@pytest.mark.parametrize("language", ["es", "ar"])
def test_a_person_sends_feedback_and_reads_the_receipt_page_on_a_phone(
    browser, live_server, artifacts, channel, language
):
    words = CASES[language]
    context = browser.new_context(viewport=PHONE, locale=language)
    page = context.new_page()
    page.goto(f"{live_server.url}/f/{channel.token}/?lang={language}")
    assert page.locator("html").get_attribute("dir") == words["dir"]
    assert _width(page) <= PHONE["width"]
    assert _serious(page) == []
    page.screenshot(path=str(artifacts / f"feedback-form-{language}-390.png"), full_page=True)

    # Sending without the consent box: an error summary at the top, the text kept.
    page.locator("#id_text").fill(words["text"])
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("heading", name=words["problem"])).to_be_visible()
    assert page.locator("#id_text").input_value() == words["text"]
    assert _serious(page) == []

    page.get_by_label(words["effect"]).check()
    page.get_by_label(words["consent"]).check()
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("heading", name=words["thanks"])).to_be_visible()
    code = page.get_by_test_id("receipt-code").inner_text()
    assert len(code.replace("-", "")) == 24
    assert _drawn_qr_reads(page, f"{live_server.url}/f/receipt/?code={code}")
    assert _width(page) <= PHONE["width"]
    assert _serious(page) == []
    page.screenshot(path=str(artifacts / f"feedback-thanks-{language}-390.png"), full_page=True)

    page.get_by_test_id("status-link").click()
    expect(page.get_by_test_id("public-status")).to_have_text(words["status"])
    expect(page.get_by_test_id("sent-text")).to_have_text(words["text"])
    assert _width(page) <= PHONE["width"]
    assert _serious(page) == []
    page.screenshot(path=str(artifacts / f"feedback-status-{language}-390.png"), full_page=True)
    context.close()
    assert Submission.objects.get().language == language


def test_the_form_is_usable_with_the_keyboard_alone(browser, live_server, artifacts, channel):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/f/{channel.token}/?lang=en")
    page.screenshot(path=str(artifacts / "feedback-form-en-1280.png"), full_page=True)
    page.locator("#id_text").focus()
    page.keyboard.type("Typed with the keyboard only.")
    expect(page.locator("#text-counter")).to_contain_text("29 of 5,000")
    page.locator("#id_consent_read").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Send my feedback").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Thank you. We received your feedback.").wait_for()
    page.screenshot(path=str(artifacts / "feedback-thanks-en-1280.png"), full_page=True)
    context.close()
