"""The pages people use without an account: a channel's page and form, the thank-you page
with the receipt code, the private status page (reply, download, erase) and the channel's
public summary. Each speaks the visitor's language (``?lang=``, then the language cookie,
then the browser's Accept-Language) and right-to-left for Arabic."""

from __future__ import annotations

import functools
import io
import json
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs.plumbing.errors import Conflict, ServiceError
from orgs.site import site_url
from reviews.feedback import receipts, selectors, services
from reviews.feedback.models import ChannelStatus, FeedbackChannel, Submission
from reviews.feedback.wording import EFFECT_LABEL

from . import ratelimit
from .forms import FeedbackForm, ReceiptForm

LANGUAGES = [code for code, _name in settings.LANGUAGES]
YEAR = 365 * 24 * 60 * 60


def pick_language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    found = translation.get_language_from_request(request)
    base = (found or "").split("-")[0]
    return base if base in LANGUAGES else "en"


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render the page in the visitor's language; remember a language they chose."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = pick_language(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        if request.GET.get("lang") in LANGUAGES:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language, max_age=YEAR, samesite="Lax"
            )
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return wrapper


def _private(response: HttpResponse) -> HttpResponse:
    """Pages that show a receipt code or someone's words: never cached. (The referrer
    stays same-origin, the site's policy: "no-referrer" would make browsers send
    ``Origin: null`` with the page's own forms, which CSRF protection refuses.)"""
    response["Cache-Control"] = "no-store"
    return response


@functools.lru_cache(maxsize=256)
def qr_svg(url: str, title: str) -> str:
    """A channel page's QR code (the same for every visitor: drawn once per worker). A
    fixed mask: segno otherwise scores all eight. The receipt's QR code, different for each
    submission, is drawn in the submitter's browser (static/js/feedback.js): the public
    form's answer stays cheap for the server."""
    return str(segno.make(url, error="m", mask=0).svg_inline(scale=4, border=2, title=title))


def _channel(token: str) -> FeedbackChannel:
    channel = selectors.channel_by_token(token)
    if channel is None:
        raise Http404("No such feedback page.")
    return channel


def _page(request: HttpRequest, channel: FeedbackChannel, form: FeedbackForm, status: int = 200):
    page_url = site_url(request) + reverse("feedback_channel", args=[channel.token])
    context = {
        "channel": channel,
        "form": form,
        "open": channel.status == ChannelStatus.OPEN,
        "qr": qr_svg(page_url, _("QR code of this page")),
        "page_url": page_url,
        "retention_days": selectors.retention_days(channel.organization_id),
        "errors": [
            (name, form.fields[name].label if name in form.fields else "", error)
            for name, errs in form.errors.items()
            for error in errs
        ],
    }
    return render(request, "feedback/public/channel.html", context, status=status)


@require_http_methods(["GET", "POST"])
@public
def channel_page(request: HttpRequest, token: str) -> HttpResponse:
    channel = _channel(token)
    if request.method == "GET":
        initial = {"preferred_language": translation.get_language()}
        return _page(request, channel, FeedbackForm(initial=initial))
    if channel.status != ChannelStatus.OPEN:
        return _page(request, channel, FeedbackForm(), status=409)
    if not ratelimit.allow_post(request, channel.token):
        return render(request, "feedback/public/too_many.html", {"channel": channel}, status=429)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _page(request, channel, form, status=400)
    data = form.cleaned_data
    if data["website"]:
        form.add_error(None, _("Your feedback could not be sent. Please try again."))
        return _page(request, channel, form, status=400)
    try:
        submission, code = services.submission_create(
            channel=channel,
            text=data["text"],
            language=translation.get_language(),
            about=data["about"],
            effects=data["effects"],
            self_described_group=data["self_described_group"],
            email=data["email"],
            phone=data["phone"],
            preferred_language=data["preferred_language"],
            consent_contact=data["consent_contact"],
            consent_keep_text=data["consent_keep_text"],
        )
    except Conflict as exc:
        if "already received" in exc.message:
            form.add_error("text", _("We already received this text in the last hour."))
        else:
            form.add_error(None, _("This page is not accepting feedback."))
        return _page(request, channel, form, status=409)
    except ServiceError:
        form.add_error(None, _("Your feedback could not be sent. Please check the form."))
        return _page(request, channel, form, status=400)
    return _thanks(request, channel, code)


