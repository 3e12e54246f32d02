"""The audit charts live in the pure engine (audits/engine/charts.py: plain data in, SVG
text out); this name stays for the pages and the dossier that import it."""

from .engine.charts import (  # noqa: F401
    MAX_BARS,
    MAX_TICKS,
    group_rates_svg,
    impact_ratio_svg,
    tick_positions,
    trend_svg,
)
