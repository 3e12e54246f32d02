"""HTML → PDF/A-3b with dossier.json attached, and its signature: the part of an export
that runs in a child process (isolate.py), loading only what the safe fetcher (fetcher.py)
allows. Imports neither Django nor the project's models, so a freshly spawned process runs
it without setting Django up."""

from __future__ import annotations

import contextlib
import datetime
import gc
import hashlib
import logging
from collections.abc import Callable, Iterator

from audits.signatures import signing

from .fetcher import SafeURLFetcher

Progress = Callable[[int, str], None]
# WeasyPrint makes millions of small objects for a long dossier, and Python's default
# thresholds (700, 10, 10) run the cycle collector over them thousands of times: about 20%
# of the render's CPU (benchmarks/dossier_bench.py, 77 pages: 10.1 s, 7.4-7.8 s with
# these). Few of those objects are garbage in cycles: peak memory went from 358 to 366 MiB.
RENDER_GC_THRESHOLDS = (1_000_000, 100, 1000)


class _PageCounter(logging.Handler):
    """Turns WeasyPrint's "Creating layout - Page N" log lines into progress: layout is
    most of the work, and a page count is what a person can follow."""

    def __init__(self, step: Callable[[int, str], None]) -> None:
        super().__init__(logging.INFO)
        self.step = step
        self.furthest = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "Creating layout - Page" in message:
            page = message.rsplit("Page", 1)[1].split()[0]
            # Pages are laid out again when page numbers change what fits (the contents
            # page): report only pages not reached before, so progress never goes back.
            if page.isdigit() and int(page) > self.furthest:
                self.furthest = int(page)
                # Layout runs from 35% to 65%; dossiers rarely pass 300 pages.
                self.step(35 + min(30, self.furthest // 10), f"Laying out page {page}")


@contextlib.contextmanager
def _page_progress(step: Callable[[int, str], None]) -> Iterator[None]:
    from weasyprint.logger import PROGRESS_LOGGER

    handler = _PageCounter(step)
    level, propagate = PROGRESS_LOGGER.level, PROGRESS_LOGGER.propagate
    PROGRESS_LOGGER.setLevel(logging.INFO)
    PROGRESS_LOGGER.propagate = False
    PROGRESS_LOGGER.addHandler(handler)
    try:
        yield
    finally:
        PROGRESS_LOGGER.removeHandler(handler)
        PROGRESS_LOGGER.setLevel(level)
        PROGRESS_LOGGER.propagate = propagate


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*RENDER_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@_fewer_collections()
def write(
    html: str,
    payload: bytes,
    when: datetime.datetime,
    progress: Progress | None = None,
    fetcher: SafeURLFetcher | None = None,
) -> tuple[bytes, int]:
    """(PDF/A-3b bytes with ``payload`` attached as dossier.json, number of pages)."""
    import weasyprint

    def step(percent: int, stage: str) -> None:
        if progress is not None:
            progress(percent, stage)

    naive = when.astimezone(datetime.UTC).replace(tzinfo=None)
    fetcher = fetcher or SafeURLFetcher()
    step(30, "Parsing the HTML")
    document = weasyprint.HTML(string=html, base_url="dossier-static:/", url_fetcher=fetcher)
    with _page_progress(step):
        rendered = document.render(pdf_variant="pdf/a-3b")
    pages = len(rendered.pages)
    step(70, f"Writing {pages} pages as PDF/A-3b")
    attachment = weasyprint.Attachment(
        string=payload,
        name="dossier.json",
        description="Every fact of this dossier, machine-readable (forethought.dossier schema)",
        relationship="Data",
        created=naive,
        modified=naive,
        url_fetcher=fetcher,
    )
    pdf = rendered.write_pdf(
        pdf_variant="pdf/a-3b",
        attachments=[attachment],
        # The identifier follows the content, so one state renders one file.
        pdf_identifier=hashlib.sha256(payload).hexdigest()[:32].encode(),
    )
    return pdf, pages


def produce(
    html: str,
    payload: bytes,
    when: datetime.datetime,
    signing_config: dict[str, str],
    tsa_url: str,
    progress: Progress,
) -> tuple[bytes, int]:
    """Render and sign with the credentials ``signing_config`` names (signing.config_of):
    (signed PDF, pages)."""
    pdf, pages = write(html, payload, when, progress=progress)
    progress(90, "Signing")
    creds = signing.credentials(signing_config)
    signed = signing.sign(pdf, creds.signer, tsa=signing.timestamper(tsa_url))
    return signed, pages
