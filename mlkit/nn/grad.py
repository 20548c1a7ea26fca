"""``nn.value_and_grad``: the gradient of a loss with respect to a model's trainable parameters.

The trainable arrays are differentiated as one list (the engine gives each leaf of a list its
own root, so collecting their gradients costs nothing extra), swapped into the model while
the loss runs, and the plain arrays are put back in a ``finally``. A :class:`Trainable` holds
one walk of the model, so a training step reads, differentiates and writes back through it.
Under :func:`mlkit.jit` the model's arrays are read as draws, program inputs read afresh at
each replay, so a jitted step sees the weights the optimizer left, not the recorded ones.
"""

from __future__ import annotations

import functools

import numpy

import mlkit
from mlkit.extend import draw, getval
from mlkit.nn.module import _TRAINABLE
from mlkit.tree import tree_leaves, tree_map, tree_unflatten

__all__ = ["Trainable", "value_and_grad"]


class Trainable:
    """A model's trainable arrays, walked once and shared by a training step: its gradient
    (``value_and_grad(...).at``) and its optimizer (``descend``) read them from this walk, and
    ``update`` writes back through the model, so the next read walks again."""

    def __init__(self, model):
        self.model, self.slots = model, None

    def walked(self):
        """The tree of trainable arrays and its leaves, walking the model if needed."""
        if self.slots is None:
            self.slots = []
            self.tree = self.model._walk(_TRAINABLE, self.slots)
            self.leaves = [leaf for _, _, leaf in self.slots]
        return self.tree, self.leaves

    def trainable_parameters(self):
        return self.walked()[0]

    def update(self, tree):
        self.model.update(tree)
        self.slots = None

    def put(self, values):
        """Swap ``values`` into the walked slots (for the loss's trace, then back)."""
        for (container, key, _), value in zip(self.slots, values):
            if container is None:  # an array inside a tuple: rebuild through update()
                self.model.update(tree_unflatten(self.tree, values))
                return
            container[key] = value


class _Reader:
    """The trainable arrays of ``model`` as ``mlkit.jit`` should see them: at the call that
    records (or runs eagerly) the arrays just walked, at each replay the model's current ones,
    walked once per replay by ``first`` (the first draw of the program)."""

    def __init__(self, model, leaves):
        self.model, self.leaves, self.fresh = model, leaves, True

    def first(self):
        if not self.fresh:
            leaves = Trainable(self.model).walked()[1]
            if [(a.shape, a.dtype) for a in leaves] != [(a.shape, a.dtype) for a in self.leaves]:
                raise ValueError(
                    f"mlkit.jit: the trainable parameters of {type(self.model).__name__} changed "
                    "(frozen, unfrozen or replaced by others of another shape or dtype) since "
                    "this step was recorded; jit nn.value_and_grad(model, loss_fn) again")
            self.leaves = leaves
        self.fresh = False
        return self.leaves[0]

    def read(self, index):
        return self.leaves[index]


def _inputs(model, leaves):
    """``leaves`` as the loss's trace should take them: draws when they are plain arrays (read
    anew at each ``mlkit.jit`` replay, instead of recorded as constants), else as they are."""
    if not all(type(leaf) is numpy.ndarray for leaf in leaves):
        return leaves
    reader = _Reader(model, leaves)
    first = draw(reader.first)
    if first is leaves[0]:  # not recording: the arrays themselves
        return leaves
    return [first] + [draw(reader.read, i) for i in range(1, len(leaves))]


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
        its parameter's shape and dtype (the engine's guarantee, relied on as is).
    """

    # The traced leaves come last, so the engine binds the other arguments with no frame of
    # its own; one leaf is passed alone (the engine's single-array path), several as a list.
    def traced_loss(put, args, kwargs, aux, traced):
        put(traced if type(traced) is list else [traced])
        out = loss_fn(*args, **kwargs)
        if has_aux:
            if not isinstance(out, tuple) or len(out) != 2:
                raise TypeError("with has_aux=True the loss function must return a pair "
                                f"(loss, aux), got {type(out).__name__}")
            out, extra = out
            aux.append(tree_map(getval, extra))
        return out

    traced_loss.__name__ = getattr(loss_fn, "__name__", "loss_fn")
    loss_and_grads = mlkit.value_and_grad(traced_loss, argnum=4)

    def at(params: Trainable, *args, **kwargs):
        (tree, leaves), put, aux = params.walked(), params.put, []
        if not leaves:  # nothing to differentiate: no trace, no "does not depend" warning
            value = traced_loss(put, args, kwargs, aux, [])
            return ((value, aux[0]) if has_aux else value), tree
        inputs = _inputs(params.model, leaves)
        recording = inputs is not leaves  # draws boxed by mlkit.jit's recording
        buffers = params.model.buffers() if recording else None
        try:
            if len(inputs) == 1:
                loss, grad = loss_and_grads(put, args, kwargs, aux, inputs[0])
                grads = [grad]
            else:
                loss, grads = loss_and_grads(put, args, kwargs, aux, inputs)
        finally:
            put(leaves)
        if recording and any(type(b) is not numpy.ndarray
                             for b in tree_leaves(params.model.buffers())):
            params.model.update(buffers)
            raise TypeError(
                f"mlkit.jit: the loss updated buffers of {type(params.model).__name__} (batch "
                "norm's running statistics), which a replay of nn.value_and_grad cannot write "
                "back; train with mlkit.train.fit (its jitted step carries buffers), or call "
                "this step without mlkit.jit (or jit it with the model in eval mode)")
        grads = tree_unflatten(tree, grads)
        return ((loss, aux[0]), grads) if has_aux else (loss, grads)

    @functools.wraps(loss_fn)
    def value_and_grad_fn(*args, **kwargs):
        return at(Trainable(model), *args, **kwargs)

    value_and_grad_fn.at = at  # at(Trainable(model), *args): reuse a walk of the model
    return value_and_grad_fn

