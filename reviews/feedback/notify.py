"""The email that tells a submitter the team replied, in the language they chose. It says
where to read the reply (the status page, with the receipt code only they hold) and
repeats none of their words."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from orgs.site import site_url

from .models import FeedbackReply, Submission, SubmissionContact


def send_reply_emails(reply_id: int, submission_ids: list[int]) -> int:
    reply = FeedbackReply.objects.filter(pk=reply_id).select_related("review").first()
    if reply is None:
        return 0
    sent = 0
    contacts = SubmissionContact.objects.filter(
        submission_id__in=submission_ids, submission__consent_contact=True
    ).exclude(email="")
    for contact in contacts.select_related("submission__channel"):
        submission: Submission = contact.submission
        language = submission.preferred_language or submission.language
        with translation.override(language):
            context = {
                "channel": submission.channel,
                "status_url": site_url() + reverse("feedback_status"),
            }
            subject = render_to_string("feedback/email/reply_subject.txt", context).strip()
            body = render_to_string("feedback/email/reply.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [contact.email])
        sent += 1
    return sent
