from typing import Any

from django.core.management.base import BaseCommand

from orgs import access

HEADINGS = ["owner", "facilitator", "reviewer", "participant", "viewer", "guest", "outsider"]
HINTS = {
    "seated": "with a seat in the workshop",
    "facilitates": "as the workshop's facilitator",
    "own": "their own",
}


def _mark(grant: access.Grant) -> str:
    if grant.setting is not None:
        return f"if the organization's `{grant.setting}` lists the role"
    return HINTS.get(grant.relation or "", "yes")


def cell(action: str, standing: str) -> str:
    marks = [_mark(g) for g in access.grants(action) if standing in g.roles]
    return "yes" if "yes" in marks else "; ".join(marks)


def table() -> str:
    lines = [
        "# Who may do what",
        "",
        "Generated from `orgs/access.py` by `python manage.py access_table` (a test keeps",
        "this file equal to its output). A blank cell is a refusal: 404 when the person cannot",
        "see the object at all, 403 otherwise. `anonymous` (not logged in) may do none of these:",
        "an invitation link's page signs a newcomer up first. Actions without any grant are",
        "done only on behalf of another action (listed under *through*).",
        "",
        "| Action | What it is | " + " | ".join(HEADINGS) + " | through |",
        "| --- | --- | " + " | ".join("---" for _ in HEADINGS) + " | --- |",
    ]
    for action, (label, _grants) in access.POLICY.items():
        through = ", ".join(f"`{a}`" for a in sorted(access.DELEGATES.get(action, ())))
        cells = " | ".join(cell(action, s) for s in HEADINGS)
        lines.append(f"| `{action}` | {label} | {cells} | {through} |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print the access policy (orgs/access.py) as a Markdown table."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(table(), ending="")
