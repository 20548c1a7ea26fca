"""``nn.value_and_grad``: the gradient of a loss with respect to a model's trainable parameters.

The trainable arrays are traced as one root value, a tuple of leaves, and swapped into the
model while the loss runs; the plain arrays are put back in a ``finally``. Taking a leaf out of
the root records a primitive whose cotangent is a *sparse* gradient (only that leaf's slot), so
collecting L gradients costs L dictionary inserts. The engine's generic containers would
instead build a dense zero tree for every leaf taken, a full copy of the model per parameter.
"""

from __future__ import annotations

import functools

import numpy

import mlkit
from mlkit.extend import Box, VSpace, defvjp, getval, primitive
from mlkit.nn.module import _TRAINABLE
from mlkit.tree import tree_map

__all__ = ["value_and_grad"]


class _Leaves(tuple):
    """The trainable arrays of a model, in flattening order: the traced root value."""

    __slots__ = ()


class _LeavesBox(Box):
    """A traced :class:`_Leaves`; its items are read with :func:`_take`."""

    __slots__ = ()


class _SparseGrad:
    """The cotangent of a :class:`_Leaves`: ``{leaf index: gradient}`` for leaves reached."""

    __slots__ = ("slots",)

    def __init__(self, slots):
        self.slots = slots

    def __add__(self, other):
        slots = dict(self.slots)
        for i, g in other.slots.items():
            slots[i] = g if i not in slots else slots[i] + g
        return _SparseGrad(slots)


class _LeavesVSpace(VSpace):
    __slots__ = ("size",)

    def __init__(self, value):
        self.size = len(value)

    def spec(self):
        return (self.size,)

    def zeros(self):
        return _SparseGrad({})


_LeavesBox.register(_Leaves)
_LeavesVSpace.register(_Leaves)


@primitive
def _take(leaves, i):
    return leaves[i]


defvjp(_take, lambda ans, leaves, i: lambda g: _SparseGrad({i: g}))


def value_and_grad(model, loss_fn, has_aux: bool = False):
    """Wrap ``loss_fn`` so that it also returns the gradient for ``model``'s parameters.

    Parameters
    ----------
    model : Module
        The model whose trainable parameters (``model.trainable_parameters()``) are
        differentiated; frozen parameters and buffers are held constant.
    loss_fn : callable
        ``loss_fn(*args, **kwargs)`` returning a real scalar (it usually calls ``model``).
    has_aux : bool
        ``loss_fn`` returns ``(loss, aux)``; ``aux`` is passed through with any traced
        values replaced by plain arrays.

    Returns
    -------
    callable
        ``f(*args, **kwargs) -> (loss, grads)`` (``((loss, aux), grads)`` with ``has_aux``),
        where ``grads`` is shaped like ``model.trainable_parameters()`` and each gradient has
        its parameter's dtype.
    """

    @functools.wraps(loss_fn)
    def value_and_grad_fn(*args, **kwargs):
        slots = []
        params = model._walk(_TRAINABLE, slots)
        leaves = _leaves_of(params)
        aux = []

        def put(values):
            if None in slots:  # an array inside a tuple: rebuild through update()
                model.update(_rebuilt(params, iter(values)))
                return
            for (container, key), value in zip(slots, values):
                container[key] = value

        def traced_loss(root):
            put([_take(root, i) for i in range(len(leaves))])
            out = loss_fn(*args, **kwargs)
            if has_aux:
                out, extra = _split_aux(out)
                aux.append(tree_map(getval, extra))
            return out

        traced_loss.__name__ = getattr(loss_fn, "__name__", "loss_fn")
        if not leaves:  # nothing to differentiate: no trace, no "does not depend" warning
            return ((traced_loss(None), aux[0]) if has_aux else traced_loss(None)), params
        try:
            loss, sparse = mlkit.value_and_grad(traced_loss)(_Leaves(leaves))
        finally:
            put(leaves)
        grads = _rebuilt(params, (_dense(sparse.slots.get(i), leaf)
                                  for i, leaf in enumerate(leaves)))
        return ((loss, aux[0]), grads) if has_aux else (loss, grads)

    return value_and_grad_fn


def _leaves_of(tree):
    """The arrays of a module tree in walk order."""
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in _leaves_of(value)]
    if isinstance(tree, (list, tuple)):
        return [leaf for value in tree for leaf in _leaves_of(value)]
    return [tree]


def _rebuilt(tree, leaves):
    """``tree`` with its arrays replaced, in order, by the items of the iterator ``leaves``."""
    if isinstance(tree, dict):
        return {key: _rebuilt(value, leaves) for key, value in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)([_rebuilt(value, leaves) for value in tree])
    return next(leaves)


def _split_aux(out):
    if not isinstance(out, tuple) or len(out) != 2:
        raise TypeError("with has_aux=True the loss function must return a pair (loss, aux), "
                        f"got {type(out).__name__}")
    return out


def _dense(g, leaf):
    """The gradient of one leaf as an array of the leaf's shape and dtype (zeros if unused)."""
    if g is None:
        return numpy.zeros_like(leaf)
    if type(g) is not numpy.ndarray or g.dtype != leaf.dtype or g.shape != leaf.shape:
        g = numpy.broadcast_to(numpy.asarray(g, dtype=leaf.dtype), leaf.shape).copy()
    return g
