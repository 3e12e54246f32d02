"""The team's pages: triage queues (a review's and the organization's), a submission with
its triage actions, channels, themes, replies and the organization's feedback settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from orgs import access
from orgs.plumbing.errors import PermissionDenied, ServiceError, refusal_message
from orgs.site import site_url
from orgs.web import actor, current_organization, submit
from reviews.feedback import selectors, services
from reviews.feedback.models import SubmissionStatus
from reviews.feedback.wording import EFFECT_LABEL
from reviews.harms import selectors as harm_selectors
from reviews.harms.models import HarmCategory
from reviews.harms.register import to_csv
from reviews.models import Review
from reviews.selectors import reviews_for

from .forms import ChannelForm, HarmFromSubmissionForm, HideForm, ReplyForm, SettingsForm
from .public import qr_svg

PAGE = 50


def _queue_context(request: HttpRequest, submissions: Any) -> dict[str, Any]:
    filtered = selectors.filter_queue(submissions, request.GET)
    page = Paginator(filtered.prefetch_related("themes", "harms"), PAGE).get_page(
        request.GET.get("page")
    )
    return {
        "page": page,
        "q": request.GET,
        "statuses": SubmissionStatus.choices,
        "languages": selectors.LANGUAGE_NAMES,
        "query": request.GET.urlencode(),
    }


@login_required
def review_queue(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(reviews_for(request.user), pk=pk)
    if not access.can(request.user, "submission.read", review):
        raise Http404
    submissions = selectors.submissions_for(request.user).filter(review=review)
    if request.GET.get("format") == "csv":
        return _csv(
            f"feedback-review-{review.pk}.csv", selectors.filter_queue(submissions, request.GET)
        )
    context = _queue_context(request, submissions)
    context.update(
        {
            "review": review,
            "channels": selectors.channels_of(review),
            "themes": selectors.themes_of(review),
            "stakeholders": harm_selectors.stakeholders_of(review),
            "coverage": selectors.coverage(review),
            "channel_form": ChannelForm(),
            "may_open": access.can(request.user, "feedback_channel.create", review),
            "may_triage": access.can(request.user, "submission.triage", review),
            "may_reply": access.can(request.user, "feedback_reply.create", review),
            "mitigations": harm_selectors.mitigations_for(request.user).filter(harm__review=review),
        }
    )
    return render(request, "feedback/queue.html", context)


@login_required
def organization_queue(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    if not access.can(request.user, "submission.read", organization):
        raise Http404
    submissions = selectors.submissions_for(request.user).filter(organization=organization)
    if request.GET.get("format") == "csv":
        return _csv("feedback.csv", selectors.filter_queue(submissions, request.GET))
    context = _queue_context(request, submissions)
    may_settings = access.can(request.user, "feedback_settings.update", organization)
    context.update(
        {
            "organization": organization,
            "reviews": reviews_for(request.user).filter(organization=organization),
            "themes": selectors.themes_for(request.user)
            .filter(organization=organization)
            .select_related("review"),
            "stakeholders": harm_selectors.stakeholders_for(request.user).filter(
                organization=organization
            ),
            "show_review": True,
            "may_settings": may_settings,
            "settings_form": SettingsForm(
                initial={
                    "retention_days": selectors.retention_days(organization.pk),
                    "contact_roles": selectors.contact_roles(organization.pk),
                }
            ),
        }
    )
    return render(request, "feedback/org_queue.html", context)


def _csv(filename: str, submissions: Any) -> HttpResponse:
    """The queue as CSV: words and triage, never contact details."""
    header = [
        "id",
        "review",
        "sent_at",
        "language",
        "status",
        "about",
        "text",
        "effects",
        "self_described_group",
        "stakeholder",
        "themes",
        "harms",
    ]
    rows = (
        [
            s.pk,
            s.review.title,
            s.created_at.isoformat(),
            s.language,
            s.status,
            s.about,
            s.text,
            "; ".join(s.effects),
            s.self_described_group,
            s.stakeholder.name if s.stakeholder else "",
            "; ".join(t.name for t in s.themes.all()),
            "; ".join(str(h.pk) for h in s.harms.all()),
        ]
        for s in submissions.prefetch_related("themes", "harms")
    )
    response = HttpResponse(to_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    review = submission.review
    user = request.user
    return render(
        request,
        "feedback/submission.html",
        {
            "s": submission,
            "review": review,
            "effects": [str(EFFECT_LABEL.get(e, e)) for e in submission.effects],
            "contact": selectors.contact_of(user, submission),
            "may_see_contact": access.can(user, "submission_contact.read", submission),
            "themes": selectors.themes_of(review),
            "chosen_themes": set(submission.themes.values_list("pk", flat=True)),
            "stakeholders": harm_selectors.stakeholders_of(review),
            "harms": harm_selectors.harms_of(review),
            "linked": submission.harms.all(),
            "categories": HarmCategory.objects.all(),
            "mitigations": harm_selectors.mitigations_for(user).filter(harm__review=review),
            "replies": selectors.replies_for(user).filter(submission=submission),
            "theme_replies": selectors.replies_for(user).filter(theme__in=submission.themes.all()),
            "may_triage": access.can(user, "submission.triage", submission),
            "may_hide": access.can(user, "submission.hide", submission),
            "may_reply": access.can(user, "feedback_reply.create", submission),
            "set_aside": submission.status in selectors.SET_ASIDE,
        },
    )


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 18]


@login_required
@require_POST
def submission_action(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    submission = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    me = actor(request)
    post = request.POST
    if what == "triage":
        themes = list(
            selectors.themes_of(submission.review).filter(pk__in=_ids(post.getlist("themes")))
        )
        stakeholder_ids = _ids([post.get("stakeholder", "")])
        stakeholder = (
            harm_selectors.stakeholders_of(submission.review).filter(pk__in=stakeholder_ids).first()
        )
        _run(
            request,
            lambda: services.submission_triage(
                actor=me, submission=submission, themes=themes, stakeholder=stakeholder
            ),
            "Triage saved.",
        )
    elif what == "hide":
        submit(
            request,
            HideForm(post),
            lambda reason: services.submission_hide(actor=me, submission=submission, reason=reason),
            "Hidden; the words are kept.",
        )
    elif what == "spam":
        _run(
            request,
            lambda: services.submission_mark_spam(actor=me, submission=submission),
            "Marked as spam.",
        )
    elif what == "restore":
        _run(
            request,
            lambda: services.submission_restore(actor=me, submission=submission),
            "Restored.",
        )
    elif what == "link":
        harm = (
            harm_selectors.harms_of(submission.review)
            .filter(pk__in=_ids([post.get("harm", "")]))
            .first()
        )
        if harm is None:
            messages.error(request, "Choose a harm of this review.")
        else:
            _run(
                request,
                lambda: services.submission_link_harm(actor=me, submission=submission, harm=harm),
                "Linked to the harm.",
            )
    elif what == "harm":

        def create(title: str, category: str) -> Any:
            chosen = HarmCategory.objects.filter(slug=category).first() if category else None
            return services.submission_create_harm(
                actor=me, submission=submission, title=title, category=chosen
            )

        submit(
            request,
            HarmFromSubmissionForm(post),
            create,
            "Harm created from this feedback and linked.",
        )
    elif what == "reply":
        review = submission.review

        def reply(text: str, mitigation: int | None, theme: int | None) -> Any:
            m = (
                harm_selectors.mitigations_for(me).filter(pk=mitigation).first()
                if mitigation
                else None
            )
            return services.reply_create(
                actor=me, review=review, text=text, submission=submission, mitigation=m
            )

        submit(request, ReplyForm(post), reply, "Reply published.")
    else:
        raise Http404
    return redirect("feedback_submission", pk=submission.pk)


def _run(request: HttpRequest, call: Any, ok: str) -> None:
    try:
        call()
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
        return
    messages.success(request, ok)


@login_required
@require_POST
def channel_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(reviews_for(request.user), pk=pk)
    made: dict[str, Any] = {}

    def create(**data: Any) -> Any:
        made["channel"] = services.channel_create(actor=actor(request), review=review, **data)
        return made["channel"]

    if submit(request, ChannelForm(request.POST), create, "Channel opened."):
        return redirect("feedback_channel_detail", pk=made["channel"].pk)
    return redirect("feedback_review_queue", pk=review.pk)


@login_required
def channel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(selectors.channels_for(request.user), pk=pk)
    url = site_url(request) + reverse("feedback_channel", args=[channel.token])
    may_edit = access.can(request.user, "feedback_channel.update", channel)
    if request.method == "POST":
        if not may_edit:
            raise Http404
        status = request.POST.get("status")
        if status:
            _run(
                request,
                lambda: services.channel_update(
                    actor=actor(request), channel=channel, status=status
                ),
                "Channel status changed.",
            )
        else:
            submit(
                request,
                ChannelForm(request.POST),
                lambda **data: services.channel_update(
                    actor=actor(request), channel=channel, **data
                ),
                "Channel saved.",
            )
        return redirect("feedback_channel_detail", pk=channel.pk)
    return render(
        request,
        "feedback/channel.html",
        {
            "channel": channel,
            "url": url,
            "qr": qr_svg(url, "QR code of the feedback page"),
            "may_edit": may_edit,
            "form": ChannelForm(
                initial={
                    "title": channel.title,
                    "system_description": channel.system_description,
                    "purpose": channel.purpose,
                }
            ),
            "received": channel.submissions.count(),
        },
    )


@login_required
@require_POST
def theme_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(reviews_for(request.user), pk=pk)
    _run(
        request,
        lambda: services.theme_create(
            actor=actor(request), review=review, name=request.POST.get("name", "")
        ),
        "Theme added.",
    )
    return redirect("feedback_review_queue", pk=review.pk)


@login_required
@require_POST
def theme_reply(request: HttpRequest, pk: int) -> HttpResponse:
    review: Review = get_object_or_404(reviews_for(request.user), pk=pk)
    me = actor(request)

    def reply(text: str, mitigation: int | None, theme: int | None) -> Any:
        t = selectors.themes_of(review).filter(pk=theme).first() if theme else None
        m = harm_selectors.mitigations_for(me).filter(pk=mitigation).first() if mitigation else None
        if t is None:
            raise ServiceError("Choose a theme.", field="theme")
        return services.reply_create(actor=me, review=review, text=text, theme=t, mitigation=m)

    submit(request, ReplyForm(request.POST), reply, "Reply to the theme published.")
    return redirect("feedback_review_queue", pk=review.pk)


@login_required
@require_POST
def reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(selectors.replies_for(request.user), pk=pk)
    back = (
        reverse("feedback_submission", args=[reply.submission_id])
        if reply.submission_id
        else reverse("feedback_review_queue", args=[reply.review_id])
    )
    _run(
        request,
        lambda: services.reply_delete(actor=actor(request), reply=reply),
        "Reply withdrawn.",
    )
    return redirect(back)


@login_required
@require_POST
def settings_update(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    submit(
        request,
        SettingsForm(request.POST),
        lambda **data: services.settings_update(
            actor=actor(request), organization=organization, **data
        ),
        "Feedback settings saved.",
    )
    return redirect("feedback_org_queue")
