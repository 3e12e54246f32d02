"""The Poisson bootstrap of the summary metrics, in batches of resamples.

Each (cell, outcome) bin's rows resample as Poisson(rows), scaled by the bin's mean weight
(Hanley & MacGibbon 2006): no groupby is re-run. The resamples are drawn a batch at a time,
at most ``BOOTSTRAP_BATCH_CELLS`` (resample, cell) pairs per batch, and each batch is
reduced at once to the summaries every dimension needs; only those (resamples × a dozen
numbers per dimension) are kept. Drawing in batches reads the generator's stream in the
same order as one large draw, so a seed gives the same resamples as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import metrics as m
from .counts import Counts
from .groups import Dimension
from .limits import BOOTSTRAP_BATCH_CELLS, BOOTSTRAP_MAX_BATCH

# The rates the summaries are computed from (Fairlearn: selection rate, TPR, FPR; AIF360
# also PPV).
RESAMPLED_RATES = ("selection_rate", "tpr", "fpr", "ppv")


@dataclass(frozen=True)
class Resamples:
    """One dimension's summary metrics over the bootstrap resamples, each (B,)."""

    fairlearn: dict[str, np.ndarray]
    aif360: dict[str, np.ndarray]


def batch_size(cells: int) -> int:
    return max(1, min(BOOTSTRAP_MAX_BATCH, BOOTSTRAP_BATCH_CELLS // max(1, cells)))


def bootstrap(
    counts: Counts,
    dims: Sequence[Dimension],
    ref_idxs: Sequence[int],
    resamples: int,
    rng: np.random.Generator,
) -> list[Resamples] | None:
    """Per dimension, its summaries over ``resamples`` Poisson resamples of the counts."""
    if resamples == 0:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_w = np.where(counts.rows > 0, counts.w / counts.rows, 0.0)
    fair: list[dict[str, list[np.ndarray]]] = [defaultdict(list) for _ in dims]
    aif: list[dict[str, list[np.ndarray]]] = [defaultdict(list) for _ in dims]
    step = batch_size(len(counts.rows))
    for start in range(0, resamples, step):
        size = min(step, resamples - start)
        draws = rng.poisson(counts.rows, size=(size, *counts.rows.shape)) * mean_w
        for d, (dim, ref) in enumerate(zip(dims, ref_idxs, strict=True)):
            r = m.rates(dim.sum_resamples(draws), RESAMPLED_RATES)
            for name, values in m.fairlearn_summaries(r, batch=True).items():
                fair[d][name].append(values)
            for name, values in m.aif360_values(r, ref).items():
                aif[d][name].append(furthest(name, values))
        del draws
    return [
        Resamples(
            fairlearn={k: np.concatenate(v) for k, v in fair[d].items()},
            aif360={k: np.concatenate(v) for k, v in aif[d].items()},
        )
        for d in range(len(dims))
    ]


def furthest(name: str, values: np.ndarray) -> np.ndarray:
    """Per resample, the value furthest from parity over groups (NaN when none is
    defined)."""
    dist = m.distance_from_parity(name, values)
    idx = np.argmax(dist, axis=-1)
    picked = np.take_along_axis(values, idx[:, None], axis=-1)[:, 0]
    far: np.ndarray = np.where(
        np.take_along_axis(dist, idx[:, None], axis=-1)[:, 0] < 0, np.nan, picked
    )
    return far
