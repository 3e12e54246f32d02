"""What goes into a dossier: the one place where the capabilities meet for it.

A dossier is a list of sections. Each ``Section`` names a provider, a function of the
review (and of ``shared`` facts computed once) that reads one capability through its
selectors and returns plain data, or ``None`` when the review does not use that part; its
template, ``dossiers/pdf/<key>.html``, shows exactly that data. A section whose
provider returns ``None`` is left out of the PDF, its table of contents and dossier.json.

To add a capability (as community feedback, regulation checklists and the model card
were): write ``provide(review, shared) -> dict | None`` that returns only what the PDF
shows (never personal data the capability keeps apart), a template
``templates/dossiers/pdf/<key>.html`` that reads ``section``, and insert
``Section(key, title, provide)`` into ``SECTIONS`` where it belongs;
to put a line in the executive summary, add a function to ``SUMMARY_LINES``. Bump
``SCHEMA`` and extend docs/dossier.schema.json when the data's shape changes. See
docs/dossiers.md, "Adding a section".
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

from orgs.ledger.models import Event
from reviews.feedback import dossier_section as feedback
from reviews.modelcards import dossier_section as modelcard
from reviews.models import Review

from . import audit_sections, checklists, sections
from .sections import Data, moment

SCHEMA = "forethought.dossier/1"
Provider = Callable[[Review, Data], Data | None]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    provide: Provider


SECTIONS: list[Section] = [
    Section("summary", "Executive summary", sections.summary),
    Section("system", "System description", sections.system),
    Section("modelcard", "Model card", modelcard.modelcard),
    Section("stakeholders", "Stakeholder map", sections.stakeholders),
    Section("harms", "Harm register and risk matrix", sections.harm_register),
    Section("contested", "Contested harms", sections.contested),
    Section("mitigations", "Mitigation plan", sections.mitigation_plan),
    Section("acceptances", "Risk acceptances", sections.acceptances),
    Section("feedback", "Community feedback", feedback.feedback),
    Section(
        "checklists",
        "Regulation checklists and statement of applicability",
        checklists.checklists,
    ),
    Section("audits", "Audit results", audit_sections.audits),
    Section("signoffs", "Sign-offs", sections.signoffs),
    Section("appendix", "Appendix: provenance", lambda review, shared: appendix(shared)),
]
# Lines for the executive summary from capabilities that have no section of their own
# there: each returns [{"label": ..., "value": ...}] (empty when it has nothing to say).
SUMMARY_LINES: list[Callable[[Review, Data], list[Data]]] = [
    checklists.summary_lines,
    feedback.summary_lines,
]
SOFTWARE = ("forethought", "Django", "weasyprint", "pyHanko", "numpy", "pandas", "pyarrow")


def software_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def event_head(review: Review) -> Data:
    """The organization's event log head before any dossier event: the state the dossier
    shows. Exporting records an event, which must not move what the next export pins."""
    event = (
        Event.objects.filter(organization_id=review.organization_id)
        .exclude(object_type="dossiers.dossier")
        .order_by("-seq")
        .first()
    )
    if event is None:
        return {"seq": 0, "hash": "", "at": moment(review.created_at)}
    return {"seq": event.seq, "hash": event.hash, "at": moment(event.at)}


def appendix(shared: Data) -> Data:
    runs = shared["audit_runs"]
    return {
        "inputs": [
            {
                "run": r["run"],
                "dataset": r["dataset"],
                "file": r["input"].get("name"),
                "sha256": r["input"].get("sha256"),
                "rows": r["input"].get("rows"),
                "bytes": r["input"].get("bytes"),
            }
            for r in runs
        ],
        "configs": [{"run": r["run"], "config": r["config"]} for r in runs],
        "engine_versions": [{"run": r["run"], "versions": r["versions"]} for r in runs],
        "software": software_versions(),
        "event_log": shared["state"],
    }


def build(review: Review, signing: Data) -> Data:
    """Every fact of the dossier as plain data (what dossier.json holds)."""
    runs = [audit_sections.run_data(run) for run in audit_sections.succeeded_runs(review)]
    shared: Data = {
        "harms": sections.harm_rows(review),
        "audit_runs": runs,
        "latest_audit_headline": audit_sections.headline(runs[-1]) if runs else None,
        "state": event_head(review),
    }
    out: list[Data] = []
    for section in SECTIONS:
        data = section.provide(review, shared)
        if data is not None:
            out.append({"key": section.key, "title": section.title, "data": data})
    extra = [line for lines in SUMMARY_LINES for line in lines(review, shared)]
    for item in out:
        if item["key"] == "summary":
            item["data"]["extra"] = extra
    return {
        "schema": SCHEMA,
        "organization": review.organization.name,
        "review": {
            "id": review.pk,
            "title": review.title,
            "status": review.get_status_display(),
            "round": review.round,
            "system": review.system.name,
            "system_version": review.system_version,
        },
        "state": shared["state"],
        "signing": signing,
        "sections": out,
    }
