"""Pages of model cards: the system's card (current version, versions, actions), a
version, the draft's editor with a sanitised preview, the diff, import and export. Reads go
through scoped selectors; another organization's card is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from orgs import access
from orgs.plumbing.errors import PermissionDenied, ServiceError, refusal_message
from orgs.web import actor
from reviews.models import AISystem
from reviews.selectors import systems_for

from . import selectors, services
from .documents import analysis, diff, formats
from .documents.sections import SECTIONS, anchor
from .documents.sections import render as render_markdown
from .forms import ImportForm, VersionForm
from .models import ModelCard, ModelCardVersion


def _system(request: HttpRequest, pk: int) -> AISystem:
    return get_object_or_404(systems_for(request.user), pk=pk)


def _card(request: HttpRequest, system: AISystem) -> ModelCard:
    card = selectors.cards_for(request.user).filter(system=system).first()
    if card is None:
        raise Http404("This system has no model card.")
    return card


def _version(request: HttpRequest, pk: int) -> ModelCardVersion:
    return get_object_or_404(selectors.versions_for(request.user), pk=pk)


def _show(request: HttpRequest, card: ModelCard, version: ModelCardVersion | None) -> HttpResponse:
    user = request.user
    versions = list(selectors.versions_of(card))
    draft = next((v for v in versions if not v.is_published), None)
    sections = []
    if version is not None:
        for s in SECTIONS:
            text = version.sections.get(s.key, "")
            sections.append({"section": s, "anchor": anchor(s.key), "html": render_markdown(text)})
    return render(
        request,
        "modelcards/card.html",
        {
            "system": card.system,
            "card": card,
            "version": version,
            "versions": versions,
            "draft": draft,
            "sections": sections,
            "tables": analysis.tables(version.analysis if version else None),
            "formats": formats().values(),
            "import_form": ImportForm(),
            "may_edit": access.can(user, "modelcard.update", card),
            "may_publish": access.can(user, "modelcard.publish", card),
        },
    )


@login_required
def modelcard(request: HttpRequest, pk: int) -> HttpResponse:
    system = _system(request, pk)
    card = selectors.cards_for(request.user).filter(system=system).first()
    if card is None:
        return render(
            request,
            "modelcards/empty.html",
            {"system": system, "may_create": access.can(request.user, "modelcard.create", system)},
        )
    return _show(request, card, selectors.current_version(card))


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    return _show(request, version.card, version)


def _attempt(request: HttpRequest, call: Any, ok: str) -> Any:
    try:
        result = call()
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
        return None
    messages.success(request, ok)
    return result


@login_required
@require_POST
def modelcard_create(request: HttpRequest, pk: int) -> HttpResponse:
    system = _system(request, pk)
    _attempt(
        request,
        lambda: services.modelcard_create(actor=actor(request), system=system),
        "Model card started: version 1 is a draft.",
    )
    return redirect("modelcard", pk=system.pk)


@login_required
@require_POST
def new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(request, _system(request, pk))
    version = _attempt(
        request,
        lambda: services.version_new_draft(actor=actor(request), card=card),
        "New draft started from the latest version.",
    )
    return redirect("modelcard_edit", pk=version.pk) if version else redirect("modelcard", pk=pk)


@login_required
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    access.require(request.user, "modelcard.update", version)
    if version.is_published:
        messages.error(request, f"Version {version.number} is published; start a new draft.")
        return redirect("modelcard_version", pk=version.pk)
    form = VersionForm(
        request.POST or None, initial=VersionForm.initial_for(version.metadata, version.sections)
    )
    previews = {key: render_markdown(text) for key, text in version.sections.items()}
    if request.method == "POST" and form.is_valid():
        metadata, sections = form.payload()
        if request.POST.get("action") == "preview":
            previews = {key: render_markdown(text) for key, text in sections.items()}
        else:
            try:
                services.version_update(
                    actor=actor(request), version=version, sections=sections, metadata=metadata
                )
            except ServiceError as exc:
                form.add_error(None, refusal_message(exc))
            else:
                messages.success(request, f"Draft v{version.number} saved.")
                return redirect("modelcard_version", pk=version.pk)
    runs = selectors.runs_to_fill(request.user, version.card)
    return render(
        request,
        "modelcards/edit.html",
        {
            "version": version,
            "system": version.card.system,
            "form": form,
            "fields": [(f, previews.get(f.name)) for f in form.section_fields()],
            "runs": runs,
            "tables": analysis.tables(version.analysis),
        },
    )


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """A section's Markdown as sanitised HTML, for the editor's live preview."""
    if not access.can_somewhere(request.user, "modelcard.update"):
        raise PermissionDenied("Your role cannot edit model cards.")
    text = request.POST.get("text", "")[:50_000]
    return HttpResponse(render_markdown(text) or '<p class="muted">Nothing yet.</p>')


@login_required
@require_POST
def version_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    raw = request.POST.get("run", "")
    run = None
    if raw:
        runs = selectors.runs_to_fill(request.user, version.card)
        run = runs.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) <= 18 else None
        if run is None:
            messages.error(request, "Choose a succeeded audit of this system.")
            return redirect("modelcard_edit", pk=pk)
    ok = f"Analysis filled from audit #{run.pk}." if run else "Analysis emptied."
    _attempt(
        request,
        lambda: services.version_set_analysis(actor=actor(request), version=version, run=run),
        ok,
    )
    return redirect("modelcard_edit", pk=pk)


@login_required
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    _attempt(
        request,
        lambda: services.version_publish(actor=actor(request), version=version),
        f"Version {version.number} is published and can no longer change.",
    )
    return redirect("modelcard_version", pk=pk)


@login_required
@require_POST
def import_card(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(request, _system(request, pk))
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a format and a file.")
        return redirect("modelcard", pk=pk)
    version = _attempt(
        request,
        lambda: services.modelcard_import(
            actor=actor(request),
            card=card,
            format=form.cleaned_data["format"],
            upload=form.cleaned_data["file"],
        ),
        "Imported into the draft: check it, then publish.",
    )
    return redirect("modelcard_version", pk=version.pk) if version else redirect("modelcard", pk=pk)


@login_required
def version_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    version = _version(request, pk)
    writer = formats().get(fmt)
    if writer is None:
        raise Http404("No such format.")
    response = HttpResponse(writer.write(version.document()), content_type=writer.content_type)
    stem = writer.filename.rsplit(".", 1)
    name = f"{stem[0]}-v{version.number}.{stem[1]}" if fmt != "huggingface" else writer.filename
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def diff_view(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(request, _system(request, pk))
    versions = list(selectors.versions_of(card))
    by_number = {str(v.number): v for v in versions}
    newest = versions[0]
    old = by_number.get(request.GET.get("a", "")) or (versions[1] if len(versions) > 1 else newest)
    new = by_number.get(request.GET.get("b", "")) or newest
    rows = diff.compare(old.document(), new.document())
    return render(
        request,
        "modelcards/diff.html",
        {
            "system": card.system,
            "card": card,
            "versions": versions,
            "old": old,
            "new": new,
            "rows": rows,
            "changed": sum(r["changed"] for r in rows),
        },
    )
