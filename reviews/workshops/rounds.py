"""The rounds each workshop format walks participants through."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Round:
    number: int
    title: str
    prompt: str
    activity: str  # stakeholders | harms | rating | mitigations | consequences | sorting
    # Consequence scanning: the round works on positive or negative consequences only (its
    # board shows those, new cards take that valence, and they are sorted there).
    valence: str = ""


ROUNDS: dict[str, tuple[Round, ...]] = {
    "harms_modeling": (
        Round(
            1,
            "Stakeholders",
            "Who uses, is affected by, or is left out of this system? "
            "Name direct and indirect stakeholders, and who may be vulnerable.",
            "stakeholders",
        ),
        Round(
            2,
            "Harms by category",
            "Work through each harm family. What could go wrong, and for whom?",
            "harms",
        ),
        Round(
            3,
            "Rating",
            "Rate each harm: how severe, how likely, how many people. "
            "Spend your dots on the harms that matter most.",
            "rating",
        ),
        Round(
            4,
            "Mitigations",
            "For the highest risks: what will we do, who owns it, by when?",
            "mitigations",
        ),
    ),
    "consequence_scanning": (
        Round(
            1,
            "Consequences",
            "What are the intended and unintended consequences of this system?",
            "consequences",
        ),
        Round(
            2,
            "Positives to focus on",
            "Which positive consequences do we want to make the most of? "
            "Sort each into Act, Influence or Monitor.",
            "consequences",
            "positive",
        ),
        Round(
            3,
            "Negatives to mitigate",
            "Which consequences do we want to mitigate? Sort each into Act, Influence or "
            "Monitor, and make the ones to act on harm cards of the review's register.",
            "sorting",
            "negative",
        ),
    ),
}


def rounds_for(workshop_format: str) -> tuple[Round, ...]:
    return ROUNDS[workshop_format]


def current_round(workshop) -> Round:
    rounds = rounds_for(workshop.format)
    return rounds[min(max(workshop.current_round, 1), len(rounds)) - 1]
