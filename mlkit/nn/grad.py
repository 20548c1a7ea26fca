"""``nn.value_and_grad``: the gradient of a loss with respect to a model's trainable parameters.

The trainable arrays are differentiated as one list (the engine gives each leaf of a list its
own root, so collecting their gradients costs nothing extra), swapped into the model while
the loss runs, and the plain arrays are put back in a ``finally``. A :class:`Trainable` holds
one walk of the model, so a training step reads, differentiates and writes back through it.
"""

from __future__ import annotations

import functools

import mlkit
from mlkit.extend import getval
from mlkit.nn.module import _TRAINABLE
from mlkit.tree import tree_map, tree_unflatten

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
        try:
            if len(leaves) == 1:
                loss, grad = loss_and_grads(put, args, kwargs, aux, leaves[0])
                grads = [grad]
            else:
                loss, grads = loss_and_grads(put, args, kwargs, aux, leaves)
        finally:
            put(leaves)
        grads = tree_unflatten(tree, grads)
        return ((loss, aux[0]), grads) if has_aux else (loss, grads)

    @functools.wraps(loss_fn)
    def value_and_grad_fn(*args, **kwargs):
        return at(Trainable(model), *args, **kwargs)

    value_and_grad_fn.at = at  # at(Trainable(model), *args): reuse a walk of the model
    return value_and_grad_fn

