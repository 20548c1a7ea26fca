"""``jitted_value_and_grad``: ``nn.value_and_grad`` run as one ``mlkit.jit`` program per shape.

Every parameter of the model (trainable and frozen) is an input of the program, so a frozen
parameter is read at each call rather than baked in at the first; which parameters are
trainable is part of the signature (freezing one records anew). The recording swaps the
traced inputs into the model, takes the eager ``value_and_grad`` there and puts the arrays
back, so both paths run the same Python. Random draws (dropout) are inputs of the program
already and are drawn afresh at each call.

A model whose class defines ``jit_key()`` (a hashable description of everything its
computation reads besides its parameter arrays) shares its programs with every other
instance of the class with an equal key, for the same loss function, in the same thread (a
program reuses its buffers, so two threads never replay one at once): a second ``fit`` of
such a model replays what the first recorded.
"""

from __future__ import annotations

import collections
import threading

import mlkit
from mlkit.nn.grad import Trainable, value_and_grad
from mlkit.nn.module import _PARAMETERS

__all__ = ["JittedValueAndGrad", "jitted_value_and_grad"]


class JittedValueAndGrad:
    """``at(params, model, *args)`` as ``value_and_grad(model, loss_fn).at`` for a loss
    ``loss_fn(model, *args)`` (arrays, numbers and None), through ``mlkit.jit``;
    ``program`` is the jitted function (its ``cache_info()`` counts the recordings)."""

    def __init__(self, model, loss_fn):
        self.key = _shared_key(model)
        self.model = model if self.key is None else None  # a shared step keeps no model alive
        self.eager = value_and_grad(model, loss_fn).at  # holds the loss, not the model
        self.program = mlkit.jit(self._recorded, static_argnums=0)
        self.program.__name__ = getattr(loss_fn, "__name__", "loss_fn")
        self._slots = self._current = None

    def at(self, params: Trainable, model, *args):
        if model is not self.model and (self.key is None or _shared_key(model) != self.key):
            raise ValueError("jitted_value_and_grad: the loss must be called with the model "
                             "it was built for")
        params.walked()
        slots = []
        model._walk(_PARAMETERS, slots)
        if any(container is None for container, _, _ in slots) or _mixed_floats(slots, args):
            # Arrays inside tuples have no slot to swap into; mixed float dtypes take eager's
            # casts, which a program recorded from them does not yet replay alike.
            return self.eager(params, model, *args)
        trainable = {(id(container), key) for container, key, _ in params.slots}
        layout = tuple((id(container), key) in trainable for container, key, _ in slots)
        self._slots, self._current = slots, model
        try:
            return self.program(layout, [value for _, _, value in slots], *args)
        finally:
            self._slots = self._current = None

    def _recorded(self, layout, values, *args):
        """Runs only while recording: the eager step on the traced ``values``."""
        slots, model = self._slots, self._current
        for (container, key, _), value in zip(slots, values):
            container[key] = value
        try:
            return self.eager(Trainable(model), model, *args)
        finally:
            for container, key, value in slots:
                container[key] = value


def _mixed_floats(slots, args) -> bool:
    """Whether the parameters and the float arrays among ``args`` hold more than one dtype."""
    arrays = [value for _, _, value in slots] + [a for a in args if hasattr(a, "dtype")]
    return len({a.dtype for a in arrays if a.dtype.kind in "fc"}) > 1


def _shared_key(model):
    """``(class, model.jit_key())`` for a model that shares its programs, else None."""
    describe = getattr(type(model), "jit_key", None)
    return None if describe is None else (type(model), describe(model))


# (loss function, thread, shared key) -> JittedValueAndGrad, the least recently used first out.
_SHARED = collections.OrderedDict()
_SHARED_LOCK = threading.Lock()
SHARED_STEPS = 16


def jitted_value_and_grad(model, loss_fn) -> JittedValueAndGrad:
    """``value_and_grad(model, loss_fn)`` whose ``at`` replays one recorded program per
    signature (the shapes and dtypes of the arguments, and which parameters are trainable);
    shared with the earlier models of an equal ``jit_key()`` and the same ``loss_fn``."""
    key = _shared_key(model)
    try:
        hash(loss_fn)
    except TypeError:  # a loss that cannot be a key: its model's programs are its own
        key = None
    if key is None:
        return JittedValueAndGrad(model, loss_fn)
    key = (loss_fn, threading.get_ident(), key)
    with _SHARED_LOCK:
        step = _SHARED.get(key)
        if step is None:
            step = _SHARED[key] = JittedValueAndGrad(model, loss_fn)
            if len(_SHARED) > SHARED_STEPS:
                _SHARED.popitem(last=False)
        _SHARED.move_to_end(key)
    return step
