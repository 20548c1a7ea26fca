"""How likely each drift measure is to reach its value by sampling alone.

Each function answers: if the new rows and the training rows were drawn from one population,
how often would a measure be at least this far off? The drift report flags a measure only when
that chance is small, so a small file (or a small training set) needs a larger difference.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["SHARE_FLOOR", "beyond_range_chance", "missing_change_chance", "psi",
           "psi_chance"]

SHARE_FLOOR = 1e-4
"""Shares below it count as it in the PSI, so that an empty bin gives a large, finite value."""

PSI_DRAWS = 4000
"""Simulated pairs of samples behind the PSI a chance reaches."""


def psi(expected, actual, axis=None):
    """The population stability index of bin shares ``actual`` against ``expected`` (one
    value per row with ``axis=1``)."""
    expected = np.maximum(np.asarray(expected, dtype=np.float64), SHARE_FLOOR)
    actual = np.maximum(np.asarray(actual, dtype=np.float64), SHARE_FLOOR)
    total = np.sum((actual - expected) * np.log(actual / expected), axis=axis)
    return float(total) if axis is None else total


def psi_chance(value: float, shares: tuple, new: int, trained: int,
               rare: int | None = None) -> float:
    """Probability that a sample of ``new`` values from the population that training's
    ``trained`` values (bin ``shares``) came from reaches a PSI of ``value``. With ``rare``
    (categories seen once in training), a last bin holds what training never saw, its
    population share drawn as in :func:`beyond_range_chance`.

    Simulated, with a fixed seed so that the answer is repeatable: the population's shares are
    drawn around training's (Dirichlet, counts + 1/2: what training tells of them), then the
    new sample from them. For categories a training sample is drawn too, and the PSI taken
    between the two: with few training rows per category, training's own shares are noisy,
    and one low by chance weighs most in the PSI (2000 categories in 12,000 rows: same-
    population files reach 0.45 where new samples alone reach 0.38). The floor on empty
    shares makes the chi-square approximation far too small for small samples."""
    values = _simulated_psis(shares, new, trained, rare)
    reached = len(values) - np.searchsorted(values, value * (1 - 1e-9), side="left")
    return reached / len(values)


@lru_cache(maxsize=1024)
def _simulated_psis(shares: tuple, new: int, trained: int, rare: int | None) -> np.ndarray:
    """The sorted PSIs of :data:`PSI_DRAWS` simulated new samples (see :func:`psi_chance`);
    kept per argument, since every number column of a report has the same decile shares."""
    observed = np.asarray(shares, dtype=np.float64)
    observed = observed[observed > 0]
    new, trained = max(new, 1), max(trained, 1)
    rng = np.random.default_rng(0)
    population = rng.dirichlet(observed * trained + 0.5, size=PSI_DRAWS)
    if rare is None:
        return np.sort(psi(observed, _sample_shares(rng, new, population), axis=1))
    unseen = rng.beta(*_unseen_share_law(rare, trained), size=(PSI_DRAWS, 1))
    seen = _sample_shares(rng, trained, population)
    drawn = _sample_shares(rng, new, np.hstack([population * (1 - unseen), unseen]))
    missed = seen == 0  # categories this training sample lacks: unseen, to its new sample
    drawn[:, -1] += np.sum(drawn[:, :-1] * missed, axis=1)
    drawn[:, :-1][missed] = 0.0
    return np.sort(psi(np.hstack([seen, np.zeros((PSI_DRAWS, 1))]), drawn, axis=1))


def _sample_shares(rng, size: int, population: np.ndarray) -> np.ndarray:
    """Bin shares of a sample of ``size`` from each row of ``population``: one binomial draw per
    bin for all rows at once (far quicker than a multinomial draw per row)."""
    shares = np.zeros_like(population)
    left = np.full(len(population), size)
    rest = np.ones(len(population))
    for column in range(population.shape[1]):
        chance = np.clip(population[:, column] / np.maximum(rest, 1e-300), 0.0, 1.0)
        shares[:, column] = rng.binomial(left, chance)
        left = left - shares[:, column].astype(int)
        rest = rest - population[:, column]
    return shares / size


def _unseen_share_law(rare: int, trained: int) -> tuple[int, int]:
    """The Beta law of the population share that ``trained`` values missed, ``rare`` of them
    being alone of their kind."""
    rare = max(rare, 1)
    return rare, max(trained - rare + 1, 1)


def beyond_range_chance(count: int, new: int, rare: int, trained: int) -> float:
    """Probability of ``count`` or more of ``new`` values landing where ``trained`` values
    never did, when ``rare`` of those seen once hint at what is left unseen.

    For a continuous column (``rare`` = 2, the minimum and the maximum) the population share
    outside the range of ``trained`` values is Beta(2, trained - 1), so the count outside
    follows a beta-binomial law exactly; for categories, ``rare`` is the number seen once
    (Good-Turing's estimate of the unseen share, one added so that it is never zero)."""
    if count <= 0:
        return 1.0
    from scipy.stats import betabinom  # here: scipy.stats adds 0.4 s to every CLI start
    return float(betabinom.sf(count - 1, new, *_unseen_share_law(rare, trained)))


def missing_change_chance(missing_new: int, new: int, missing_trained: int,
                          trained: int) -> float:
    """Two-sided probability (Fisher's exact test) of missing shares at least this far apart,
    ``missing_new`` of ``new`` rows against ``missing_trained`` of ``trained``."""
    from scipy.stats import fisher_exact  # here: scipy.stats adds 0.4 s to every CLI start
    table = [[missing_new, new - missing_new], [missing_trained, trained - missing_trained]]
    return float(fisher_exact(table).pvalue)
