"""The optimizer protocol, and its base class: an in-place update rule lifted to trees.

Every optimizer steps a model by ``opt.descend(model, closure)``, ``closure() -> (loss, grads)``
at the model's current parameters: once for a first-order one, at each point tried for a
``full_batch`` one (L-BFGS), which also reports its iterations ``n_iter`` and why it stopped,
``reason`` (``converged``: a tolerance was met; ``stalled``: it could not move, short of one).
A subclass says how an array moves (``init_state``, ``apply``, written once for any array
shape); this class walks the trees, checks gradients, counts steps and saves the state as a
flat dict of arrays, comparing a cheap signature against the first step's tree.
The state of all parameters of one dtype lives in one vector per state key, each parameter's
entry a view of it, so a :class:`~mlkit.optim.FlatParameters` model steps with a few
whole-vector operations per dtype.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from mlkit.optim import validation
from mlkit.optim.flat import FlatParameters, check_parameters, checked_vectors, dtype_groups
from mlkit.options import NonNegativeFloat, check
from mlkit.tree import flatten_named, tree_align, tree_builder, tree_flatten, tree_signature


class Optimizer(validation.BuiltFromOptions, ABC):
    """Base class of the first-order optimizers.

    Parameters
    ----------
    lr : float
        Learning rate, ``> 0``; readable and settable as ``opt.lr`` (schedules set it, and
        may set 0).

    Notes
    -----
    ``params = opt.step(params, grads)`` returns an updated copy of a tree (tuples, lists and
    dicts of floating-point arrays, nested); ``opt.update(model, grads)`` does the same for any
    object with ``parameters()`` and ``update(tree)``. A gradient leaf of ``None`` leaves its
    parameter untouched and does not advance that parameter's step count. When the set of
    parameters changes between steps (a layer frozen or unfrozen), each parameter met before
    keeps its state and step count, by name; one that leaves the set is kept aside until it
    comes back, and :meth:`state_dict` saves it too, so a run resumed while a layer is frozen
    continues as the uninterrupted one. The caller's arrays are never written to, except
    by ``descend`` on a :class:`~mlkit.optim.FlatParameters`, which moves its vectors in place.
    """

    full_batch = False  # True: steps need the whole, unclipped objective (a line search)
    converged = False  # True once a step met the optimizer's own tolerances (L-BFGS)
    stalled = False  # True once a step could not move before meeting them (L-BFGS)

    def __init__(self, lr):
        self.lr = lr
        self.initial_lr = self.lr
        self.step_count = 0
        self._structure = None
        self._build = None
        self._signature = None
        self._names = None
        self._shapes = None
        self._dtypes = None
        self._states = None
        self._counts = None
        self._pending = None
        self._slots = None
        self._sizes = None
        self._members = None
        self._packed = None
        self._flat = None
        self._parked = {}

    @property
    def lr(self) -> float:
        """The learning rate used by the next step."""
        return self._lr

    @lr.setter
    def lr(self, value):
        """``>= 0``: a schedule may end at 0 (a cosine to ``eta_min=0``); the constructors
        refuse 0, an optimizer that would never move."""
        self._lr = check(f"{type(self).__name__}: lr", NonNegativeFloat, value)

    def init_state(self, param: np.ndarray) -> dict:
        """The state arrays of one parameter before its first step (none by default)."""
        return {}

    @abstractmethod
    def apply(self, param: np.ndarray, grad: np.ndarray, state: dict, step: int) -> None:
        """Move ``param`` and the arrays of ``state`` one step, in place; ``grad`` is read only.

        ``step`` counts this parameter's updates, starting at 1. Written once (the built-in
        optimizers as one loop over elements, :mod:`mlkit.optim.kernel`), the rule serves one
        parameter (the tree path) and all parameters of one dtype as one vector (the flat
        path), with the same elementwise operations in the same order, so both give the same
        bits. ``state`` entries must be written through (``out=``, ``+=``, ``[...] =``), never
        rebound.
        """

    def init(self, params) -> None:
        """Set up the state for ``params`` (the first ``step`` does this by itself)."""
        leaves, structure = tree_flatten(params)
        names = list(flatten_named(params))
        if len(set(names)) != len(leaves):
            raise ValueError(f"{type(self).__name__}: parameter names collide: {names}")
        check_parameters(type(self).__name__, names, leaves)
        self._structure = structure
        self._build = tree_builder(structure)
        self._signature = tree_signature(params)[1]
        self._names = names
        self._shapes = [leaf.shape for leaf in leaves]
        self._dtypes = [leaf.dtype for leaf in leaves]
        self._states = [self.init_state(leaf) for leaf in leaves]
        self._counts = [0] * len(leaves)
        dtypes, self._sizes, self._slots = dtype_groups(leaves)
        sizes = self._sizes
        self._members = [[i for i, slot in enumerate(self._slots) if slot[0] == group]
                         for group in range(len(dtypes))]
        self._packed = [self._pack(members, size) for members, size in zip(self._members, sizes)]
        self._flat = None
        self._parked = {}
        if self._pending is not None:
            try:
                self._restore(self._pending)
            except (KeyError, ValueError):
                self._names = None
                raise
            self._pending = None

    def step(self, params, grads):
        """Return ``params`` moved one step along ``grads`` (a tree of the same structure)."""
        leaves = self._moved(params, grads, in_place=False)  # sets _build at the first step
        return self._build(leaves)

    def step_in_place(self, params, grads) -> None:
        """Move the arrays of ``params`` one step along ``grads`` in place (the numbers of
        :meth:`step`): how :class:`~mlkit.optim.Groups` steps its part of flat vectors."""
        self._moved(params, grads, in_place=True)

    def _moved(self, params, grads, in_place):
        """The leaves of ``params`` moved one step: new arrays, or the same ones written to."""
        if self._names is None:
            self.init(params)
        try:
            p_leaves = tree_align(params, self._structure, self._signature)
        except ValueError:  # other parameters than before
            self._relayout(params)
            p_leaves = tree_signature(params)[0]
        g_leaves = tree_align(grads, self._structure, self._signature,
                              f"{type(self).__name__}: grads tree does not match params tree")
        g_leaves = self._checked(p_leaves, g_leaves)
        new_leaves = []
        counts = self._counts
        apply = self.apply
        for i, (param, grad, state) in enumerate(zip(p_leaves, g_leaves, self._states)):
            if grad is None:
                new_leaves.append(param)
                continue
            counts[i] += 1
            new = param if in_place else param.copy()
            apply(new, grad, state, counts[i])
            new_leaves.append(new)
        self.step_count += 1
        return new_leaves

    def update(self, model, grads) -> None:
        """Step a model in place: ``model.update(self.step(trainable(model), grads))``."""
        model.update(self.step(trainable(model), grads))

    def descend(self, model, closure):
        """One step of ``model`` on the objective ``closure() -> (loss, grads)``; returns both.

        For a :class:`~mlkit.optim.FlatParameters` model, ``grads`` is a list of vectors laid
        out as ``model.vectors``, which move in place: the same numbers as
        ``model.update(self.step(model.tree, model.views(grads)))``.
        """
        if isinstance(model, FlatParameters):
            if self._names is None:
                self.init(model.tree)
            if model is not self._flat:
                self._attach(model)
            loss, grads = closure()
            self._step_vectors(model.vectors, grads)
            return loss, grads
        loss, grads = closure()
        self.update(model, grads)
        return loss, grads

    def step_pieces(self, names, vectors, grads) -> bool:
        """Step the parameters ``names``, laid out back to back in ``vectors`` (one 1-D piece
        per dtype, as a :class:`~mlkit.optim.FlatParameters` lays out their tree), along the
        pieces ``grads``, in place: the numbers of :meth:`step_in_place`, with one
        :meth:`apply` per dtype. False, and nothing done, when the state is laid out for other
        parameters (before the first step, say)."""
        if self._names != names or [vector.size for vector in vectors] != self._sizes:
            return False
        self._step_vectors(vectors, grads)
        return True

    def _pack(self, members, size):
        """Put the state of parameters ``members`` (of one dtype) into one vector per key,
        their entries becoming views; returns ``{key: vector}`` (None if the states differ)."""
        states = [self._states[i] for i in members]
        first = states[0]
        for i, state in zip(members, states):
            if list(state) != list(first) or not all(
                    type(value) is np.ndarray and value.shape == self._shapes[i]
                    and value.dtype == first[key].dtype for key, value in state.items()):
                return None
        packed = {}
        for key, value in first.items():
            vector = packed[key] = np.empty(size, value.dtype)
            for i, state in zip(members, states):
                _, start, stop = self._slots[i]
                piece = vector[start:stop]
                piece[...] = state[key].reshape(-1)
                state[key] = piece.reshape(self._shapes[i])
        return packed

    def _attach(self, flat):
        """Make the state's layout that of ``flat`` (a new one carries the state over)."""
        leaves, signature = tree_signature(flat.tree)
        if signature != self._signature or [leaf.shape for leaf in leaves] != self._shapes or (
                [leaf.dtype for leaf in leaves] != self._dtypes):
            self._relayout(flat.tree)
        self._flat = flat

    def _relayout(self, params):
        """Lay the state out for ``params``, other parameters than before: each one met
        before (now or earlier) gets its state and step count back, by name; the others
        are kept aside. A known name with another shape or dtype is an error."""
        owner = type(self).__name__
        carried = dict(self._parked)
        for name, shape, dtype, count, state in zip(self._names, self._shapes, self._dtypes,
                                                    self._counts, self._states):
            carried[name] = (shape, dtype, count, state)
        for name, leaf in flatten_named(params).items():
            if name in carried and isinstance(leaf, np.ndarray) and (
                    carried[name][0] is not None and (leaf.shape, leaf.dtype) != carried[name][:2]):
                shape, dtype = carried[name][:2]
                raise ValueError(
                    f"{owner}: parameter {name or '<root>'!r} was a {dtype} array of shape "
                    f"{shape}, now a {leaf.dtype} array of shape {leaf.shape}; use a new "
                    "optimizer for a new model"
                )
        self.init(params)
        for i, name in enumerate(self._names):
            if name in carried:
                _, _, self._counts[i], state = carried.pop(name)
                for key, value in self._states[i].items():
                    value[...] = state[key]
        self._parked = {name: (shape, dtype, count, {key: value.copy() for key, value in
                                                     state.items()})
                        for name, (shape, dtype, count, state) in carried.items()}

    def _step_vectors(self, vectors, grads):
        """Step the flat ``vectors`` along ``grads`` in place: one :meth:`apply` per dtype
        group whose parameters share a step count, one per parameter otherwise."""
        grads = checked_vectors(type(self).__name__, vectors, grads)
        counts = self._counts
        for group, (vector, grad) in enumerate(zip(vectors, grads)):
            members = self._members[group]
            step = counts[members[0]] + 1
            if self._packed[group] is not None and all(counts[i] + 1 == step for i in members):
                self.apply(vector, grad, self._packed[group], step)
                for i in members:
                    counts[i] = step
                continue
            for i in members:
                _, start, stop = self._slots[i]
                param = vector[start:stop].reshape(self._shapes[i])
                counts[i] += 1
                self.apply(param, grad[start:stop].reshape(self._shapes[i]), self._states[i],
                           counts[i])
        self.step_count += 1

    def state_dict(self) -> dict:
        """The state as ``{dotted name: array}``: ``lr``, ``step`` and ``state.<param>.<key>``,
        for the parameters of the last step and those kept aside (a frozen layer's)."""
        if self._names is None and self._pending is not None:
            return {key: value.copy() for key, value in self._pending.items()}
        out = self._current_state()
        for name, (_, _, count, state) in self._parked.items():
            _put_state(out, name, count, state)
        return out

    def _current_state(self) -> dict:
        """:meth:`state_dict` without the parameters kept aside."""
        out = {
            "lr": np.array(self.lr, dtype=np.float64),
            "step": np.array(self.step_count, dtype=np.int64),
        }
        for name, count, state in zip(self._names or (), self._counts or (), self._states or ()):
            _put_state(out, name, count, state)
        return out

    def load_state_dict(self, state: dict) -> None:
        """Restore a :meth:`state_dict` exactly (before the first step, at the first step)."""
        arrays = {str(key): np.asarray(value) for key, value in dict(state).items()}
        for key in ("lr", "step"):
            if key not in arrays:
                raise KeyError(f"{type(self).__name__}.load_state_dict: missing key {key!r}")
        if self._names is None:
            self._pending = {key: value.copy() for key, value in arrays.items()}
            self.lr = float(arrays["lr"])
            self.step_count = int(arrays["step"])
        else:
            self._restore(arrays)

    def _restore(self, arrays: dict) -> None:
        expected = self._current_state()
        parked = self._parked_from({key: value for key, value in arrays.items()
                                    if key not in expected})
        arrays = validation.state_arrays(type(self).__name__, {
            key: value for key, value in arrays.items() if key in expected}, expected)
        self.lr = float(arrays["lr"])
        self.step_count = int(arrays["step"])
        self._parked = parked
        for i, (name, state) in enumerate(zip(self._names, self._states)):
            prefix = f"state.{name}." if name else "state."
            self._counts[i] = int(arrays[prefix + "step"])
            for key, value in state.items():
                value[...] = arrays[prefix + key]  # in place: the flat state keeps its views

    def _parked_from(self, arrays: dict) -> dict:
        """The saved state of parameters absent from the current tree, to keep aside as
        ``{name: (shape, dtype, count, state)}`` (shape and dtype None for a rule without
        state arrays); an error names the keys that are not such a parameter's whole state."""
        owner = type(self).__name__
        stray = sorted(key for key in arrays if not key.startswith("state."))
        if stray:
            raise KeyError(f"{owner}.load_state_dict: unexpected keys {stray}")
        groups = {}
        for key, value in arrays.items():
            name, _, entry = key[len("state."):].rpartition(".")
            groups.setdefault(name, {})[entry] = np.asarray(value)
        keys = sorted(self.init_state(np.zeros(())))
        parked = {}
        for name, group in groups.items():
            count = group.pop("step", np.zeros(0))
            first = next(iter(group.values()), None)
            if count.shape != () or sorted(group) != keys or any(
                    value.shape != first.shape for value in group.values()):
                prefix = f"state.{name}." if name else "state."
                raise KeyError(
                    f"{owner}.load_state_dict: unexpected keys "
                    f"{sorted(key for key in arrays if key.startswith(prefix))}: a parameter "
                    f"kept aside needs '{prefix}step' and its state arrays {keys}, of one "
                    "shape; load a state this optimizer saved")
            parked[name] = (None if first is None else first.shape,
                            None if first is None else first.dtype, int(count),
                            {key: value.copy() for key, value in group.items()})
        return parked

    def _checked(self, p_leaves, g_leaves):
        """Gradients cast to their parameter's dtype; errors for wrong shapes or parameters."""
        out = g_leaves
        for i, (param, grad) in enumerate(zip(p_leaves, g_leaves)):
            shape = self._shapes[i]
            dtype = self._dtypes[i]
            if not (isinstance(param, np.ndarray) and param.shape == shape
                    and param.dtype == dtype):
                got = f"{param.dtype} {param.shape}" if isinstance(param, np.ndarray) else param
                raise ValueError(
                    f"{type(self).__name__}: parameter {self._names[i] or '<root>'!r} was a "
                    f"{dtype} array of shape {shape} at the first step, now {got!r}"
                )
            if grad is None or (type(grad) is np.ndarray and grad.dtype == dtype
                                and grad.shape == shape):
                continue
            grad = np.asarray(grad)
            if grad.shape != shape:
                raise ValueError(
                    f"{type(self).__name__}: gradient of {self._names[i] or '<root>'!r} has "
                    f"shape {grad.shape}, expected the parameter's shape {shape}"
                )
            if out is g_leaves:
                out = list(g_leaves)
            out[i] = grad.astype(dtype)
        return out


def _put_state(out, name, count, state):
    """Write one parameter's step count and state arrays into ``out`` under ``state.<name>.``."""
    prefix = f"state.{name}." if name else "state."
    out[prefix + "step"] = np.array(count, dtype=np.int64)
    for key, value in state.items():
        out[prefix + key] = value.copy()


def trainable(model):
    """The parameters an optimizer moves: ``trainable_parameters()`` if the model has frozen
    ones (a :class:`mlkit.nn.Module`), else ``parameters()``."""
    return (getattr(model, "trainable_parameters", None) or model.parameters)()
