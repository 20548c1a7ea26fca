"""A batch's training step: the loss and the clipped gradient of a model's trainable
parameters, kept as one flat vector per dtype, run as one ``mlkit.jit`` program per batch shape.

The model's trainable arrays are views into a :class:`mlkit.optim.FlatParameters`, which the
optimizer steps in place, so a step hands the program the vectors, the other arrays (frozen
parameters, buffers) and the batch, and gets back the loss, the gradient vectors and the new
buffers (batch-norm statistics). Eager and jitted steps run the same Python: the recording
swaps the traced vectors' views into the model, so ``jit`` on and off train alike. Steps are
kept per model (weakly) and reused by later ``fit`` calls with the same loss and clipping.
"""

from __future__ import annotations

import time
import weakref

import mlkit
from mlkit.nn import Trainable
from mlkit.nn import value_and_grad as model_value_and_grad
from mlkit.optim import FlatParameters, clip_flat
from mlkit.tree import flatten_named, tree_flatten, tree_leaves, tree_unflatten

__all__ = ["TrainingStep", "training_step"]

_STEPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class TrainingStep:
    """``step(X, y, weight) -> (loss, gradient vectors)`` at the current parameters of a model
    whose trainable arrays live in ``step.flat`` (see :meth:`bind`)."""

    def __init__(self, model, loss_fn, max_norm, max_value, jit):
        self._model = weakref.ref(model)
        self.loss_fn = loss_fn
        self.clipping = (max_norm, max_value)
        self.eager = model_value_and_grad(model, loss_fn)
        self.program = mlkit.jit(self._recorded, static_argnums=0) if jit else None
        if self.program is not None:
            self.program.__name__ = getattr(loss_fn, "__name__", "loss_fn")
        self.flat = None

    def bind(self) -> FlatParameters:
        """Lay the model's trainable arrays out as flat vectors, unless they already are, and
        read its other arrays; once per epoch, so replaced or frozen arrays are noticed."""
        model = self._model()
        trainable = model.trainable_parameters()
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
        return self.flat

    def __call__(self, X, y, weight):
        if self.program is None:
            return self._eager(X, y, weight)
        return self._replayed(self.program(self.layout, self.flat.vectors, self.frozen,
                                           self.buffers, X, y, weight))

    def profiled(self, profile, X, y, weight):
        """A call timed into ``profile`` (a :class:`~mlkit.train.profile.StepProfile`): the
        program's profiled replay, or the eager step as a whole."""
        if self.program is None:
            start = time.perf_counter()
            try:
                return self._eager(X, y, weight)
            finally:
                profile.eager += time.perf_counter() - start
        report = self.program.profile(self.layout, self.flat.vectors, self.frozen,
                                      self.buffers, X, y, weight)
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
        loss, grads = self.eager.at(Trainable(model), model, X, y, weight)
        if self.buffers:
            self.buffers = tree_leaves(model.buffers())
        return loss, clip_flat(self.flat.join(grads), *self.clipping)

    def _recorded(self, layout, vectors, frozen, buffers, X, y, weight):
        """Runs only while recording: the eager step with the traced arrays in the model."""
        model = self._model()
        saved = model.parameters(), model.buffers()
        model.update(self.flat.views(vectors))
        values = iter(frozen)
        model.update(tree_unflatten(self._parameter_tree, [{} if is_trained else next(values)
                                                           for is_trained in self._trained]))
        model.update(tree_unflatten(self._buffer_tree, buffers))
        try:
            loss, grads = self.eager.at(Trainable(model), model, X, y, weight)
            new_buffers = tree_leaves(model.buffers())
        finally:
            model.update(saved[0])
            model.update(saved[1])
        return loss, clip_flat(self.flat.join(grads), *self.clipping), new_buffers


def training_step(model, loss_fn, clip_grad_norm=None, clip_grad_value=None,
                  jit=True) -> TrainingStep:
    """The model's step for this loss and clipping, made once and kept while the model lives,
    so a later ``fit`` (another epoch, ``partial_fit``, a resumed run) replays its programs."""
    steps = _STEPS.setdefault(model, {})
    key = (loss_fn, clip_grad_norm, clip_grad_value, bool(jit))
    if key not in steps:
        steps[key] = TrainingStep(model, loss_fn, clip_grad_norm, clip_grad_value, jit)
    return steps[key]
