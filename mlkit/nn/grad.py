"""``nn.value_and_grad``: the gradient of a loss with respect to a model's trainable parameters.

The trainable arrays are differentiated as one list (the engine gives each leaf of a list its
own root, so collecting their gradients costs nothing extra), swapped into the model while
the loss runs, and the plain arrays are put back in a ``finally``.
"""

from __future__ import annotations

import functools

import mlkit
from mlkit.extend import getval
from mlkit.nn.module import _TRAINABLE
from mlkit.tree import tree_map, tree_unflatten

__all__ = ["value_and_grad"]


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

    def traced_loss(traced_leaves, put, args, kwargs, aux):
        put(traced_leaves)
        out = loss_fn(*args, **kwargs)
        if has_aux:
            out, extra = _split_aux(out)
            aux.append(tree_map(getval, extra))
        return out

    def traced_loss_of_one(traced_leaf, put, args, kwargs, aux):
        return traced_loss([traced_leaf], put, args, kwargs, aux)

    traced_loss.__name__ = traced_loss_of_one.__name__ = getattr(loss_fn, "__name__", "loss_fn")
    loss_and_grads = mlkit.value_and_grad(traced_loss)
    loss_and_grad_of_one = mlkit.value_and_grad(traced_loss_of_one)  # skips the list's plumbing

    @functools.wraps(loss_fn)
    def value_and_grad_fn(*args, **kwargs):
        slots = []
        params = model._walk(_TRAINABLE, slots)
        leaves = [leaf for _, _, leaf in slots]
        aux = []

        def put(values):
            for (container, key, _), value in zip(slots, values):
                if container is None:  # an array inside a tuple: rebuild through update()
                    model.update(tree_unflatten(params, values))
                    return
                container[key] = value

        if not leaves:  # nothing to differentiate: no trace, no "does not depend" warning
            value = traced_loss([], put, args, kwargs, aux)
            return ((value, aux[0]) if has_aux else value), params
        try:
            if len(leaves) == 1:
                loss, grad = loss_and_grad_of_one(leaves[0], put, args, kwargs, aux)
                grads = [grad]
            else:
                loss, grads = loss_and_grads(leaves, put, args, kwargs, aux)
        finally:
            put(leaves)
        grads = tree_unflatten(params, grads)
        return ((loss, aux[0]), grads) if has_aux else (loss, grads)

    return value_and_grad_fn


def _split_aux(out):
    if not isinstance(out, tuple) or len(out) != 2:
        raise TypeError("with has_aux=True the loss function must return a pair (loss, aux), "
                        f"got {type(out).__name__}")
    return out
