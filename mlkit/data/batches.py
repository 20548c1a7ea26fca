"""Mini-batches of row indices for one epoch, shuffled by an explicit random generator.

Yielding indices rather than data slices keeps the iterator independent of how X and y are
stored; passing the generator in keeps every epoch reproducible from one seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Literal

import numpy as np

from mlkit.data.errors import DataError, refused
from mlkit.options import PositiveInt, checked

__all__ = ["LastBatch", "minibatches", "num_batches", "rows_per_step", "steps_per_epoch"]

LastBatch = Literal["keep", "drop", "merge"]
"""What an epoch does with its short last batch: keep, drop, or merge it into the one before."""


def _batch_sizes(n: int, batch_size: int, last_batch: str) -> list[int]:
    """The size of each batch of an epoch over ``n`` rows."""
    full, rest = divmod(n, batch_size)
    sizes = [batch_size] * full
    if rest and (last_batch == "keep" or not sizes):
        sizes.append(rest)
    elif rest and last_batch == "merge":
        sizes[-1] += rest
    return sizes


def _checked_sizes(n, batch_size, last_batch) -> list[int]:
    if last_batch == "drop" and batch_size > n:
        raise DataError(f"batch_size={batch_size} exceeds the {n} rows, so last_batch='drop' "
                        "would leave no batch; lower batch_size or use last_batch='keep'.")
    return _batch_sizes(n, batch_size, last_batch)


@checked(refuse=refused)
def num_batches(n: PositiveInt, batch_size: PositiveInt, last_batch: LastBatch = "keep") -> int:
    """Number of batches :func:`minibatches` yields for the same arguments (checked as it
    checks them)."""
    return len(_checked_sizes(n, batch_size, last_batch))


def rows_per_step(n: int, batch_size) -> int | None:
    """The rows of each mini-batch over ``n`` rows, or None for whole-data steps: a
    ``batch_size`` of ``"full"``, None or at least ``n``."""
    if batch_size is None or batch_size == "full" or batch_size >= n:
        return None
    return batch_size


def steps_per_epoch(n: int, batch_size, last_batch: LastBatch = "keep") -> int:
    """Optimizer steps in one epoch over ``n`` rows: one whole-data step (see
    :func:`rows_per_step`), else :func:`num_batches`."""
    rows = rows_per_step(n, batch_size)
    return 1 if rows is None else num_batches(n, rows, last_batch)


@checked(refuse=refused)
def minibatches(n: PositiveInt, batch_size: PositiveInt, rng,
                shuffle: bool = True, last_batch: LastBatch = "keep") -> Iterator[np.ndarray]:
    """Iterate over one epoch of mini-batches of the row indices ``0..n-1``.

    Arguments are checked when this is called, before the first batch is drawn.

    Parameters
    ----------
    n : int
        Number of rows.
    batch_size : int
        Rows per batch.
    rng : numpy.random.Generator or None
        Source of the shuffle; may be None only when ``shuffle`` is false.
    shuffle : bool
        Visit rows in a random order (else in order ``0..n-1``).
    last_batch : {"keep", "drop", "merge"}
        What to do with the final ``n % batch_size`` rows: a smaller batch, dropped, or added
        to the previous batch (``"drop"`` needs ``batch_size <= n``).

    Returns
    -------
    iterator of ndarray of int64
        The index array of each batch: read-only views of one order array (no copy per
        batch), so writing to one raises rather than changing later batches.
    """
    sizes = _checked_sizes(n, batch_size, last_batch)
    if shuffle and not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator (e.g. np.random.default_rng(0)) "
                        f"when shuffle=True, got {type(rng).__name__}.")
    order = (rng.permutation(n) if shuffle else np.arange(n)).astype(np.int64, copy=False)
    order.flags.writeable = False
    bounds = np.cumsum([0] + sizes).tolist()
    return (order[start:stop] for start, stop in pairwise(bounds))  # views of one order
