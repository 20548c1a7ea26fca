"""Gradient clipping over a whole gradient tree, by global norm or by value."""

from __future__ import annotations

import math

import numpy as np

from mlkit.optim import validation
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
    max_norm = validation.real("clip_grad_norm", "max_norm", max_norm, low=0.0, low_open=True)
    if norm_type != math.inf:
        norm_type = validation.real("clip_grad_norm", "norm_type", norm_type, low=0.0,
                                    low_open=True)
    leaves = [np.asarray(leaf) for leaf in tree_leaves(grads) if leaf is not None]
    if not leaves:
        return grads, 0.0
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(leaf), initial=0.0)) for leaf in leaves)
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
    clip_value = validation.real("clip_grad_value", "clip_value", clip_value, low=0.0)
    return tree_map(
        lambda leaf: None if leaf is None else np.clip(leaf, -clip_value, clip_value), grads
    )


def clip_flat(vectors, max_norm=None, max_value=None):
    """Gradient vectors clipped by global norm, then by value, without a branch on values."""
    import mlkit.numpy as mnp

    if max_norm is not None:
        total = mnp.sqrt(sum(mnp.dot(v, v) for v in vectors))
        scale = mnp.minimum(1.0, max_norm / (total + 1e-6))
        vectors = [v * scale.astype(v.dtype) for v in vectors]
    if max_value is not None:
        vectors = [mnp.clip(v, -max_value, max_value) for v in vectors]
    return vectors
