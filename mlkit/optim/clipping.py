"""Gradient clipping over a whole gradient tree, or over flat gradient vectors, by global norm
or by value."""

from __future__ import annotations

import math

import numpy as np

import mlkit.numpy as mnp
from mlkit.options import NonNegativeFloat, PositiveFloat, check
from mlkit.tree import tree_leaves, tree_map


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    r"""Scale the whole tree down so its global norm is at most ``max_norm``.

    The global norm is the ``norm_type``-norm of all gradient entries taken together,
    :math:`\lVert g \rVert = (\sum_i \lVert g_i \rVert_p^p)^{1/p}` (``inf`` for the largest
    magnitude). When it exceeds the limit every leaf is multiplied by
    :math:`c = \text{max\_norm} / (\lVert g \rVert + 10^{-6})`, which keeps the direction.

    Parameters
    ----------
    grads : tree of arrays
        Gradient leaves; ``None`` leaves are skipped and passed through.
    max_norm : float
        Largest allowed norm, ``> 0``.
    norm_type : float
        The ``p`` of the norm, ``> 0`` or ``inf``.

    Returns
    -------
    clipped : tree
        The scaled tree (the input leaves themselves when no scaling is needed); dtypes kept.
    total_norm : float
        The norm before clipping.
    """
    max_norm = check("clip_grad_norm: max_norm", PositiveFloat, max_norm)
    if norm_type != math.inf:
        norm_type = check("clip_grad_norm: norm_type", PositiveFloat, norm_type)
    leaves = [np.asarray(leaf) for leaf in tree_leaves(grads) if leaf is not None]
    if not leaves:
        return grads, 0.0
    if norm_type == math.inf:
        total = float(np.max([np.max(np.abs(leaf), initial=0.0) for leaf in leaves]))  # nan wins
    else:
        norms = [np.linalg.norm(leaf.ravel().astype(np.float64), ord=norm_type) for leaf in leaves]
        total = float(np.linalg.norm(np.array(norms), ord=norm_type))
    scale = max_norm / (total + 1e-6)
    if scale >= 1.0:
        return grads, total
    return tree_map(lambda leaf: None if leaf is None else leaf * scale, grads), total


def clip_grad_value(grads, clip_value):
    """Clip every gradient entry into ``[-clip_value, clip_value]``.

    ``None`` leaves are passed through and dtypes are kept.
    """
    clip_value = check("clip_grad_value: clip_value", NonNegativeFloat, clip_value)
    return tree_map(
        lambda leaf: None if leaf is None else np.clip(leaf, -clip_value, clip_value), grads
    )


def clip_flat(grad_vectors, max_norm=None, max_value=None):
    r"""Clip flat gradient vectors by global L2 norm, then by value; returns the new list.

    The vectors (one per parameter dtype, as :class:`~mlkit.optim.FlatParameters` lays them
    out) are scaled by :math:`\min(1, \text{max\_norm} / (\lVert g \rVert_2 + 10^{-6}))`, the
    rule of :func:`clip_grad_norm`, with one reduction per vector and no branch on values,
    then clipped into ``[-max_value, max_value]`` as :func:`clip_grad_value` does. Built
    with ``mlkit.numpy``, so it runs on traced vectors too (inside ``mlkit.jit``). The norm is
    summed in each vector's own dtype (float32 for float32 parameters). ``None`` skips a
    clipping; dtypes are kept.
    """
    vectors = list(grad_vectors)
    if max_norm is not None and vectors:
        max_norm = check("clip_flat: max_norm", PositiveFloat, max_norm)
        total = mnp.dot(vectors[0], vectors[0])
        for vector in vectors[1:]:
            total = total + mnp.dot(vector, vector)
        scale = mnp.minimum(1.0, max_norm / (mnp.sqrt(total) + 1e-6))
        vectors = [vector * (scale if mnp.result_type(scale) == mnp.result_type(vector)
                             else mnp.asarray(scale).astype(mnp.result_type(vector)))
                   for vector in vectors]
    if max_value is not None:
        max_value = check("clip_flat: max_value", NonNegativeFloat, max_value)
        vectors = [mnp.clip(vector, -max_value, max_value) for vector in vectors]
    return vectors
