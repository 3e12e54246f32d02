"""What a monitor tells the apps above it (audits/incidents connects to these in its
AppConfig.ready): a gate entering breach, and a monitor missing its cadence. Sent inside
the transaction that stores the reading, so what the receivers write commits with it."""

from django.dispatch import Signal

# kwargs: monitor, gate, reading, run
gate_breached = Signal()
# kwargs: monitor, since, now
data_late = Signal()