# Where the receipt code goes in a thank-you page drawn ahead; random for each process, so
# no channel's or translator's words can contain it.
_CODE_SLOT = "receipt-code-" + secrets.token_hex(16)


@functools.lru_cache(maxsize=1024)
def _thanks_page(language: str, channel_token: str, site: str) -> str:
    """The thank-you page with a slot for the receipt code. Everything else on it depends
    only on the language, the channel's address and the site's, so it is drawn once per
    worker for each of those (about a third of the public form's answer otherwise), from
    nothing of the request: no visitor's data can reach another's page."""
    status_url = site + reverse("feedback_status") + "?code=" + _CODE_SLOT
    with translation.override(language):
        return render_to_string(
            "feedback/public/thanks.html",
            {"channel_token": channel_token, "code": _CODE_SLOT, "status_url": status_url},
        )


def _thanks(request: HttpRequest, channel: FeedbackChannel, code: str) -> HttpResponse:
    """The answer to a stored submission: its receipt code, shown once."""
    page = _thanks_page(translation.get_language(), channel.token, site_url(request))
    return _private(HttpResponse(page.replace(_CODE_SLOT, escape(code))))


def _status_context(submission: Submission) -> dict[str, Any]:
    return {
        "submission": submission,
        "channel": submission.channel,
        "effects": [EFFECT_LABEL[e] for e in submission.effects if e in EFFECT_LABEL],
        "replies": list(selectors.published_replies_for_submission(submission)),
        "public_status": selectors.public_status(submission),
    }


@require_http_methods(["GET", "POST"])
@public
def status_page(request: HttpRequest) -> HttpResponse:
    """Type a receipt code (or arrive with one from the QR code) to see what happened."""
    data = request.POST if request.method == "POST" else request.GET
    if "code" not in data:
        return _private(render(request, "feedback/public/lookup.html", {"form": ReceiptForm()}))
    form = ReceiptForm(data)
    submission = selectors.submission_by_receipt(data.get("code", "")) if form.is_valid() else None
    if submission is None:
        form.add_error("code", _("We found nothing for this code. Check it and try again."))
        return _private(render(request, "feedback/public/lookup.html", {"form": form}, status=404))
    context = _status_context(submission)
    context["code"] = receipts.normalise(data["code"])
    return _private(render(request, "feedback/public/status.html", context))


def _by_code(request: HttpRequest) -> Submission:
    submission = selectors.submission_by_receipt(request.POST.get("code", ""))
    if submission is None:
        raise Http404("No feedback for this code.")
    return submission


@require_POST
@public
def status_download(request: HttpRequest) -> HttpResponse:
    """ "Download what you sent": everything kept about the submission, as JSON."""
    submission = _by_code(request)
    body = json.dumps(selectors.submission_export(submission), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-feedback.json"'
    return _private(response)


@require_POST
@public
def status_erase(request: HttpRequest) -> HttpResponse:
    submission = _by_code(request)
    if request.POST.get("confirm") != "yes":
        context = _status_context(submission)
        context["code"] = receipts.normalise(request.POST["code"])
        context["confirm_error"] = _("Tick the box to confirm that you want to erase your data.")
        return _private(render(request, "feedback/public/status.html", context, status=400))
    submission = services.submission_erase(submission=submission)
    return _private(
        render(
            request,
            "feedback/public/erased.html",
            {"submission": submission, "channel": submission.channel},
        )
    )


@require_GET
@public
def channel_summary(request: HttpRequest, token: str) -> HttpResponse:
    channel = _channel(token)
    return render(
        request,
        "feedback/public/summary.html",
        {"channel": channel, "summary": selectors.public_summary(channel)},
    )


@require_GET
def channel_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The channel page's QR code as an SVG file, for printed notices."""
    channel = _channel(token)
    url = site_url(request) + reverse("feedback_channel", args=[channel.token])
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=4, title="Feedback QR")
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = 'inline; filename="feedback-qr.svg"'
    return response
