"""Demo community feedback, from data/demo_feedback.json (see orgs/demo.py for how the
apps' demo seeds compose): an open channel on the demo review with 32 submissions in
English, Spanish, French and Arabic; some triaged into themes and stakeholder groups,
linked to the workshop's harms and replied to (a reply tied to a mitigation), one hidden
and one marked as spam."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orgs.demo import Demo
from reviews.harms import selectors as harm_selectors

from . import services
from .models import FeedbackChannel, FeedbackTheme, Submission

DATA = Path(__file__).resolve().parent / "data" / "demo_feedback.json"


def seed(demo: Demo) -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    review = demo.made["review"]
    owner = demo.users["reviewer"]
    channel = FeedbackChannel.objects.filter(review=review, title=data["channel"]["title"]).first()
    if channel is not None:
        demo.made["feedback_channel"] = channel
        demo.summary.append(
            f"feedback channel /f/{channel.token}/ ({channel.submissions.count()} submissions)"
        )
        return
    channel = services.channel_create(actor=owner, review=review, **data["channel"])
    themes = {
        name: services.theme_create(actor=owner, review=review, name=name)
        for name in data["themes"]
    }
    groups = {s.name: s for s in harm_selectors.stakeholders_of(review)}
    harms = {h.title: h for h in harm_selectors.harms_of(review)}
    for row in data["submissions"]:
        _submit(owner, channel, row, themes, groups, harms)
    for row in data["replies"]:
        _reply(owner, review, row, themes, harms)
    demo.made["feedback_channel"] = channel
    demo.summary.append(
        f"feedback channel /f/{channel.token}/ ({len(data['submissions'])} submissions)"
    )


def _submit(
    owner: Any,
    channel: FeedbackChannel,
    row: dict[str, Any],
    themes: dict[str, FeedbackTheme],
    groups: dict[str, Any],
    harms: dict[str, Any],
) -> None:
    submission, _code = services.submission_create(
        channel=channel,
        text=row["text"],
        language=row["language"],
        effects=row.get("effects", []),
        email=row.get("email", ""),
        preferred_language=row.get("preferred_language", ""),
        consent_contact=bool(row.get("email")),
        consent_keep_text=True,
    )
    if row.get("status") == "spam":
        services.submission_mark_spam(actor=owner, submission=submission)
        return
    if row.get("status") == "hidden":
        services.submission_hide(actor=owner, submission=submission, reason=row["reason"])
        return
    if "theme" in row or "group" in row:
        services.submission_triage(
            actor=owner,
            submission=submission,
            themes=[themes[row["theme"]]] if "theme" in row else [],
            stakeholder=groups.get(row.get("group", "")),
        )
    if row.get("harm") in harms:
        services.submission_link_harm(actor=owner, submission=submission, harm=harms[row["harm"]])


def _reply(
    owner: Any,
    review: Any,
    row: dict[str, Any],
    themes: dict[str, FeedbackTheme],
    harms: dict[str, Any],
) -> None:
    harm = harms.get(row.get("mitigation_of", ""))
    mitigation = harm.mitigations.first() if harm is not None else None
    if "theme" in row:
        services.reply_create(
            actor=owner,
            review=review,
            text=row["text"],
            theme=themes[row["theme"]],
            mitigation=mitigation,
        )
        return
    submission = Submission.objects.filter(
        channel__review=review, text__startswith=row["submission_text_starts"]
    ).first()
    if submission is not None:
        services.reply_create(actor=owner, review=review, text=row["text"], submission=submission)
