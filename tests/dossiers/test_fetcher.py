"""The renderer loads nothing from outside: user text is escaped, and even raw HTML that
names a local server, a local file, a CSS url() or an attachment link fetches and embeds
nothing (a canary server counts every request). Only the app's static files and data:
URIs load."""

from __future__ import annotations

import base64
import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from audits.dossiers import render
from audits.dossiers.pdf.fetcher import RefusedURL, SafeURLFetcher
from audits.signatures.verify import embedded_file

from .conftest import free_port, pdftotext

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
DATA = {
    "schema": "forethought.dossier/1",
    "organization": "Canary Org",
    "review": {
        "id": 1,
        "title": "T",
        "status": "Draft",
        "round": 0,
        "system": "S",
        "system_version": "",
    },
    "state": {"seq": 1, "hash": "a" * 64, "at": "2026-01-02T03:04:05+00:00"},
    "signing": {"subject": "Test", "development_key": True},
    "sections": [],
}


@pytest.fixture
def canary():
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(302)  # a redirect to a local file, were it followed
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def hostile(base: str) -> str:
    return f"""
    <img src="{base}/img.png"> <img src="file:///etc/passwd"> <img src="/etc/passwd">
    <link rel="stylesheet" href="{base}/style.css">
    <link rel="attachment" href="{base}/attached.txt" title="extra">
    <link rel="attachment" href="file:///etc/passwd">
    <style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png"); }}
    @font-face {{ font-family: X; src: url("{base}/font.woff"); }}</style>
    <p style="background-image: url('{base}/inline.png')">styled</p>
    <svg><image href="{base}/svg.png" width="10" height="10"/></svg>
    <iframe src="{base}/frame"></iframe> <object data="{base}/object"></object>
    <img src="dossier-static:../../../config/settings.py">
    """


def test_raw_html_naming_outside_resources_fetches_and_embeds_nothing(canary):
    base, hits = canary
    fetcher = SafeURLFetcher()
    html = (
        "<html><head><title>t</title></head><body><h1>Canary</h1>"
        + hostile(base)
        + f'<img alt="ok" src="data:image/png;base64,{base64.b64encode(PNG).decode()}">'
        + "</body></html>"
    )
    pdf, _pages = render.to_pdf(DATA, html=html, fetcher=fetcher)
    assert hits == []
    for url in (
        f"{base}/img.png",
        "file:///etc/passwd",
        f"{base}/bg.png",
        f"{base}/attached.txt",
        f"{base}/style.css",
    ):
        assert url in fetcher.refused, url
    assert any("settings.py" in url for url in fetcher.refused)
    text = pdftotext(pdf)
    assert "root:" not in text and "Canary" in text
    # Only dossier.json is attached: the attachment links embedded nothing.
    reader = PdfFileReader(io.BytesIO(pdf))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert [str(names[i]) for i in range(0, len(names), 2)] == ["dossier.json"]
    assert embedded_file(pdf).startswith(b"{")
    assert b"root:x:0:0" not in pdf


def test_user_text_with_the_same_content_is_printed_not_loaded(canary, demo):
    from audits.dossiers import gather
    from reviews.harms import services as harm_services
    from reviews.harms.models import HarmCategory

    base, hits = canary
    title = f'<img src="{base}/title.png"> url({base}/x.png)'[:200]
    harm_services.harm_create(
        actor=demo.owner,
        review=demo.review,
        title=title,
        description=hostile(base),
        category=HarmCategory.objects.first(),
    )
    data = gather.build(demo.review, {"subject": "Test", "development_key": True})
    fetcher = SafeURLFetcher()
    pdf, _pages = render.to_pdf(data, fetcher=fetcher)
    assert hits == []
    assert fetcher.refused == []  # nothing in user text even reached the fetcher
    assert f"{base}/title.png" in pdftotext(pdf, layout=False).replace("\n", "")


def test_the_fetcher_serves_its_own_static_files_and_data_uris_only():
    fetcher = SafeURLFetcher()
    css = fetcher.fetch("dossier-static:dossiers/dossier.css")
    assert b"@page" in css.read()
    data = fetcher.fetch("data:text/plain;base64,aGk=")
    assert data.read() == b"hi"
    for url in (
        "dossier-static:../fetcher.py",
        "dossier-static:/etc/passwd",
        "file:///etc/passwd",
        "http://127.0.0.1:8260/",
        "https://example.org/",
        "ftp://127.0.0.1/x",
    ):
        with pytest.raises((RefusedURL, ValueError)):
            fetcher.fetch(url)


pytestmark = pytest.mark.django_db
