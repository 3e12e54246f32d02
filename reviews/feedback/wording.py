"""What the public form offers, in plain words: how something affected a person (each
choice drawn from a category of the harm taxonomy, reviews/harms/data/harm_taxonomy.json)
and the version of the consent text people agree to. Translated in locale/."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Bump when the consent text in templates/feedback/public/form.html changes: each
# submission stores the version its sender read.
CONSENT_VERSION = "2026-11-1"

# (choice, words for people, the harm taxonomy's category it stands for)
EFFECTS: list[tuple[str, object, str]] = [
    (
        "refused",
        _("I was refused something I needed (a loan, a job, a service)"),
        "opportunity-loss",
    ),
    ("money", _("I lost money or had to pay more"), "economic-loss"),
    ("distress", _("It caused me stress, fear or distress"), "emotional-distress"),
    ("unfair", _("I was treated unfairly or like a stereotype"), "stereotyping"),
    ("dignity", _("I was not treated with respect"), "dignity-loss"),
    ("privacy", _("My personal information was used in a way I did not expect"), "privacy-loss"),
    ("no_remedy", _("I could not find out why, or could not appeal"), "loss-of-remedy"),
    ("safety", _("My health or safety was put at risk"), "physical-injury"),
]
EFFECT_CHOICES = [(slug, label) for slug, label, _category in EFFECTS]
EFFECT_CATEGORY = {slug: category for slug, _label, category in EFFECTS}
EFFECT_LABEL = {slug: label for slug, label, _category in EFFECTS}

# The status a submitter reads on their page. Hidden and spam read as "received": the
# team's moderation is not announced to whoever wrote it.
PUBLIC_STATUS = {
    "new": _("Received: the team has not read it yet"),
    "triaged": _("Read by the team"),
    "linked": _("Added to the review's list of harms to address"),
    "responded": _("The team replied"),
    "hidden": _("Received: the team has not read it yet"),
    "spam": _("Received: the team has not read it yet"),
}

# A short status for the public summary's counts.
SUMMARY_STATUS = {
    "new": _("Waiting to be read"),
    "triaged": _("Read by the team"),
    "linked": _("Added to the list of harms"),
    "responded": _("Replied to"),
}
MITIGATION_STATUS = {
    "planned": _("planned"),
    "in_progress": _("in progress"),
    "done": _("done"),
    "wont_do": _("will not be done"),
}
