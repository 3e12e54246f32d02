"""Server-rendered pages. Each view reads through a selector scoped to the user and
writes through a service; another organization's object is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors, services
from .errors import ServiceError
from .forms import AISystemForm, ReviewForm, SignOffForm, TransitionForm
from .middleware import SESSION_KEY
from .models import EDITOR_ROLES, SIGNER_ROLES, ReviewStatus
from .services import TRANSITIONS, missing_signoffs


def healthz(request):
    """Liveness and readiness for load balancers: 200 when the database and broker answer."""
    from django.conf import settings

    from config.celery import app

    body: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = "ok"
    except DatabaseError as exc:
        body["database"] = f"error: {exc.__class__.__name__}"
        healthy = False
    if settings.CELERY_TASK_ALWAYS_EAGER:
        body["broker"] = "eager"
    else:
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            body["broker"] = "ok"
        except Exception as exc:  # kombu raises many kinds; any of them means "down"
            body["broker"] = f"error: {exc.__class__.__name__}"
            healthy = False
    return JsonResponse(body, status=200 if healthy else 503)


def _org(request):
    if request.organization is None:
        raise Http404("You are not a member of any organization yet.")
    return request.organization


@login_required
def home(request):
    return redirect("system_list")


@login_required
@require_POST
def switch_organization(request):
    organization = get_object_or_404(
        selectors.organizations_for(request.user), pk=request.POST.get("organization")
    )
    request.session[SESSION_KEY] = organization.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")
    return HttpResponseRedirect(target)


@login_required
def system_list(request):
    organization = _org(request)
    role = selectors.role_in(request.user, organization)
    form = AISystemForm(request.POST or None)
    if request.method == "POST":
        if role not in EDITOR_ROLES:
            raise PermissionDenied("Your role cannot create AI systems.")
        if form.is_valid():
            system = services.system_create(
                actor=request.user, organization=organization, **form.cleaned_data
            )
            messages.success(request, f"Created {system.name}.")
            return redirect("system_detail", pk=system.pk)
    systems = selectors.systems_for(request.user, organization)
    return render(
        request,
        "reviews/system_list.html",
        {"systems": systems, "form": form, "can_edit": role in EDITOR_ROLES},
    )


@login_required
def system_detail(request, pk: int):
    system = get_object_or_404(selectors.systems_for(request.user), pk=pk)
    role = selectors.role_in(request.user, system.organization)
    form = ReviewForm(request.POST or None, organization=system.organization)
    if request.method == "POST":
        if role not in EDITOR_ROLES:
            raise PermissionDenied("Your role cannot create reviews.")
        if form.is_valid():
            try:
                review = services.review_create(
                    actor=request.user, system=system, **form.cleaned_data
                )
            except ServiceError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, f"Created review {review.title}.")
                return redirect("review_detail", pk=review.pk)
    return render(
        request,
        "reviews/system_detail.html",
        {
            "system": system,
            "reviews": system.reviews.select_related("lead").order_by("-created_at"),
            "form": form,
            "can_edit": role in EDITOR_ROLES,
        },
    )


@login_required
def review_list(request):
    organization = _org(request)
    reviews = selectors.reviews_for(request.user, organization)
    status = request.GET.get("status")
    if status in ReviewStatus.values:
        reviews = reviews.filter(status=status)
    return render(
        request,
        "reviews/review_list.html",
        {"reviews": reviews, "statuses": ReviewStatus.choices, "status": status},
    )


MOVE_LABELS = {
    ReviewStatus.DRAFT: "Return to draft",
    ReviewStatus.IN_REVIEW: "Send for sign-off",
    ReviewStatus.APPROVED: "Approve",
    ReviewStatus.REJECTED: "Reject",
    ReviewStatus.ARCHIVED: "Archive",
}


@login_required
def review_detail(request, pk: int):
    review = get_object_or_404(selectors.reviews_for(request.user), pk=pk)
    organization = review.system.organization
    role = selectors.role_in(request.user, organization)
    moves = [
        (to, MOVE_LABELS[to])
        for (frm, to), roles in TRANSITIONS.items()
        if frm == review.status and role in roles
    ]
    signoffs = review.signoffs.select_related("user").order_by("-round", "signed_at")
    already_signed = review.signoffs.filter(round=review.round, user=request.user).exists()
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "role": role,
            "moves": moves,
            "signoffs": signoffs,
            "missing": missing_signoffs(review) if review.status == ReviewStatus.IN_REVIEW else [],
            "can_sign": (
                review.status == ReviewStatus.IN_REVIEW
                and role in SIGNER_ROLES
                and not already_signed
            ),
            "signoff_form": SignOffForm(),
            "events": selectors.events_about(review)[:50],
        },
    )


@login_required
@require_POST
def review_transition(request, pk: int):
    review = get_object_or_404(selectors.reviews_for(request.user), pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid status.")
        return redirect("review_detail", pk=pk)
    try:
        review = services.review_transition(actor=request.user, review=review, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The review is now {review.get_status_display().lower()}.")
    return redirect("review_detail", pk=pk)


@login_required
@require_POST
def review_sign_off(request, pk: int):
    review = get_object_or_404(selectors.reviews_for(request.user), pk=pk)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or reject.")
        return redirect("review_detail", pk=pk)
    try:
        services.signoff_create(actor=request.user, review=review, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your sign-off is recorded.")
    return redirect("review_detail", pk=pk)


@login_required
def event_log(request):
    organization = _org(request)
    role = selectors.role_in(request.user, organization)
    if request.method == "POST":
        try:
            services.chain_verification_start(actor=request.user, organization=organization)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Verification queued.")
        return redirect("event_log")
    events = selectors.events_for(request.user).filter(organization=organization).order_by("-seq")
    return render(
        request,
        "reviews/event_log.html",
        {
            "events": events[:200],
            "verifications": selectors.chain_verifications_for(request.user).filter(
                organization=organization
            )[:5],
            "can_verify": role in EDITOR_ROLES,
        },
    )
