"""The harm register page (filters, risk matrix, CSV) and its mitigation form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from orgs import access
from orgs.web import actor, paginate, submit
from reviews.freeze import is_frozen
from reviews.models import Review
from reviews.selectors import harm_acceptances_in_force, reviews_for

from . import selectors, services
from .forms import HarmAddForm, MitigationForm, RatingForm
from .matrix import risk_matrix_svg
from .models import Disposition, HarmStatus, MitigationStatus
from .register import to_csv
from .selectors import RegisterRow

SORTS: dict[str, Any] = {
    "risk": lambda r: (-(r.agg.risk or 0), r.harm.pk),
    "severity": lambda r: (-(r.agg.severity or 0), r.harm.pk),
    "likelihood": lambda r: (-(r.agg.likelihood or 0), r.harm.pk),
    "votes": lambda r: (-r.agg.votes, r.harm.pk),
    "title": lambda r: (r.harm.title.lower(), r.harm.pk),
    "category": lambda r: (r.harm.category.order, r.harm.pk),
    "status": lambda r: (r.harm.status, r.harm.pk),
    # How many community feedback submissions back the harm (annotated below).
    "feedback": lambda r: (-getattr(r.harm, "feedback_count", 0), r.harm.pk),
}


def matrix_svg(review: Review, rows: list[RegisterRow], linked: bool = True) -> str:
    """The 5×5 risk matrix of these rows; with ``linked`` each cell links to the register
    filtered to it (for readers who may open the register)."""
    cells: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for row in rows:
        if row.agg.cell:
            cells.setdefault(row.agg.cell, []).append((row.harm.pk, row.harm.title))
    base = reverse("harm_register", args=[review.pk])
    return risk_matrix_svg(
        cells,
        link=(lambda s, lk: f"{base}?{urlencode({'severity': s, 'likelihood': lk})}")
        if linked
        else None,
    )


def _digits(value: str | None) -> int | None:
    # isdigit() also accepts superscripts such as "²": only ASCII digits are numbers here.
    if value and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


@login_required
def harm_register(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(reviews_for(request.user), pk=pk)
    harms = selectors.harms_for(request.user).filter(review=review)
    q = request.GET
    if q.get("category"):
        harms = harms.filter(category__slug=q["category"])
    if q.get("family"):
        harms = harms.filter(category__family=q["family"])
    if q.get("status") in HarmStatus.values:
        harms = harms.filter(status=q["status"])
    stakeholder = _digits(q.get("stakeholder"))
    if stakeholder is not None:
        harms = harms.filter(stakeholders=stakeholder)
    rows = selectors.register_rows(selectors.with_feedback_counts(harms), related=False)
    all_rows = rows
    # Unfiltered, the rows are every harm of the review: the coverage check reuses them.
    every_harm = not any(q.get(k) for k in ("category", "family", "status", "stakeholder"))
    if q.get("contested") in {"1", "yes", "true"}:
        rows = [r for r in rows if r.agg.contested]
    try:
        risk_min = float(q["risk_min"]) if q.get("risk_min") else None
    except ValueError:
        risk_min = None
    if risk_min is not None:
        rows = [r for r in rows if r.agg.risk is not None and r.agg.risk >= risk_min]
    severity, likelihood = _digits(q.get("severity")), _digits(q.get("likelihood"))
    if severity is not None and likelihood is not None:
        rows = [r for r in rows if r.agg.cell == (severity, likelihood)]
    sort = q.get("sort", "risk")
    rows = sorted(rows, key=SORTS.get(sort, SORTS["risk"]))

    if q.get("format") == "csv":
        selectors.with_related(rows)
        return _register_csv(review, rows, request.user)

    frozen = is_frozen(review)
    user = request.user
    accepted = harm_acceptances_in_force(review)
    page = paginate(request, rows)  # the matrix and the CSV cover every row; the table pages
    rows = list(page.object_list)
    selectors.with_related(rows)
    stakeholders = selectors.stakeholders_of(review)
    return render(
        request,
        "harms/register.html",
        {
            "review": review,
            "rows": [
                {
                    "row": r,
                    "author": selectors.author_name(r.harm, user),
                    "acceptance": accepted.get(r.harm.pk),
                }
                for r in rows
            ],
            "matrix": matrix_svg(review, all_rows),
            "threshold": review.organization.mitigation_risk_threshold,
            "uncovered": [
                (h, risk)
                for h, risk in selectors.uncovered_harms(review, all_rows if every_harm else None)
                if h.pk not in accepted
            ],
            "frozen": frozen,
            "editor": access.can(user, "mitigation.create", review) and not frozen,
            "may_add": access.can(user, "harm.create", review) and not frozen,
            "may_edit": access.can(user, "harm.update", review) and not frozen,
            "may_rate": access.can(user, "rating.set", review) and not frozen,
            "own_ratings": selectors.own_ratings(user, [r.harm for r in rows]),
            "add_form": HarmAddForm(stakeholders=stakeholders),
            "rating_fields": [(name, f.label) for name, f in RatingForm.base_fields.items()],
            "one_to_five": range(1, 6),
            "owners": list(
                access.users_who_may(review.organization_id, "mitigation.own").values_list(
                    "pk", "username"
                )
            ),
            "mitigation_statuses": MitigationStatus.choices,
            "dispositions": Disposition.choices,
            "categories": selectors.categories(),
            "stakeholders": stakeholders,
            "statuses": HarmStatus.choices,
            "q": q,
            "page": page,
            "sort": sort,
            "csv_query": urlencode({**q.dict(), "format": "csv"}),
        },
    )


CSV_HEADER = [
    "id",
    "title",
    "description",
    "family",
    "category",
    "stakeholders",
    "source",
    "status",
    "author",
    "raters",
    "median_severity",
    "median_likelihood",
    "median_scale",
    "risk",
    "severity_iqr",
    "likelihood_iqr",
    "contested",
    "votes",
    "mitigations",
    "status_note",
    "risk_accepted_until",
]


def _register_csv(review: Review, rows: list[RegisterRow], viewer: Any) -> HttpResponse:
    accepted = harm_acceptances_in_force(review)
    body = to_csv(
        CSV_HEADER,
        (
            [
                r.harm.pk,
                r.harm.title,
                r.harm.description,
                r.harm.category.family_name,
                r.harm.category.name,
                "; ".join(s.name for s in r.harm.stakeholders.all()),
                r.harm.source,
                r.harm.status,
                selectors.author_name(r.harm, viewer) or "",
                r.agg.raters,
                r.agg.severity,
                r.agg.likelihood,
                r.agg.scale,
                r.agg.risk,
                r.agg.severity_iqr,
                r.agg.likelihood_iqr,
                r.agg.contested,
                r.agg.votes,
                " | ".join(
                    f"{m.action} ({m.owner.get_username()}, {m.status})" for m in r.mitigations
                ),
                r.harm.status_note,
                accepted[r.harm.pk].expires_on.isoformat() if r.harm.pk in accepted else "",
            ]
            for r in rows
        ),
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="harm-register-review-{review.pk}.csv"'
    return response


@login_required
@require_POST
def mitigation_add(request: HttpRequest, pk: int) -> HttpResponse:
    harm = get_object_or_404(selectors.harms_for(request.user), pk=pk)
    submit(
        request,
        MitigationForm(
            request.POST, owners=access.users_who_may(harm.organization_id, "mitigation.own")
        ),
        lambda **data: services.mitigation_create(actor=actor(request), harm=harm, **data),
        "Mitigation added.",
    )
    return redirect("harm_register", pk=harm.review_id)
