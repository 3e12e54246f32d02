"""Community feedback's part of the query-ceiling walk: channels, submissions (through the
service, which keeps receipts and digests), themes and replies on the world's review."""

from __future__ import annotations

from reviews.feedback import services
from reviews.feedback.models import FeedbackChannel, FeedbackReply, FeedbackTheme, Submission
from tests.perf.registry import PAGE_MODELS, World, filler

PAGE_MODELS.update(
    {
        "feedback/channels": FeedbackChannel,
        "feedback/submissions": Submission,
        "feedback/replies": FeedbackReply,
    }
)


@filler
def feedback(world: World, n: int) -> None:
    channels = [
        services.channel_create(
            actor=world.owner,
            review=world.review,
            title=f"Channel {i}",
            system_description="Scores loan applications.",
            purpose="Tell us what went wrong.",
        )
        for i in range(n)
    ]
    themes = FeedbackTheme.objects.bulk_create(
        FeedbackTheme(organization=world.organization, review=world.review, name=f"Theme {i}")
        for i in range(n)
    )
    submissions = [
        services.submission_create(
            channel=channels[0], text=f"I was refused a loan, case {i}.", language="en"
        )[0]
        for i in range(n)
    ]
    for i, submission in enumerate(submissions):
        submission.themes.add(themes[i % len(themes)])
    FeedbackReply.objects.bulk_create(
        FeedbackReply(
            organization=world.organization,
            review=world.review,
            submission=s if i % 2 else None,
            theme=None if i % 2 else themes[i % len(themes)],
            text=f"We changed the threshold, reply {i}.",
            author=world.owner,
        )
        for i, s in enumerate(submissions)
    )
