"""Parameter groups: the parts of one parameter tree stepped by optimizers of their own.

PyTorch gives parts of a model their own learning rate or weight decay through one optimizer's
param groups. mlkit's optimizers take their options alone, so :class:`Groups` routes each
parameter, by a test of its dotted path (``layers.0.weight``, as in ``state_dict``), to one of
several optimizers, each keeping the state of its own parameters. It steps by the one optimizer
protocol, so ``fit``, schedules, checkpoints and frozen layers take it as any optimizer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mlkit.optim.base import trainable
from mlkit.optim.flat import FlatParameters
from mlkit.tree import flatten_named, tree_align, tree_builder, tree_flatten, tree_signature

__all__ = ["Groups"]


class Groups:
    """Step each part of a parameter tree with its own optimizer.

    Parameters
    ----------
    groups : sequence of (select, optimizer)
        ``select`` is a dotted path prefix (``"layers.0"`` takes ``layers.0.weight`` and
        ``layers.0.bias``) or a test ``select(path) -> bool``; each parameter goes to the first
        group that takes it, and one that no group takes is an error (end with
        ``(lambda path: True, optimizer)`` for the rest). A prefix must take some parameter
        at the first step (a function is not checked: use one for layers frozen until
        later). Each optimizer is a first-order one of its own, e.g.
        ``optim.SGD(lr=0.1, weight_decay=1e-4)``.

    Notes
    -----
    ``lr`` reads the first group's rate; setting it (as a schedule does) sets every group's
    rate in proportion to the rates they were built with, so a schedule moves each group from
    its own rate as PyTorch's do (exactly for schedules that scale the rate; ``eta_min``,
    ``min_lr`` and ``max_lr`` are then in the first group's units). ``state_dict`` holds each
    group's state under ``groups.<i>.``. A group whose parameters are all frozen is not
    stepped; its optimizer keeps their state until they come back. There is no momentum to
    cycle, so ``OneCycleLR`` needs ``cycle_momentum=False``.
    """

    full_batch = False
    converged = False
    stalled = False

    def __init__(self, groups):
        groups = list(groups)
        if not groups:
            raise ValueError("Groups: no groups given; pass [(select, optimizer), ...]")
        self.selects = [_selector(select, i) for i, (select, _) in enumerate(groups)]
        self._prefixes = [select if isinstance(select, str) else None for select, _ in groups]
        self.optimizers = [optimizer for _, optimizer in groups]
        for i, optimizer in enumerate(self.optimizers):
            if getattr(optimizer, "full_batch", False) or not hasattr(optimizer, "step"):
                raise TypeError(f"Groups: group {i} has a {type(optimizer).__name__}, which "
                                "cannot step a part of the parameters alone; give each group a "
                                "first-order optimizer (SGD, Adam, AdamW, RMSprop, Adagrad)")
            if any(optimizer is other for other in self.optimizers[:i]):
                raise ValueError(f"Groups: group {i} reuses the optimizer of an earlier group; "
                                 "give each group an optimizer of its own (it holds the state "
                                 "of that group's parameters)")
        self._bases = [float(optimizer.initial_lr) for optimizer in self.optimizers]
        self.initial_lr = self._bases[0]
        self.step_count = 0
        self._signature = None
        self._layout_of = None

    @property
    def lr(self) -> float:
        """The first group's learning rate; setting it scales every group's (see Notes)."""
        return self.optimizers[0].lr

    @lr.setter
    def lr(self, value):
        scale = value / self.initial_lr  # exactly 1.0 at the built rate: each group's own
        self.optimizers[0].lr = value
        for optimizer, base in zip(self.optimizers[1:], self._bases[1:]):
            optimizer.lr = base * scale

    def _layout(self, params):
        """The leaves of ``params``, their paths, each one's group and the tree's rebuild,
        worked out again only when the tree's layout changes (a layer frozen, say)."""
        leaves, signature = tree_signature(params)
        if signature != self._signature:
            names = list(flatten_named(params))
            routes = [next((i for i, select in enumerate(self.selects) if select(name)), None)
                      for name in names]
            lost = [name for name, group in zip(names, routes) if group is None]
            if self._signature is None:
                self._refuse_unmatched_prefixes(names)
            if lost:
                raise ValueError(f"Groups: parameters {lost} are in no group; add a group for "
                                 "them, e.g. (lambda path: True, optimizer) last")
            structure = tree_flatten(params)[1]
            self._layout_of = names, routes, structure, tree_builder(structure)
            self._signature = signature
        return leaves, self._layout_of

    def _refuse_unmatched_prefixes(self, names) -> None:
        """Refuse, at the first step, a prefix taking none of the parameters: a misspelled
        path would otherwise pass its layers on, unnoticed, to a later group's rate."""
        for i, (select, prefix) in enumerate(zip(self.selects, self._prefixes)):
            if prefix is not None and not any(map(select, names)):
                raise ValueError(f"Groups: group {i}'s prefix {prefix!r} takes none of the "
                                 f"parameters {names}; correct the path (a parameter's "
                                 "state_dict key), or, for layers frozen until later, select "
                                 f"them with a function (lambda path: path.startswith({prefix!r})"
                                 "), which is not checked")

    def _split(self, params, grads=None):
        """Per group, ``{path: leaf}`` of its parameters and of their gradients."""
        leaves, (names, routes, structure, _) = self._layout(params)
        if grads is not None:
            grads = tree_align(grads, structure, self._signature,
                               "Groups: grads tree does not match params tree")
        parts = [({}, {}) for _ in self.optimizers]
        for i, (name, group) in enumerate(zip(names, routes)):
            parts[group][0][name] = leaves[i]
            if grads is not None:
                parts[group][1][name] = grads[i]
        return parts

    def init(self, params) -> None:
        """Set up every group's state for ``params`` (the first ``step`` does this itself)."""
        for optimizer, (part, _) in zip(self.optimizers, self._split(params)):
            if part:
                optimizer.init(part)

    def step(self, params, grads):
        """Return ``params`` moved one step along ``grads``, each part by its group's rule."""
        parts = self._split(params, grads)
        moved = {}
        for optimizer, (part, part_grads) in zip(self.optimizers, parts):
            if part:
                moved.update(optimizer.step(part, part_grads))
        self.step_count += 1
        names, _, _, build = self._layout_of
        return build([moved[name] for name in names])

    def update(self, model, grads) -> None:
        """Step a model in place: ``model.update(self.step(trainable(model), grads))``."""
        model.update(self.step(trainable(model), grads))

    def descend(self, model, closure):
        """One step of ``model`` on ``closure() -> (loss, grads)``; returns both. A
        :class:`~mlkit.optim.FlatParameters` model's gradient vectors are read as its tree."""
        loss, grads = closure()
        self.update(model, model.views(grads) if isinstance(model, FlatParameters) else grads)
        return loss, grads

    def state_dict(self) -> dict:
        """``lr``, ``step``, and each group's own state under ``groups.<i>.``."""
        out = {"lr": np.array(self.lr, dtype=np.float64),
               "step": np.array(self.step_count, dtype=np.int64)}
        for i, optimizer in enumerate(self.optimizers):
            out.update({f"groups.{i}.{key}": value
                        for key, value in optimizer.state_dict().items()})
        return out

    def load_state_dict(self, state: dict) -> None:
        """Restore a :meth:`state_dict`: every group's rate and state, and the step count."""
        arrays = {str(key): np.asarray(value) for key, value in dict(state).items()}
        prefixes = [f"groups.{i}." for i in range(len(self.optimizers))]
        stray = sorted(key for key in arrays if key not in ("lr", "step")
                       and not key.startswith(tuple(prefixes)))
        missing = [key for key in ("lr", "step") if key not in arrays]
        if stray or missing:
            raise KeyError(f"Groups.load_state_dict: missing keys {missing}, unexpected {stray} "
                           f"(this Groups has {len(self.optimizers)} groups); load a state "
                           "saved by a Groups of the same groups")
        for optimizer, prefix in zip(self.optimizers, prefixes):
            optimizer.load_state_dict({key[len(prefix):]: value for key, value in arrays.items()
                                       if key.startswith(prefix)})
        self.step_count = int(arrays["step"])


def _selector(select, index: int) -> Callable[[str], bool]:
    """A test of a parameter path: ``select`` itself, or a dotted prefix's."""
    if isinstance(select, str):
        return lambda path: path == select or path.startswith(select + ".")
    if callable(select):
        return select
    raise TypeError(f"Groups: group {index} selects its parameters with {select!r} (of "
                    f"type {type(select).__name__}); use a dotted path prefix ('layers.0') or a "
                    "function of the path (lambda path: path.endswith('bias'))")
