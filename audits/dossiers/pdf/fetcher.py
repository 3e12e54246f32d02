"""What WeasyPrint may load while it renders a dossier: the app's own static files and
``data:`` URIs, nothing else. No network, no file outside the static folder, no redirects
(nothing here speaks HTTP). Whatever else a document names (``file:///etc/passwd``, an
``http://127.0.0.1:…`` address in an image, a CSS ``url()`` or an attachment link) raises,
and WeasyPrint leaves it out."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
# The scheme templates use for the app's own files: dossier-static:dossiers/dossier.css
SCHEME = "dossier-static:"


class RefusedURL(ValueError):
    pass


class SafeURLFetcher(URLFetcher):
    def __init__(self, root: Path = STATIC_ROOT) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith(SCHEME):
            relative = url[len(SCHEME) :].lstrip("/")
            path = (self.root / relative).resolve()
            if not path.is_relative_to(self.root) or not path.is_file():
                self.refused.append(url)
                raise RefusedURL(f"Not one of the dossier's own files: {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, path.read_bytes(), headers={"Content-Type": kind}, status=200
            )
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        self.refused.append(url)
        raise RefusedURL(f"Dossiers load nothing from outside: {url}")
