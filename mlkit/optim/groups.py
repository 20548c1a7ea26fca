"""Parameter groups: the parts of one parameter tree stepped by optimizers of their own.

PyTorch gives parts of a model their own learning rate or weight decay through one optimizer's
param groups. mlkit's optimizers take their options alone, so :class:`Groups` routes each
parameter, by a test of its dotted path (``layers.0.weight``, as in ``state_dict``), to one of
several optimizers, each keeping the state of its own parameters. It steps by the one optimizer
protocol, so ``fit``, schedules, checkpoints and frozen layers take it as any optimizer. A
config's ``optimizer.groups`` is built into one (mlkit.registry.make_optimizer).
"""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatchcase

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
        ``select`` is a path pattern, a list of them, or a test ``select(path) -> bool``. A
        pattern takes the paths it matches whole or as a dotted prefix, ``*`` standing for any
        text: ``"layers.0"`` takes ``layers.0.weight`` and ``layers.0.bias``, ``"*.bias"``
        every layer's bias. Each parameter goes to the first group that takes it. At the first
        step, a pattern must take some parameter that no earlier group took (a function is not
        checked: use one for layers frozen until later). Each optimizer is a first-order one of
        its own, e.g. ``optim.SGD(lr=0.1, weight_decay=1e-4)``.
    rest : optimizer, optional
        Steps every parameter no group takes, as the options given to a PyTorch optimizer
        itself do; without it, such a parameter is an error.

    Notes
    -----
    ``lr`` is the rate of ``rest`` (without it, of the first group); ``lrs`` lists every
    group's (``rest`` last), ``group_lrs`` those of the groups given (``rest`` left out) and
    ``initial_lrs`` the rates they were built with. A schedule
    moves each group from its own rate by the schedule's formula, as PyTorch's do, so
    absolute values (``eta_min``, ``min_lr``, ``max_lr``) are the same for every group unless
    given as a list of one per group (in the order of ``optimizers``, as PyTorch takes them),
    and ``OneCycleLR`` cycles the momentum of each group's optimizer. Setting ``lr`` sets every
    group's rate in proportion to the rates they were built with. ``state_dict`` holds each
    group's state under ``groups.<i>.``. A group whose parameters are all frozen is not
    stepped; its optimizer keeps their state until they come back.
    """

    full_batch = False
    converged = False
    stalled = False

    def __init__(self, groups, rest=None):
        groups = list(groups)
        if not groups:
            raise ValueError("Groups: no groups given; pass [(select, optimizer), ...]")
        self.selects = [_selector(select, i) for i, (select, _) in enumerate(groups)]
        self._patterns = [_patterns(select) for select, _ in groups]
        self.optimizers = [optimizer for _, optimizer in groups]
        if rest is not None:
            self.selects.append(lambda path: True)
            self._patterns.append(None)
            self.optimizers.append(rest)
        for i, optimizer in enumerate(self.optimizers):
            what = "rest" if rest is not None and i == len(groups) else f"group {i}"
            if getattr(optimizer, "full_batch", False) or not hasattr(optimizer, "step"):
                raise TypeError(f"Groups: {what} has a {type(optimizer).__name__}, which "
                                "cannot step a part of the parameters alone; give each group a "
                                "first-order optimizer (SGD, Adam, AdamW, RMSprop, Adagrad)")
            if any(optimizer is other for other in self.optimizers[:i]):
                raise ValueError(f"Groups: {what} reuses the optimizer of an earlier group; "
                                 "give each group an optimizer of its own (it holds the state "
                                 "of that group's parameters)")
        self._main = len(groups) if rest is not None else 0
        self._given = len(groups)
        self.initial_lrs = [float(optimizer.initial_lr) for optimizer in self.optimizers]
        self.initial_lr = self.initial_lrs[self._main]
        self.step_count = 0
        self._signature = None
        self._layout_of = None
        self._flat_spans = None

    @property
    def lr(self) -> float:
        """The main rate (see Notes); setting it scales every group's in proportion."""
        return self.optimizers[self._main].lr

    @lr.setter
    def lr(self, value):
        scale = value / self.initial_lr  # exactly 1.0 at the built rate: each group's own
        for i, (optimizer, base) in enumerate(zip(self.optimizers, self.initial_lrs)):
            optimizer.lr = value if i == self._main else base * scale

    @property
    def lrs(self) -> list[float]:
        """Every group's rate, in the order of ``optimizers`` (``rest`` last)."""
        return [optimizer.lr for optimizer in self.optimizers]

    @lrs.setter
    def lrs(self, values):
        values = list(values)
        if len(values) != len(self.optimizers):
            raise ValueError(f"Groups.lrs: {len(values)} rates for {len(self.optimizers)} "
                             "groups; give one rate per group, rest last")
        for optimizer, value in zip(self.optimizers, values):
            optimizer.lr = value

    @property
    def group_lrs(self) -> list[float]:
        """The rates of the groups given, ``rest`` left out: a run's ``lr.<i>`` columns."""
        return self.lrs[:self._given]

    def _layout(self, params):
        """The leaves of ``params``, their paths, each one's group and the tree's rebuild,
        worked out again only when the tree's layout changes (a layer frozen, say)."""
        leaves, signature = tree_signature(params)
        if signature != self._signature:
            names = list(flatten_named(params))
            routes = self._routes(names)
            lost = [name for name, group in zip(names, routes) if group is None]
            if self._signature is None:
                self._refuse_unmatched(names)
            if lost:
                raise ValueError(f"Groups: parameters {lost} are in no group; add a group for "
                                 "them, e.g. (lambda path: True, optimizer) last, or pass rest=")
            structure = tree_flatten(params)[1]
            self._layout_of = names, routes, structure, tree_builder(structure)
            self._signature = signature
        return leaves, self._layout_of

    def _routes(self, names) -> list[int | None]:
        """The group of each parameter path: the first that takes it (None: no group)."""
        return [next((i for i, select in enumerate(self.selects) if select(name)), None)
                for name in names]

    def unmatched(self, names) -> list[tuple[int, str]]:
        """The groups selecting by pattern that take none of the parameter paths ``names``,
        each with the reason: its patterns match none, or only paths earlier groups take."""
        routes = self._routes(names)
        found = []
        for i, patterns in enumerate(self._patterns):
            if patterns is None or i in routes:
                continue
            earlier = sorted({route for name, route in zip(names, routes)
                              if self.selects[i](name)})
            found.append((i, "matches none of the parameters" if not earlier else
                          "matches only parameters that earlier groups take (group "
                          f"{', '.join(map(str, earlier))})"))
        return found

    def _refuse_unmatched(self, names) -> None:
        """Refuse, at the first step, a pattern taking none of the parameters: a misspelled
        path would otherwise pass its layers on, unnoticed, to a later group's rate."""
        for i, why in self.unmatched(names)[:1]:
            shown = self._patterns[i][0] if len(self._patterns[i]) == 1 else list(
                self._patterns[i])
            raise ValueError(f"Groups: group {i}'s pattern {shown!r} {why}: {names}; correct "
                             "the pattern (a parameter's state_dict key, or a prefix of one), "
                             "or, for layers frozen until later, select them with a function "
                             "(lambda path: path.startswith('layers.0')), which is not checked")

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
        :class:`~mlkit.optim.FlatParameters` model's vectors move in place: a group whose
        parameters lie back to back in them is stepped as whole pieces (one update per dtype,
        as one optimizer steps all of them), the others parameter by parameter; the numbers
        are those of :meth:`update`."""
        loss, grads = closure()
        if not isinstance(model, FlatParameters):
            self.update(model, grads)
            return loss, grads
        parts = None
        for i, (optimizer, (names, spans)) in enumerate(zip(self.optimizers, self._spans(model))):
            if spans is not None and optimizer.step_pieces(
                    names, [model.vectors[vector][start:stop] for vector, start, stop in spans],
                    [grads[vector][start:stop] for vector, start, stop in spans]):
                continue
            parts = parts or self._split(model.tree, model.views(grads))
            if parts[i][0]:
                optimizer.step_in_place(*parts[i])
        self.step_count += 1
        return loss, grads

    def _spans(self, flat):
        """Per group, its parameter paths and where they lie in ``flat``'s vectors (None when
        not back to back); worked out again for another model or layout."""
        _, layout = self._layout(flat.tree)
        if self._flat_spans is None or self._flat_spans[0] is not flat or (
                self._flat_spans[1] is not layout):
            names, routes = layout[:2]
            found = []
            for i in range(len(self.optimizers)):
                mine = [k for k, route in enumerate(routes) if route == i]
                found.append(([names[k] for k in mine], flat.spans(mine) if mine else None))
            self._flat_spans = flat, layout, found
        return self._flat_spans[2]

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


def _patterns(select) -> tuple[str, ...] | None:
    """``select``'s path patterns (one, or a non-empty list of them); None otherwise."""
    if isinstance(select, str):
        return (select,)
    if isinstance(select, (list, tuple)) and select and all(isinstance(p, str) for p in select):
        return tuple(select)
    return None


def _selector(select, index: int) -> Callable[[str], bool]:
    """A test of a parameter path: ``select`` itself, or its patterns' (see Groups)."""
    if callable(select):
        return select
    patterns = _patterns(select)
    if patterns is None:
        raise TypeError(f"Groups: group {index} selects its parameters with {select!r} (of "
                        f"type {type(select).__name__}); use a path pattern ('layers.0', "
                        "'*.bias'), a list of them, or a function of the path "
                        "(lambda path: path.endswith('bias'))")
    return lambda path: any(fnmatchcase(path, pattern) or fnmatchcase(path, pattern + ".*")
                            for pattern in patterns)
