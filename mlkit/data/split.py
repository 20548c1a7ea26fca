"""Train/validation/test splits as index arrays, optionally stratified by class.

Index arrays (not copies of the data) let one split serve X, y and any per-row metadata, and
make a split easy to store and compare; a seed makes it reproducible.
"""

from __future__ import annotations

import numbers

import numpy as np

from mlkit.data.errors import DataError, check_int, check_labels

__all__ = ["train_val_test_split"]

_PARTS = ("train", "val", "test")


def _check_fraction(param: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{param} must be a fraction (a float), got {type(value).__name__} "
                        f"{value!r}.")
    if not 0.0 <= value < 1.0:
        raise DataError(f"{param} must satisfy 0 <= {param} < 1, got {value}.")
    return float(value)


def _apportion(n: int, fractions: np.ndarray) -> np.ndarray:
    """Split ``n`` into integer counts close to ``n * fractions`` (largest remainders)."""
    exact = n * fractions
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


def train_val_test_split(n_or_y, val: float = 0.0, test: float = 0.2, stratify: bool = False,
                         seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split row indices ``0..n-1`` at random into train, validation and test parts.

    Parameters
    ----------
    n_or_y : int or array-like of shape (n,)
        The number of rows, or the labels (needed when ``stratify`` is true).
    val, test : float
        Fractions of the rows for validation and test: each in ``[0, 1)``, summing below 1.
    stratify : bool
        Split each class separately, so every part keeps the class proportions of ``y`` and
        holds every class (each class needs at least one row per non-empty part).
    seed : int
        Seed of the random permutation; the same seed gives the same split.

    Returns
    -------
    train, val, test : ndarray of int64
        Disjoint sorted index arrays whose union is ``0..n-1``; a part with fraction 0 is empty.
    """
    val, test = _check_fraction("val", val), _check_fraction("test", test)
    if val + test >= 1.0:
        raise DataError(f"val + test must be below 1 to leave training rows, got {val} + "
                        f"{test} = {val + test}.")
    seed = check_int("seed", seed, 0)
    if not isinstance(stratify, (bool, np.bool_)):
        raise TypeError(f"stratify must be True or False, got {stratify!r}.")
    if isinstance(n_or_y, numbers.Integral) and not isinstance(n_or_y, bool):
        if stratify:
            raise DataError("stratify=True needs the labels: pass y instead of a row count.")
        groups = [np.arange(check_int("n", n_or_y, 1))]
    elif np.ndim(n_or_y) == 0:
        raise TypeError(f"n_or_y must be an int row count or a 1-D label array, got "
                        f"{type(n_or_y).__name__} {n_or_y!r}.")
    else:
        y = check_labels(n_or_y, "n_or_y")
        if len(y) == 0:
            raise DataError("n_or_y is an empty label array; pass at least one row.")
        if stratify:
            classes, inverse = np.unique(y, return_inverse=True)
            groups = [np.flatnonzero(inverse == k) for k in range(len(classes))]
        else:
            classes, groups = None, [np.arange(len(y))]
    fractions = np.array([1.0 - val - test, val, test])
    needed = fractions > 0
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[], [], []]
    for k, members in enumerate(groups):
        if len(members) < needed.sum():
            what = (f"class {classes[k].item()!r} has {len(members)} row(s)" if stratify
                    else f"there are {len(members)} row(s)")
            names = "/".join(p for p, keep in zip(_PARTS, needed) if keep)
            raise DataError(f"{what}, but a split into {names} needs at least {needed.sum()}; "
                            "collect more rows, set that fraction to 0, or use stratify=False.")
        counts = _apportion(len(members), fractions)
        for part in np.flatnonzero(needed & (counts == 0)):
            counts[np.argmax(counts)] -= 1
            counts[part] += 1
        shuffled = rng.permutation(members)
        for part, chunk in enumerate(np.split(shuffled, np.cumsum(counts)[:-1])):
            parts[part].append(chunk)
    return tuple(np.sort(np.concatenate(p)).astype(np.int64) for p in parts)
