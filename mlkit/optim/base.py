"""The optimizer protocol, and its base class: a per-array update rule lifted to trees.

Every optimizer steps a model by ``opt.descend(model, closure)``, ``closure() -> (loss, grads)``
at the model's current parameters: once for a first-order one, at each point tried for a
``full_batch`` one (L-BFGS), which also reports its iterations ``n_iter`` and why it stopped,
``reason``. A subclass says how one array moves (``init_state``,
``update_leaf``); this class walks the trees, checks gradients, counts steps and saves the
state as a flat dict of arrays, comparing a cheap signature against the first step's tree.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from mlkit.optim import validation
from mlkit.optim.flat import FlatParameters, check_parameters
from mlkit.tree import flatten_named, tree_builder, tree_flatten, tree_map, tree_signature


class Optimizer(ABC):
    """Base class of the first-order optimizers.

    Parameters
    ----------
    lr : float
        Learning rate, ``>= 0``; readable and settable as ``opt.lr`` (schedules set it).

    Notes
    -----
    ``params = opt.step(params, grads)`` returns an updated copy of a tree (tuples, lists and
    dicts of floating-point arrays, nested); ``opt.update(model, grads)`` does the same for any
    object with ``parameters()`` and ``update(tree)``. A gradient leaf of ``None`` leaves its
    parameter untouched and does not advance that parameter's step count. The caller's
    arrays are never written to.
    """

    full_batch = False  # True: steps need the whole, unclipped objective (a line search)
    converged = False  # True once a step met the optimizer's own tolerances (L-BFGS)

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

    @property
    def lr(self) -> float:
        """The learning rate used by the next step."""
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = validation.real(type(self).__name__, "lr", value, low=0.0)

    def init_state(self, param: np.ndarray) -> dict:
        """The state arrays of one parameter before its first step (none by default)."""
        return {}

    @abstractmethod
    def update_leaf(self, param: np.ndarray, grad: np.ndarray, state: dict, step: int):
        """Return the updated ``param``; may update the arrays in ``state`` in place.

        ``step`` counts this parameter's updates, starting at 1.
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
        if self._pending is not None:
            try:
                self._restore(self._pending)
            except (KeyError, ValueError):
                self._names = None
                raise
            self._pending = None

    def step(self, params, grads):
        """Return ``params`` moved one step along ``grads`` (a tree of the same structure)."""
        if self._names is None:
            self.init(params)
        p_leaves, signature = tree_signature(params)
        if signature != self._signature:
            p_leaves = self._align(params, "params tree changed since the first step")
        g_leaves, signature = tree_signature(grads)
        if signature != self._signature:
            g_leaves = self._align(grads, "grads tree does not match params tree")
        g_leaves = self._checked(p_leaves, g_leaves)
        new_leaves = []
        counts = self._counts
        update = self.update_leaf
        for i, (param, grad, state) in enumerate(zip(p_leaves, g_leaves, self._states)):
            if grad is None:
                new_leaves.append(param)
                continue
            counts[i] += 1
            new = update(param, grad, state, counts[i])
            new_leaves.append(new if type(new) is np.ndarray else np.asarray(new))
        self.step_count += 1
        return self._build(new_leaves)

    def update(self, model, grads) -> None:
        """Step a model in place: ``model.update(self.step(trainable(model), grads))``."""
        model.update(self.step(trainable(model), grads))

    def descend(self, model, closure):
        """One step of ``model`` on the objective ``closure() -> (loss, grads)``; returns both."""
        loss, grads = closure()
        if isinstance(model, FlatParameters):
            model.update(self.step(model.tree, model.views(grads)))
        else:
            self.update(model, grads)
        return loss, grads

    def state_dict(self) -> dict:
        """The state as ``{dotted name: array}``: ``lr``, ``step`` and ``state.<param>.<key>``."""
        if self._names is None and self._pending is not None:
            return {key: value.copy() for key, value in self._pending.items()}
        out = {
            "lr": np.array(self.lr, dtype=np.float64),
            "step": np.array(self.step_count, dtype=np.int64),
        }
        if self._names is None:
            return out
        for name, count, state in zip(self._names, self._counts, self._states):
            prefix = f"state.{name}." if name else "state."
            out[prefix + "step"] = np.array(count, dtype=np.int64)
            for key, value in state.items():
                out[prefix + key] = value.copy()
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
        arrays = validation.state_arrays(type(self).__name__, arrays, self.state_dict())
        self.lr = float(arrays["lr"])
        self.step_count = int(arrays["step"])
        for i, (name, state) in enumerate(zip(self._names, self._states)):
            prefix = f"state.{name}." if name else "state."
            self._counts[i] = int(arrays[prefix + "step"])
            for key, value in state.items():
                state[key] = arrays[prefix + key].astype(value.dtype, copy=True)

    def _align(self, tree, message):
        """Leaves of ``tree`` in the recorded order (dict order may differ), or a clear error."""
        try:
            aligned = tree_map(lambda _, leaf: leaf, self._structure, tree)
        except ValueError as error:
            raise ValueError(f"{type(self).__name__}: {message}: {error}") from None
        leaves, signature = tree_signature(aligned)
        if signature != self._signature:
            raise ValueError(f"{type(self).__name__}: {message}")
        return leaves

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


def trainable(model):
    """The parameters an optimizer moves: ``trainable_parameters()`` if the model has frozen
    ones (a :class:`mlkit.nn.Module`), else ``parameters()``."""
    return (getattr(model, "trainable_parameters", None) or model.parameters)()
