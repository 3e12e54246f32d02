"""How the event log names datasets, audit runs and launch gates (orgs/ledger/names.py)."""

from typing import Any

from django.urls import reverse

from orgs.ledger.names import quote, register

from .models import AuditRun, Dataset, LaunchGate


def _gate(gate: LaunchGate) -> str:
    on = gate.sensitive_feature or "all features"
    rule = f"{gate.get_metric_display()} on {on} {gate.get_comparator_display()} {gate.threshold:g}"
    return f"Launch gate {quote(rule)}"


def _url(name: str, attname: str = "pk") -> Any:
    return lambda row: reverse(name, args=[getattr(row, attname)])


# Configuring an audit of a dataset is a page for those who may run one.
register(Dataset, "Dataset", field="name", url=_url("audit_configure"), read="audit.run")
register(AuditRun, "Audit run", url=_url("audit_run_detail"), read="audit.read")
register(
    LaunchGate,
    "Launch gate",
    field="metric",
    name=_gate,
    url=_url("launch_gates", "review_id"),
    read="launch_gate.read",
)
