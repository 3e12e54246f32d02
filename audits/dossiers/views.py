"""Dossier pages: a review's exports (start one, follow its progress, download, record a
counter-signed copy), the difference between two exports, and the public /verify/ page."""

from __future__ import annotations

import io
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audits.signatures import verify
from orgs import access
from orgs.plumbing.errors import PermissionDenied, ServiceError, refusal_message
from orgs.web import actor
from reviews.models import Review
from reviews.selectors import reviews_for

from . import diff, selectors, services
from .forms import DiffForm, PdfUploadForm
from .models import Dossier, DossierStatus


def _review(request: HttpRequest, pk: int) -> Review:
    review = get_object_or_404(reviews_for(request.user), pk=pk)
    if not access.can(request.user, "dossier.read", review):
        raise Http404("No such review.")
    return review


@login_required
def review_dossiers(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    if request.method == "POST":
        try:
            dossier = services.dossier_export(actor=actor(request), review=review)
        except (ServiceError, PermissionDenied) as exc:
            messages.error(request, refusal_message(exc))
        else:
            messages.success(request, f"Dossier {dossier.number} is being exported.")
        return redirect("review_dossiers", pk=review.pk)
    dossiers = list(selectors.dossiers_of(request.user, review))
    return render(
        request,
        "dossiers/review_dossiers.html",
        {
            "review": review,
            "dossiers": dossiers,
            "ready": [d for d in dossiers if d.status == DossierStatus.READY],
            "can_export": access.can(request.user, "dossier.export", review),
            "can_countersign": access.can(request.user, "dossier.countersign", review),
            "upload_form": PdfUploadForm(),
        },
    )


@login_required
def dossier_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the dossiers page while an export is pending."""
    dossier = get_object_or_404(selectors.dossiers_for(request.user), pk=pk)
    return render(
        request,
        "dossiers/_dossier_row.html",
        {
            "d": dossier,
            "review": dossier.review,
            "can_countersign": access.can(request.user, "dossier.countersign", dossier),
            "upload_form": PdfUploadForm(),
        },
    )


def _ready(request: HttpRequest, pk: int) -> tuple[Dossier, bytes]:
    dossier = get_object_or_404(selectors.dossiers_for(request.user), pk=pk)
    pdf = services.stored_pdf(dossier) if dossier.status == DossierStatus.READY else None
    if pdf is None:
        raise Http404("This dossier is not ready.")
    return dossier, pdf


@login_required
def dossier_download(request: HttpRequest, pk: int) -> FileResponse:
    dossier, pdf = _ready(request, pk)
    return FileResponse(
        io.BytesIO(pdf),
        as_attachment=True,
        filename=dossier.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


@login_required
@require_POST
def dossier_countersigned(request: HttpRequest, pk: int) -> HttpResponse:
    dossier, _pdf = _ready(request, pk)
    form = PdfUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        try:
            copy = services.dossier_record_countersigned(
                actor=actor(request), dossier=dossier, pdf=form.cleaned_data["file"]
            )
        except (ServiceError, PermissionDenied) as exc:
            messages.error(request, refusal_message(exc))
        else:
            messages.success(request, f"The counter-signed copy is kept as dossier {copy.number}.")
    return redirect("review_dossiers", pk=dossier.review_id)


def _data(dossier: Dossier) -> dict[str, Any]:
    pdf = services.stored_pdf(dossier)
    raw = verify.embedded_file(pdf) if pdf is not None else None
    if raw is None:
        raise Http404("This dossier carries no data.")
    data: dict[str, Any] = json.loads(raw)
    return data


@login_required
def dossier_diff(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = DiffForm(request.GET or None)
    context: dict[str, Any] = {"review": review, "form": form}
    ready = selectors.dossiers_of(request.user, review).filter(status=DossierStatus.READY)
    context["ready"] = ready
    if form.is_valid():
        a = ready.filter(number=form.cleaned_data["a"]).first()
        b = ready.filter(number=form.cleaned_data["b"]).first()
        if a is None or b is None:
            form.add_error(None, "Pick two finished dossiers of this review.")
        else:
            found, total = diff.changes(_data(a), _data(b))
            context.update({"a": a, "b": b, "changes": found, "total": total})
    return render(request, "dossiers/diff.html", context, status=400 if form.errors else 200)


def verify_page(request: HttpRequest) -> HttpResponse:
    """Anyone may check a dossier: signatures, trust, integrity, and whether it is an
    export this installation recorded."""
    form = PdfUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.verification(form.cleaned_data["file"], viewer=request.user)
        except verify.NotAPdf as exc:
            form.add_error("file", str(exc))
    return render(
        request,
        "dossiers/verify.html",
        {"form": form, "result": result},
        status=400 if form.errors else 200,
    )
