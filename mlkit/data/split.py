"""Train/validation/test splits and k-fold splits as index arrays: at random (optionally
stratified), by whole groups, or in time order (with forward-chaining folds).

Index arrays (not copies of the data) let one split serve X, y and any per-row metadata, and
make a split easy to store and compare; a seed makes it reproducible.
"""

from __future__ import annotations

import numbers
from typing import Annotated

import numpy as np

from mlkit.checks import group_codes
from mlkit.data.errors import DataError, check_int, check_labels, refused
from mlkit.data.grouped import assign_groups, check_order, cut_in_order
from mlkit.options import Fraction, NonNegativeInt, Range, checked

__all__ = ["forward_chaining_split", "k_fold_split", "train_val_test_split"]

_PARTS = ("train", "val", "test")
Folds = Annotated[int, Range(ge=2)]


def _apportion(n: int, fractions: np.ndarray) -> np.ndarray:
    """Split ``n`` into integer counts close to ``n * fractions`` (largest remainders)."""
    exact = n * fractions
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


def _class_members(n_or_y, stratify, param: str = "n_or_y"):
    """``(classes or None, members)``: one index array of every row, or one per class."""
    if isinstance(n_or_y, numbers.Integral) and not isinstance(n_or_y, bool):
        if stratify:
            raise DataError("stratify=True needs the labels: pass y instead of a row count.")
        return None, [np.arange(check_int("n", n_or_y, 1))]
    if np.ndim(n_or_y) == 0:
        raise TypeError(f"{param} must be an int row count or a 1-D label array, got "
                        f"{type(n_or_y).__name__} {n_or_y!r}.")
    y = check_labels(n_or_y, param)
    if len(y) == 0:
        raise DataError(f"{param} is an empty label array; pass at least one row.")
    if not stratify:
        return None, [np.arange(len(y))]
    classes, inverse = np.unique(y, return_inverse=True)
    return classes, [np.flatnonzero(inverse == k) for k in range(len(classes))]


def _by_part(parts: np.ndarray, n_parts: int) -> list[np.ndarray]:
    return [np.flatnonzero(parts == part).astype(np.int64) for part in range(n_parts)]


def _grouped(n_or_y, groups, stratify: bool, fractions: np.ndarray, seed: int, what: str):
    """Rows by part, each group of ``groups`` whole in one part (see :func:`assign_groups`)."""
    classes, members = _class_members(n_or_y, stratify)
    n = sum(len(m) for m in members)
    codes, _ = group_codes(groups, n, DataError)
    labels = np.zeros(n, np.int64)
    for k, rows in enumerate(members):
        labels[rows] = k
    parts = assign_groups(codes, labels, fractions, np.random.default_rng(seed), what)
    return _by_part(parts, len(fractions))


