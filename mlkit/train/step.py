"""A batch's training step: the loss and the clipped gradient of a model's trainable
parameters, kept as one flat vector per dtype, run as one ``mlkit.jit`` program per batch shape.

The model's trainable arrays are views into a :class:`mlkit.optim.FlatParameters`, which the
optimizer steps in place, so a step hands the program the vectors, the other arrays (frozen
parameters, buffers) and the batch, and gets back the loss, the gradient vectors and the new
buffers (batch-norm statistics). Eager and jitted steps run the same Python: the recording
swaps the traced vectors' views into the model, so ``jit`` on and off train alike. Steps are
kept per model (weakly) and reused by later ``fit`` calls with the same loss and clipping.

A model whose class defines ``jit_key()`` (a hashable description of everything its loss reads
besides its arrays) shares its programs with the other instances of its class with an equal
key, for the same loss and clipping, in the same thread (a program reuses its buffers, so two
threads never replay one at once): a second estimator ``fit`` replays what the first recorded.
"""

from __future__ import annotations

import collections
import functools
import threading
import time
import weakref

import mlkit
from mlkit.nn import Trainable
from mlkit.nn import value_and_grad as model_value_and_grad
from mlkit.optim import FlatParameters, clip_flat
from mlkit.tree import flatten_named, tree_flatten, tree_leaves, tree_unflatten

__all__ = ["TrainingStep", "training_step"]

_STEPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# (class, jit_key(), loss, clipping, thread) -> _SharedProgram, the least recently used first out
_SHARED: collections.OrderedDict = collections.OrderedDict()
_SHARED_LOCK = threading.Lock()
SHARED_PROGRAMS = 16


class _SharedProgram:
    """One jitted step function, recorded through whichever step calls it (``run``)."""

    def __init__(self, name):
        self.jitted = mlkit.jit(self._recorded, static_argnums=0)
        self.jitted.__name__ = name
        self._step = None

    def run(self, step, replay, *args):
        """``replay(*args)`` (the jitted function or its ``profile``) on ``step``'s behalf."""
        self._step = step
        try:
            return replay(*args)
        finally:
            self._step = None

    def _recorded(self, layout, *arrays):
        return self._step._recorded(arrays)


