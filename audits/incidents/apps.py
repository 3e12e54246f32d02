from typing import Any

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "audits.incidents"
    label = "incidents"
    verbose_name = "Incidents and webhooks"

    def ready(self) -> None:
        from audits.monitoring import signals

        from . import escalation, event_names  # noqa: F401 - names its objects in the event log

        def breached(
            sender: Any, *, monitor: Any, gate: Any, reading: Any, run: Any, **_: Any
        ) -> None:
            escalation.on_breach(monitor=monitor, gate=gate, reading=reading, run=run)

        def late(sender: Any, *, monitor: Any, since: Any, now: Any, **_: Any) -> None:
            escalation.on_no_data(monitor=monitor, since=since, now=now)

        signals.gate_breached.connect(breached, dispatch_uid="incidents.on_breach", weak=False)
        signals.data_late.connect(late, dispatch_uid="incidents.on_no_data", weak=False)
