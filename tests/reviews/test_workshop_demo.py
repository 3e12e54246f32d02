"""The demo (``make run``) shows a consequence scan in its negatives round, where one
negative consequence has become a harm card of the register."""

from __future__ import annotations

import io

from django.core.management import call_command

from reviews.workshops.demo import SCAN
from reviews.workshops.models import BoardCard, Consequence, Workshop


def test_the_demo_seeds_a_consequence_scan_with_a_converted_consequence(db):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    scan = Workshop.objects.get(title=SCAN)
    assert (scan.format, scan.status, scan.current_round) == ("consequence_scanning", "open", 3)
    cards = Consequence.objects.filter(workshop=scan)
    assert cards.count() == 5
    assert sorted(cards.values_list("valence", "disposition")) == [
        ("negative", "act"),
        ("negative", "influence"),
        ("negative", "monitor"),
        ("positive", "act"),
        ("positive", "influence"),
    ]
    converted = cards.get(harm__isnull=False)
    assert converted.valence == "negative"
    assert converted.harm.title == converted.text
    assert converted.harm.description.startswith(f"From consequence scanning in “{SCAN}”: ")
    assert converted.harm.category.slug == "opportunity-loss"
    assert BoardCard.objects.get(harm=converted.harm).workshop == scan