@checked(refuse=refused)
def k_fold_split(n_or_y, k: Folds = 5, stratify: bool = False, seed: NonNegativeInt = 0, *,
                 groups=None) -> list[np.ndarray]:
    """Split row indices ``0..n-1`` at random into ``k`` folds for cross-validation.

    Each class (or, unstratified, the whole set) is shuffled and cut into ``k`` runs of
    near-equal length, in fold order; the folds that get one row more rotate from class to
    class, so fold sizes differ by at most one. Unstratified, fold ``i`` is
    ``np.array_split(rng.permutation(n), k)[i]`` of ``rng = np.random.default_rng(seed)``:
    the same permutation :func:`train_val_test_split` cuts, so its ``test=0.5`` part is fold 2
    of ``k=2``.

    Parameters
    ----------
    n_or_y : int or array-like of shape (n,)
        The number of rows, or the labels (needed when ``stratify`` is true).
    k : int
        Number of folds, from 2 to n (to the number of groups, with ``groups``).
    stratify : bool
        Give every fold the class proportions of ``y`` (a class of fewer than ``k`` rows is
        absent from some folds); with ``groups``, as nearly as whole groups allow.
    seed : int
        Seed of the shuffle; the same seed gives the same folds.
    groups : array-like of shape (n,), optional
        A group label per row (a customer id, say): every group's rows go to one fold, and
        fold sizes are as near ``n / k`` as whole groups allow (largest groups placed first,
        each into the fold furthest below its share).

    Returns
    -------
    list of k ndarray of int64
        Each fold's held-out rows, sorted; every row is in exactly one fold.
    """
    if groups is not None:
        return _grouped(n_or_y, groups, stratify, np.full(k, 1.0 / k), seed, f"k={k} folds")
    classes, members_by_class = _class_members(n_or_y, stratify)
    n = sum(len(members) for members in members_by_class)
    if k > n:
        raise DataError(f"k={k} folds need at least {k} rows, but there are {n}; lower k.")
    rng = np.random.default_rng(seed)
    folds: list[list[np.ndarray]] = [[] for _ in range(k)]
    first_larger = 0
    for members in members_by_class:
        sizes = np.full(k, len(members) // k)
        extra = len(members) % k
        sizes[(first_larger + np.arange(extra)) % k] += 1
        first_larger = (first_larger + extra) % k
        shuffled = rng.permutation(members)
        for fold, chunk in enumerate(np.split(shuffled, np.cumsum(sizes)[:-1])):
            folds[fold].append(chunk)
    return [np.sort(np.concatenate(parts)).astype(np.int64) for parts in folds]


@checked(refuse=refused)
def forward_chaining_split(order, k: Folds = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    """Time-ordered folds: sort the rows by ``order``, cut them into ``k + 1`` blocks of
    near-equal size (block 0 the earliest, block ``k`` the latest), and let fold ``i`` (1 to
    ``k``) test on block ``i`` after training on blocks 0 to ``i - 1``.

    Unlike :func:`k_fold_split`, no fold trains on rows later than those it tests on, the
    training sets grow from fold to fold (the first holds one block), and the first block is
    never tested. Rows with equal ``order`` values stay in one block.

    Parameters
    ----------
    order : array-like of shape (n,)
        Numbers or datetimes (``numpy.datetime64``) saying when each row happened.
    k : int
        Number of folds, at least 2; the order needs ``k + 1`` distinct values.

    Returns
    -------
    list of k (train, test) pairs of sorted int64 index arrays
    """
    order = check_order(order)
    parts = cut_in_order(order, np.full(k + 1, 1.0 / (k + 1)),
                         f"forward chaining with k={k} folds ({k + 1} blocks)")
    return [(np.flatnonzero(parts < i).astype(np.int64), np.flatnonzero(parts == i)
             .astype(np.int64)) for i in range(1, k + 1)]


@checked(refuse=refused)
def train_val_test_split(n_or_y, val: Fraction = 0.0, test: Fraction = 0.2,
                         stratify: bool = False, seed: NonNegativeInt = 0, *, groups=None,
                         order=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split row indices ``0..n-1`` into train, validation and test parts: at random, by
    whole groups, or in time order.

    Parameters
    ----------
    n_or_y : int or array-like of shape (n,)
        The number of rows, or the labels (needed when ``stratify`` is true).
    val, test : float
        Fractions of the rows for validation and test: each in ``[0, 1)``, summing below 1.
    stratify : bool
        Split each class separately, so every part keeps the class proportions of ``y`` and
        holds every class (each class needs at least one row per non-empty part); with
        ``groups``, the class mix of each part is kept as near as whole groups allow.
        Refused with ``order``, where time alone decides.
    seed : int
        Seed of the random permutation; the same seed gives the same split.
    groups : array-like of shape (n,), optional
        A group label per row (a customer id, say): every group's rows go to one part; the
        fractions are met as nearly as whole groups allow.
    order : array-like of shape (n,), optional
        Numbers or datetimes saying when each row happened: the test part is the latest rows,
        validation the ones before, training the earliest (rows of equal order stay in one
        part, so the fractions are met as nearly as that allows). No shuffling; ``seed`` is
        unused.

    Returns
    -------
    train, val, test : ndarray of int64
        Disjoint sorted index arrays whose union is ``0..n-1``; a part with fraction 0 is empty.
    """
    if val + test >= 1.0:
        raise DataError(f"val + test must be below 1 to leave training rows, got {val} + "
                        f"{test} = {val + test}.")
    fractions = np.array([1.0 - val - test, val, test])
    needed = fractions > 0
    what = "a split into " + "/".join(p for p, keep in zip(_PARTS, needed) if keep)
    if groups is not None and order is not None:
        raise DataError("groups and order cannot be combined: split either by whole groups "
                        "or by time; pass one of them.")
    if order is not None:
        if stratify:
            raise DataError("stratify=True cannot be combined with order: a time split takes "
                            "the latest rows as they come; pass stratify=False.")
        n = len(_class_members(n_or_y, False)[1][0])
        order = check_order(order, n)
        return tuple(_by_part(cut_in_order(order, fractions, what), 3))
    if groups is not None:
        return tuple(_grouped(n_or_y, groups, stratify, fractions, seed, what))
    classes, members_by_class = _class_members(n_or_y, stratify)
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[], [], []]
    for k, members in enumerate(members_by_class):
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
