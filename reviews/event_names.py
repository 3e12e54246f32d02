"""How the event log names AI systems, reviews, sign-offs and risk acceptances
(orgs/ledger/names.py)."""

from django.urls import reverse

from orgs.ledger.names import quote, register

from .models import AISystem, Review, RiskAcceptance, SignOff


def _review(row: Review | SignOff | RiskAcceptance) -> str:
    return reverse("review_detail", args=[getattr(row, "review_id", row.pk)])


register(
    AISystem,
    "AI system",
    field="name",
    url=lambda s: reverse("system_detail", args=[s.pk]),
    read="system.read",
)
register(Review, "Review", field="title", url=_review, read="review.read")
register(
    SignOff,
    "Sign-off",
    related=("review",),
    name=lambda s: f"Sign-off on review {quote(s.review.title)}",
    url=_review,
    read="review.read",
)
register(
    RiskAcceptance,
    "Risk acceptance",
    name=lambda a: f"Risk acceptance of {a.target_label}",
    url=lambda a: _review(a) + f"#acceptance-{a.pk}",
    read="risk.read",
)
