"""Workshop pages: list, live board (HTMX polling), invitations, register with CSV."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from .. import selectors as core_selectors
from ..errors import ServiceError
from ..models import EDITOR_ROLES, Review
from . import selectors, services
from .forms import (
    ConsequenceForm,
    GuestSignupForm,
    HarmCardForm,
    InvitationForm,
    LaunchGateForm,
    MitigationForm,
    RatingForm,
    SortForm,
    StakeholderForm,
    WorkshopForm,
)
from .matrix import risk_matrix_svg
from .models import Consequence, Harm, HarmCategory, HarmStatus, Vote, WorkshopInvitation
from .register import to_csv
from .rounds import current_round, rounds_for


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _cells(rows) -> dict[tuple[int, int], list[tuple[int, str]]]:
    cells: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for row in rows:
        if row.agg.cell:
            cells.setdefault(row.agg.cell, []).append((row.harm.pk, row.harm.title))
    return cells


def _matrix(review: Review, rows) -> str:
    base = reverse("harm_register", args=[review.pk])
    return risk_matrix_svg(
        _cells(rows),
        link=lambda s, lk: f"{base}?{urlencode({'severity': s, 'likelihood': lk})}",
    )


@login_required
def workshop_list(request):
    organization = request.organization
    if organization is None:
        raise Http404
    workshops = selectors.workshops_for(request.user).filter(
        review__system__organization=organization
    )
    reviews = core_selectors.reviews_for(request.user, organization)
    can_create = core_selectors.role_in(request.user, organization) in EDITOR_ROLES
    form = WorkshopForm(request.POST or None, reviews=reviews)
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            try:
                workshop = services.workshop_create(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field, exc.message)
            else:
                return redirect("workshop_board", pk=workshop.pk)
    return render(
        request,
        "workshops/workshop_list.html",
        {"workshops": workshops, "form": form, "can_create": can_create},
    )


def _board_context(request, workshop, version: str | None = None) -> dict:
    user = request.user
    harms = (
        Harm.objects.filter(workshop=workshop)
        .select_related("category", "author")
        .order_by("created_at", "id")
    )
    rows = selectors.register_rows(harms)
    mine = {r.harm_id: r for r in workshop_ratings(user, workshop)}
    my_votes: dict[int, list[int]] = {}
    for vote in Vote.objects.filter(workshop=workshop, user=user):
        my_votes.setdefault(vote.harm_id, []).append(vote.pk)
    cards = [
        {
            "row": row,
            "author": row.harm.author.username
            if row.harm.author and selectors.author_visible(row.harm, user)
            else None,
            "mine": mine.get(row.harm.pk),
            "my_votes": my_votes.get(row.harm.pk, []),
        }
        for row in rows
    ]
    consequences = [
        {
            "card": c,
            "author": c.author.username if c.author and selectors.author_visible(c, user) else None,
        }
        for c in Consequence.objects.filter(workshop=workshop).select_related("author")
    ]
    seat = selectors.has_seat(user, workshop)
    return {
        "workshop": workshop,
        "round": current_round(workshop),
        "rounds": rounds_for(workshop.format),
        "cards": cards,
        "consequences": consequences,
        "matrix": _matrix(workshop.review, rows),
        "version": version or selectors.board_version(workshop),
        "can_run": selectors.can_run(user, workshop),
        "seat": seat,
        "writable": seat and workshop.status == "open",
        "votes_left": services.votes_left(user, workshop),
        "scale": range(1, 6),
    }


def workshop_ratings(user, workshop):
    from .models import Rating

    return Rating.objects.filter(harm__workshop=workshop, user=user)


def _get_workshop(request, pk):
    return get_object_or_404(selectors.workshops_for(request.user), pk=pk)


@login_required
def workshop_board(request, pk: int):
    workshop = _get_workshop(request, pk)
    context = _board_context(request, workshop)
    context.update(
        {
            "card_form": HarmCardForm(review=workshop.review),
            "stakeholder_form": StakeholderForm(),
            "consequence_form": ConsequenceForm(),
            "invitation_form": InvitationForm(),
            "stakeholders": workshop.review.stakeholders.all(),
            "coverage": selectors.coverage_warnings(workshop),
            "invitations": workshop.invitations.all() if context["can_run"] else [],
            "categories": HarmCategory.objects.all(),
            "participants": workshop.participants.select_related("user"),
            "is_member": core_selectors.role_in(request.user, workshop.review.system.organization)
            is not None,
        }
    )
    return render(request, "workshops/board.html", context)


@login_required
def workshop_board_fragment(request, pk: int):
    """Polled every second by the board; 204 (no swap) while nothing has changed."""
    workshop = _get_workshop(request, pk)
    version = selectors.board_version(workshop)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return render(request, "workshops/_board.html", _board_context(request, workshop, version))


def _after_write(request, workshop, error: str | None = None, ok: str | None = None):
    if _is_htmx(request):
        context = _board_context(request, workshop)
        context["flash"] = error or ok
        context["flash_error"] = bool(error)
        return render(request, "workshops/_board.html", context, status=200)
    if error:
        messages.error(request, error)
    elif ok:
        messages.success(request, ok)
    return redirect("workshop_board", pk=workshop.pk)


def _run(request, workshop, fn, ok: str | None = None):
    try:
        fn()
    except ServiceError as exc:
        return _after_write(request, workshop, error=exc.message)
    return _after_write(request, workshop, ok=ok)


@login_required
@require_POST
def workshop_add_card(request, pk: int):
    workshop = _get_workshop(request, pk)
    form = HarmCardForm(request.POST, review=workshop.review)
    if not form.is_valid():
        return _after_write(request, workshop, error=_form_error(form))
    return _run(
        request,
        workshop,
        lambda: services.harm_create(
            actor=request.user, review=workshop.review, workshop=workshop, **form.cleaned_data
        ),
        ok="Card added.",
    )


@login_required
@require_POST
def workshop_add_consequence(request, pk: int):
    workshop = _get_workshop(request, pk)
    form = ConsequenceForm(request.POST)
    if not form.is_valid():
        return _after_write(request, workshop, error=_form_error(form))
    return _run(
        request,
        workshop,
        lambda: services.consequence_create(
            actor=request.user, workshop=workshop, **form.cleaned_data
        ),
        ok="Consequence added.",
    )


@login_required
@require_POST
def consequence_sort(request, pk: int):
    card = get_object_or_404(selectors.consequences_for(request.user), pk=pk)
    form = SortForm(request.POST)
    if not form.is_valid():
        return _after_write(request, card.workshop, error=_form_error(form))
    return _run(
        request,
        card.workshop,
        lambda: services.consequence_sort(
            actor=request.user, consequence=card, **form.cleaned_data
        ),
    )


@login_required
@require_POST
def workshop_add_stakeholder(request, pk: int):
    workshop = _get_workshop(request, pk)
    form = StakeholderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect("workshop_board", pk=pk)
    try:
        services.stakeholder_create(
            actor=request.user, review=workshop.review, workshop=workshop, **form.cleaned_data
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("workshop_board", pk=pk)


def _submit(request, form, call, ok: str) -> None:
    """Validate a page form, call the service with its data, and flash the outcome."""
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return
    try:
        call(**form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)


def _form_error(form) -> str:
    return "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())


@login_required
@require_POST
def harm_rate(request, pk: int):
    harm = get_object_or_404(selectors.harms_for(request.user), pk=pk)
    if harm.workshop is None:
        raise Http404
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _after_write(request, harm.workshop, error="Ratings are whole numbers from 1 to 5.")
    return _run(
        request,
        harm.workshop,
        lambda: services.rating_set(actor=request.user, harm=harm, **form.cleaned_data),
    )


@login_required
@require_POST
def harm_vote(request, pk: int):
    harm = get_object_or_404(selectors.harms_for(request.user), pk=pk)
    if harm.workshop is None:
        raise Http404
    if request.POST.get("remove"):
        vote = Vote.objects.filter(harm=harm, user=request.user).last()
        if vote is None:
            return _after_write(request, harm.workshop, error="You have no vote on this card.")
        return _run(
            request, harm.workshop, lambda: services.vote_remove(actor=request.user, vote=vote)
        )
    return _run(request, harm.workshop, lambda: services.vote_add(actor=request.user, harm=harm))


@login_required
@require_POST
def workshop_control(request, pk: int):
    workshop = _get_workshop(request, pk)
    command = request.POST.get("command", "")
    try:
        if command in {"open", "closed"}:
            services.workshop_set_status(actor=request.user, workshop=workshop, status=command)
        elif command == "round":
            services.workshop_set_round(
                actor=request.user, workshop=workshop, number=int(request.POST.get("round", 0))
            )
        elif command == "join":
            services.workshop_join(actor=request.user, workshop=workshop)
        else:
            raise ServiceError("Unknown command.")
    except (ServiceError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", "Give a round number."))
    return redirect("workshop_board", pk=pk)


@login_required
@require_POST
def workshop_invite(request, pk: int):
    workshop = _get_workshop(request, pk)
    _submit(
        request,
        InvitationForm(request.POST),
        lambda **data: services.invitation_create(actor=request.user, workshop=workshop, **data),
        "Invitation link created.",
    )
    return redirect("workshop_board", pk=pk)


@login_required
@require_POST
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(selectors.invitations_for(request.user), pk=pk)
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, "Invitation revoked; the link no longer works.")
    return redirect("workshop_board", pk=invitation.workshop_id)


def invitation_accept(request, token: str):
    """Open to anyone holding the link: a clear page for a dead link, never a login loop."""
    invitation = (
        WorkshopInvitation.objects.select_related("workshop__review__system__organization")
        .filter(token=token)
        .first()
    )
    problem = services.invitation_problem(invitation)
    if problem:
        return render(request, "workshops/invitation.html", {"problem": problem}, status=410)
    workshop = invitation.workshop
    form = GuestSignupForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                services.invitation_accept(user=request.user, token=token)
            elif form.is_valid():
                user = services.guest_signup_and_accept(token=token, **form.cleaned_data)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                return render(
                    request,
                    "workshops/invitation.html",
                    {"invitation": invitation, "form": form},
                    status=400,
                )
        except ServiceError as exc:
            if exc.field:
                form.add_error(exc.field, exc.message)
                return render(
                    request,
                    "workshops/invitation.html",
                    {"invitation": invitation, "form": form},
                    status=400,
                )
            return render(
                request, "workshops/invitation.html", {"problem": exc.message}, status=410
            )
        return redirect("workshop_board", pk=workshop.pk)
    return render(
        request,
        "workshops/invitation.html",
        {
            "invitation": invitation,
            "form": form,
            "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
        },
    )


SORTS = {
    "risk": lambda r: (-(r.agg.risk or 0), r.harm.pk),
    "severity": lambda r: (-(r.agg.severity or 0), r.harm.pk),
    "likelihood": lambda r: (-(r.agg.likelihood or 0), r.harm.pk),
    "votes": lambda r: (-r.agg.votes, r.harm.pk),
    "title": lambda r: (r.harm.title.lower(), r.harm.pk),
    "category": lambda r: (r.harm.category.order, r.harm.pk),
    "status": lambda r: (r.harm.status, r.harm.pk),
}


@login_required
def harm_register(request, pk: int):
    review = get_object_or_404(core_selectors.reviews_for(request.user), pk=pk)
    harms = review.harms.select_related("category", "workshop", "author")
    q = request.GET
    if q.get("category"):
        harms = harms.filter(category__slug=q["category"])
    if q.get("family"):
        harms = harms.filter(category__family=q["family"])
    if q.get("status") in HarmStatus.values:
        harms = harms.filter(status=q["status"])
    if q.get("stakeholder", "").isdigit():
        harms = harms.filter(stakeholders=int(q["stakeholder"]))
    rows = selectors.register_rows(harms)
    all_rows = rows
    if q.get("contested") in {"1", "yes", "true"}:
        rows = [r for r in rows if r.agg.contested]
    try:
        risk_min = float(q["risk_min"]) if q.get("risk_min") else None
    except ValueError:
        risk_min = None
    if risk_min is not None:
        rows = [r for r in rows if r.agg.risk is not None and r.agg.risk >= risk_min]
    if q.get("severity", "").isdigit() and q.get("likelihood", "").isdigit():
        cell = (int(q["severity"]), int(q["likelihood"]))
        rows = [r for r in rows if r.agg.cell == cell]
    sort = q.get("sort", "risk")
    rows = sorted(rows, key=SORTS.get(sort, SORTS["risk"]))

    if q.get("format") == "csv":
        return _register_csv(review, rows, request.user)

    organization = review.system.organization
    members = (
        get_user_model()
        .objects.filter(memberships__organization=organization, memberships__workshop__isnull=True)
        .order_by("username")
    )
    editor = selectors.is_editor(request.user, review)
    return render(
        request,
        "workshops/register.html",
        {
            "review": review,
            "rows": [
                {
                    "row": r,
                    "author": r.harm.author.username
                    if r.harm.author and selectors.author_visible(r.harm, request.user)
                    else None,
                }
                for r in rows
            ],
            "matrix": _matrix(review, all_rows),
            "threshold": organization.mitigation_risk_threshold,
            "uncovered": selectors.uncovered_harms(review),
            "gates": review.launch_gates.select_related("harm"),
            "editor": editor,
            "mitigation_form": MitigationForm(members=members),
            "gate_form": LaunchGateForm(),
            "categories": HarmCategory.objects.all(),
            "stakeholders": review.stakeholders.all(),
            "statuses": HarmStatus.choices,
            "q": q,
            "sort": sort,
            "csv_query": urlencode({**q.dict(), "format": "csv"}),
        },
    )


def _register_csv(review: Review, rows, viewer) -> HttpResponse:
    header = [
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
    ]
    body = to_csv(
        header,
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
                r.harm.author.username
                if r.harm.author and selectors.author_visible(r.harm, viewer)
                else "",
                r.agg.raters,
                r.agg.severity,
                r.agg.likelihood,
                r.agg.scale,
                r.agg.risk,
                r.agg.severity_iqr,
                r.agg.likelihood_iqr,
                r.agg.contested,
                r.agg.votes,
                " | ".join(f"{m.action} ({m.owner.username}, {m.status})" for m in r.mitigations),
            ]
            for r in rows
        ),
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="harm-register-review-{review.pk}.csv"'
    return response


@login_required
@require_POST
def mitigation_add(request, pk: int):
    harm = get_object_or_404(selectors.harms_for(request.user), pk=pk)
    organization = harm.review.system.organization
    members = get_user_model().objects.filter(memberships__organization=organization)
    _submit(
        request,
        MitigationForm(request.POST, members=members),
        lambda **data: services.mitigation_create(actor=request.user, harm=harm, **data),
        "Mitigation added.",
    )
    return redirect("harm_register", pk=harm.review_id)


@login_required
@require_POST
def launch_gate_add(request, pk: int):
    review = get_object_or_404(core_selectors.reviews_for(request.user), pk=pk)
    _submit(
        request,
        LaunchGateForm(request.POST),
        lambda **data: services.launch_gate_create(actor=request.user, review=review, **data),
        "Launch gate added.",
    )
    return redirect("harm_register", pk=pk)
