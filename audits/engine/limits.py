"""What one audit may hold, and the messages that say so (docs/audits.md, "Limits").

The counts are checked while the file is read, batch by batch, so an input over a limit is
refused before the engine builds anything sized by it. Each message names the count, the
limit and the setting (``AUDIT_MAX_*``) an operator raises it with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import AuditInputError

if TYPE_CHECKING:
    from .config import AuditConfig

VALUES_SETTING = "AUDIT_MAX_VALUES_PER_FEATURE"
CELLS_SETTING = "AUDIT_MAX_CELLS"
LABEL_SETTING = "AUDIT_MAX_LABEL_LENGTH"

# The bootstrap draws resamples × cells × 4 Poisson counts. It works through them in
# batches of at most this many (resample, cell) pairs (≈ 8 MB of counts per batch), so its
# memory does not grow with the number of resamples.
BOOTSTRAP_BATCH_CELLS = 250_000
BOOTSTRAP_MAX_BATCH = 100
# And it refuses more than this many (resample, cell) pairs in all (about 8 s of work on
# one core, measured): 2,000 resamples over 10,000 cells, or 100,000 over 200 cells.
BOOTSTRAP_MAX_CELL_DRAWS = 20_000_000


def too_many_values(feature: str, count: int, rows: int, limit: int) -> AuditInputError:
    return AuditInputError(
        f"{feature} has {count:,} distinct values in its first {rows:,} rows; the limit is "
        f"{limit:,} ({VALUES_SETTING}). Group rare values, or audit a coarser feature.",
        field=feature,
    )


def label_too_long(feature: str, sample: str, length: int, limit: int) -> AuditInputError:
    return AuditInputError(
        f"{feature} has a value {length:,} characters long ({sample!r}); the limit is "
        f"{limit:,} ({LABEL_SETTING}). Shorten or recode its values.",
        field=feature,
    )


def cell_limit(config: AuditConfig) -> tuple[int, str]:
    """The most intersection cells this audit may have, and what sets that number: the
    cell limit, or the bootstrap's budget when the resamples make it lower."""
    if config.bootstrap and BOOTSTRAP_MAX_CELL_DRAWS // config.bootstrap < config.max_cells:
        return BOOTSTRAP_MAX_CELL_DRAWS // config.bootstrap, "bootstrap"
    return config.max_cells, CELLS_SETTING


def too_many_cells(config: AuditConfig, count: int, rows: int | None) -> AuditInputError:
    limit, source = cell_limit(config)
    features = " × ".join(config.sensitive)
    where = f" in the first {rows:,} rows" if rows is not None else ""
    if source == "bootstrap":
        return AuditInputError(
            f"{features} have {count:,} combinations{where}; with {config.bootstrap:,} "
            f"bootstrap resamples the limit is {limit:,} ({config.bootstrap:,} × cells may "
            f"not exceed {BOOTSTRAP_MAX_CELL_DRAWS:,}). Use fewer resamples, fewer features, "
            "or group rare values.",
            field="bootstrap",
        )
    return AuditInputError(
        f"{features} have {count:,} combinations (intersectional groups){where}; the limit "
        f"is {limit:,} ({CELLS_SETTING}). Audit fewer features together, or group rare "
        "values.",
        field="sensitive",
    )
