"""How the event log names feedback rows (orgs/ledger/names.py): by number or title, never
by anyone's words or contact details."""

from django.urls import reverse

from orgs.ledger.names import register

from .models import FeedbackChannel, FeedbackReply, FeedbackSettings, FeedbackTheme, Submission

register(
    Submission,
    "Feedback",
    name=lambda r: f"Feedback #{r.pk}",
    url=lambda r: reverse("feedback_submission", args=[r.pk]),
    read="submission.read",
)
register(
    FeedbackChannel,
    "Feedback channel",
    field="title",
    url=lambda r: reverse("feedback_channel_detail", args=[r.pk]),
    read="feedback_channel.read",
)
register(FeedbackTheme, "Feedback theme", field="name")
register(FeedbackReply, "Feedback reply", name=lambda r: f"Reply #{r.pk}")
register(FeedbackSettings, "Feedback settings", name=lambda r: "Feedback settings")