class TrainingStep:
    """``step(X, y, weight) -> (loss, gradient vectors)`` at the current parameters of a model
    whose trainable arrays live in ``step.flat`` (see :meth:`bind`)."""

    def __init__(self, model, loss_fn, max_norm, max_value, jit):
        self._model = weakref.ref(model)
        self.loss_fn = loss_fn
        self.clipping = (max_norm, max_value)
        self.shared = _shared_program(model, loss_fn, self.clipping) if jit else None
        self.program = None if self.shared is None else self.shared.jitted
        self.flat = None

    @functools.cached_property
    def eager(self):
        """The eager step's value and gradient (holding the loss, not the model); made at its
        first use, which a step that replays a shared program may never have."""
        return model_value_and_grad(self._model(), self.loss_fn).at

    def bind(self, flat: FlatParameters | None = None) -> FlatParameters:
        """Lay the model's trainable arrays out as flat vectors, unless they already are, and
        read its other arrays; once per epoch, so replaced or frozen arrays are noticed.
        ``flat``, another step's vectors that hold the model's arrays, is shared instead."""
        model = self._model()
        trainable = model.trainable_parameters()
        if flat is not None and flat is not self.flat:
            self.flat = flat
            self.layout = tuple(flatten_named(trainable))
        if self.flat is None or not self.flat.holds(trainable):
            self.flat = FlatParameters(trainable)
            model.update(self.flat.tree)
            self.layout = tuple(flatten_named(trainable))
        trained = {id(leaf) for leaf in tree_leaves(self.flat.tree)}
        leaves, self._parameter_tree = tree_flatten(model.parameters())
        self._trained = [id(leaf) in trained for leaf in leaves]
        others = [leaf for leaf, is_trained in zip(leaves, self._trained) if not is_trained]
        self.frozen = others
        self.buffers, self._buffer_tree = tree_flatten(model.buffers())
        # The program's static argument; its arrays follow one by one (vectors, frozen arrays,
        # buffers, then the batch): a flat argument list is quicker to describe at each call
        # than lists of arrays.
        self._static = (self.layout, len(self.flat.vectors), len(self.frozen), len(self.buffers))
        return self.flat

    def __call__(self, X, y, weight):
        if self.program is None:
            return self._eager(X, y, weight)
        shared = self.shared  # shared.run written out: this runs at every step
        shared._step = self
        try:
            out = self.program(self._static, *self.flat.vectors, *self.frozen, *self.buffers,
                               X, y, weight)
        finally:
            shared._step = None
        return self._replayed(out)

    def profiled(self, profile, X, y, weight):
        """A call timed into ``profile`` (a :class:`~mlkit.train.profile.StepProfile`): the
        program's profiled replay, or the eager step as a whole."""
        if self.program is None:
            start = time.perf_counter()
            try:
                return self._eager(X, y, weight)
            finally:
                profile.eager += time.perf_counter() - start
        report = self.shared.run(self, self.program.profile, self._static, *self.flat.vectors,
                                 *self.frozen, *self.buffers, X, y, weight)
        profile.add(report)
        return self._replayed(report.value)

    def _replayed(self, out):
        loss, grads, buffers = out
        if buffers:
            self.buffers = buffers
            self._model().update(tree_unflatten(self._buffer_tree, buffers))
        return loss, grads

    def _eager(self, X, y, weight):
        model = self._model()
        loss, grads = self.eager(Trainable(model), model, X, y, weight)
        if self.buffers:
            self.buffers = tree_leaves(model.buffers())
        return loss, clip_flat(self.flat.join(grads), *self.clipping)

    def _recorded(self, arrays):
        """Runs only while recording: the eager step with the traced ``arrays`` (laid out as
        the program's arguments) in the model."""
        _, n_vectors, n_frozen, n_buffers = self._static
        frozen_at, buffers_at = n_vectors, n_vectors + n_frozen
        batch_at = buffers_at + n_buffers
        vectors, frozen = list(arrays[:frozen_at]), arrays[frozen_at:buffers_at]
        buffers = list(arrays[buffers_at:batch_at])
        X, y, weight = arrays[batch_at:]
        model = self._model()
        saved = model.parameters(), model.buffers()
        model.update(self.flat.views(vectors))
        values = iter(frozen)
        model.update(tree_unflatten(self._parameter_tree, [{} if is_trained else next(values)
                                                           for is_trained in self._trained]))
        model.update(tree_unflatten(self._buffer_tree, buffers))
        try:
            loss, grads = self.eager(Trainable(model), model, X, y, weight)
            new_buffers = tree_leaves(model.buffers())
        finally:
            model.update(saved[0])
            model.update(saved[1])
        return loss, clip_flat(self.flat.join(grads), *self.clipping), new_buffers


def training_step(model, loss_fn, clip_grad_norm=None, clip_grad_value=None,
                  jit=True) -> TrainingStep:
    """The model's step for this loss and clipping, made once and kept while the model lives,
    so a later ``fit`` (another epoch, ``partial_fit``, a resumed run) replays its programs."""
    key = (loss_fn, clip_grad_norm, clip_grad_value, bool(jit))
    try:
        hash(key)
    except TypeError:  # a loss that cannot be a key: a step of its own, kept by nothing
        return TrainingStep(model, loss_fn, clip_grad_norm, clip_grad_value, jit)
    steps = _STEPS.setdefault(model, {})
    if key not in steps:
        steps[key] = TrainingStep(model, loss_fn, clip_grad_norm, clip_grad_value, jit)
    return steps[key]


def _shared_program(model, loss_fn, clipping) -> _SharedProgram:
    """The jitted step function for ``model``: shared with the earlier models of its class
    with an equal ``jit_key()``, or its own."""
    name = getattr(loss_fn, "__name__", "loss_fn")
    describe = getattr(type(model), "jit_key", None)
    if describe is None:
        return _SharedProgram(name)
    key = (type(model), describe(model), loss_fn, clipping, threading.get_ident())
    try:
        hash(key)
    except TypeError:  # a loss that cannot be a key keeps its model's programs to itself
        return _SharedProgram(name)
    with _SHARED_LOCK:
        shared = _SHARED.get(key)
        if shared is None:
            shared = _SHARED[key] = _SharedProgram(name)
            if len(_SHARED) > SHARED_PROGRAMS:
                _SHARED.popitem(last=False)
        _SHARED.move_to_end(key)
    return shared
