from pathlib import Path

from orgs.management.commands.access_table import table

ROOT = Path(__file__).resolve().parents[2]


def test_docs_access_md_is_the_policy_table():
    """docs/access.md is generated from orgs/access.py: regenerate it with
    `python manage.py access_table > docs/access.md` when the policy changes."""
    assert (ROOT / "docs" / "access.md").read_text() == table()


def test_the_table_shows_relations_and_refusals():
    text = table()
    row = next(line for line in text.splitlines() if line.startswith("| `workshop.contribute`"))
    cells = [c.strip() for c in row.split("|")[3:-2]]
    # owner, facilitator, reviewer, participant: with a seat; viewer: no; guest: with a seat.
    assert cells == ["with a seat in the workshop"] * 4 + ["", "with a seat in the workshop", ""]
