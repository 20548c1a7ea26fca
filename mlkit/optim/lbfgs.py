"""L-BFGS for full-batch problems, on one flat vector for low per-iteration overhead."""

from __future__ import annotations

from typing import Literal

import numpy as np

from mlkit.optim import validation
from mlkit.optim.base import trainable
from mlkit.optim.flat import FlatParameters, FlatView, checked_vectors
from mlkit.optim.line_search import Trial, strong_wolfe
from mlkit.optim.stall import NO_DECREASE, no_decrease
from mlkit.optim.two_loop import CurvaturePairs, two_loop_direction
from mlkit.options import NonNegativeFloat, PositiveFloat, PositiveInt, check, checked


@checked
class LBFGS(validation.BuiltFromOptions):
    r"""Limited-memory BFGS: quasi-Newton steps from the last ``history_size`` curvature pairs.

    Iteration :math:`k` with gradient :math:`g_k` does

    .. math::

        d_k &= -H_k g_k, \qquad x_{k+1} = x_k + t_k d_k, \\
        s_k &= t_k d_k, \quad y_k = g_{k+1} - g_k \quad
            (\text{kept when } y_k^\top s_k > 10^{-10})

    where :math:`H_k g_k` comes from the two-loop recursion over the stored pairs with the
    initial scaling :math:`H^0 = (s^\top y / y^\top y) I` of the newest pair. The first
    iteration steps along :math:`-g_0` with :math:`t = \min(1, 1/\lVert g_0\rVert_1)\,
    \text{lr}` by default (PyTorch's rule), or with :math:`t = \text{lr} / \lVert g_0
    \rVert_2` for ``first_step="l2"``, a first move of length ``lr`` whatever the gradient's
    scale (scipy's rule, which suits problems with many parameters); later iterations try
    :math:`t = \text{lr}`, refined by a strong Wolfe line search when
    ``line_search_fn="strong_wolfe"``. Without it the iterates are PyTorch's; the line search
    is Nocedal and Wright's (:mod:`mlkit.optim.line_search`), not a port of PyTorch's, so once
    it extrapolates or zooms it may accept another point than PyTorch's does.

    Parameters
    ----------
    lr : float
        Step length tried (or taken, without a line search), ``> 0``.
    max_iter : int
        Iterations per :meth:`step` (and in :meth:`minimize`), ``>= 1``.
    max_eval : int or None
        Function evaluations per step, ``>= 1``; default ``max_iter * 5 // 4``.
    tolerance_grad : float
        Stop when the largest gradient entry is at most this, ``>= 0``.
    tolerance_change : float
        Stop when the step or the change in loss is below this, ``>= 0``.
    history_size : int
        Number of curvature pairs kept, ``>= 1``.
    line_search_fn : {None, "strong_wolfe"}
        Fixed steps of ``lr``, or a strong Wolfe line search (by the slope alone, Hager and
        Zhang's approximate Wolfe conditions, where the loss is flat to rounding).
    first_step : {"l1", "l2"}
        How the first step is scaled: PyTorch's capped L1 rule (default) or a first move of
        length ``lr`` (``"l2"``, as scipy).

    Attributes
    ----------
    n_iter, n_evals : int
        Iterations and function evaluations so far (reset by :meth:`minimize`).
    reason : str
        Why the last step or minimisation stopped; see :attr:`converged` and :attr:`stalled`.
    """

    full_batch = True
    CONVERGED = ("gradient below tolerance_grad", "directional derivative above -tolerance_change",
                 "step below tolerance_change", "loss change below tolerance_change")
    """The stop reasons that mean the tolerances were met (not a budget running out)."""

    def __init__(self, lr: PositiveFloat = 1.0, max_iter: PositiveInt = 20,
                 max_eval: PositiveInt | None = None, tolerance_grad: NonNegativeFloat = 1e-7,
                 tolerance_change: NonNegativeFloat = 1e-9, history_size: PositiveInt = 100,
                 line_search_fn: Literal["strong_wolfe"] | None = None,
                 first_step: Literal["l1", "l2"] = "l1"):
        self.lr = lr
        self.initial_lr = self.lr
        self.max_iter, self.max_eval = max_iter, max_eval or max_iter * 5 // 4
        self.tolerance_grad, self.tolerance_change = tolerance_grad, tolerance_change
        self.history_size, self.line_search_fn = history_size, line_search_fn
        self.first_step = first_step
        self._view = None
        self._reset()

    @property
    def lr(self) -> float:
        """The step length tried first at each iteration."""
        return self._lr

    @lr.setter
    def lr(self, value):
        """``>= 0``, as :attr:`Optimizer.lr` (a schedule may end at 0); the constructor: > 0."""
        self._lr = check("LBFGS: lr", NonNegativeFloat, value)

    def _reset(self):
        self.n_iter = self.n_evals = 0
        self.reason = "not started"
        self._direction = self._prev_grad = self._pairs = None
        self._t = 0.0
        self._prev_loss = 0.0
        self._h_diag = 1.0
        self._taken_by_slope = False  # the last step: accepted by its slope, the loss flat

    def minimize(self, value_and_grad_fn, params):
        """Minimise from ``params`` for up to ``max_iter`` iterations; fresh history.

        ``value_and_grad_fn(params) -> (loss, grads)`` with ``grads`` shaped like ``params``.
        Returns the final parameters (new arrays) and the loss there.
        """
        self._reset()
        view = self._view_of(params)
        fn = _on_tree(value_and_grad_fn, view)
        x = view.vector(params)
        loss, grad = self._evaluate(fn, x)
        x, loss, grad, evaluated = self._iterate(fn, x, loss, grad)
        if not evaluated:
            loss, grad = self._evaluate(fn, x)
        return view.tree(x), loss

    @property
    def converged(self) -> bool:
        """Whether the last step stopped because a tolerance was met."""
        return self.reason in self.CONVERGED

    @property
    def stalled(self) -> bool:
        """Whether the last step ended in a line search with no decrease (see ``stall``)."""
        return self.reason.startswith(NO_DECREASE)

    def step(self, params, value_and_grad_fn):
        """One outer step of up to ``max_iter`` iterations, continuing the kept history.

        Returns the new parameters and the loss at the *given* ``params`` (the first value
        computed), as repeated calls in a loop expect.
        """
        return self._advance(params, value_and_grad_fn)[:2]

    def _advance(self, params, value_and_grad_fn):
        """:meth:`step`, plus the loss and gradient at the new parameters (None when the
        last move was not evaluated)."""
        view = self._view_of(params)
        fn = _on_tree(value_and_grad_fn, view)
        x = view.vector(params)
        loss, grad = self._evaluate(fn, x)
        x, end_loss, end_grad, evaluated = self._iterate(fn, x, loss, grad)
        end = (end_loss, view.tree(end_grad)) if evaluated else None
        return view.tree(x), loss, end

    def descend(self, model, closure):
        """One :meth:`step` of ``model``, calling ``closure()`` at each point tried; returns
        the loss and gradient at the new parameters (the epoch's result).

        A :class:`~mlkit.optim.FlatParameters` model is stepped on its vectors directly: each
        point tried is written into ``model.vectors``, ``closure()`` returns the loss and the
        gradient vectors laid out as ``model.vectors``, and so does this method.
        """
        if isinstance(model, FlatParameters):
            return self._descend_flat(model, closure)
        last = []

        def at(params):
            model.update(params)
            last[:] = closure()
            return last

        params, _, end = self._advance(trainable(model), at)
        if end is None:  # the last move was taken without evaluating where it landed
            return at(params)
        model.update(params)
        return end

    def _descend_flat(self, flat, closure):
        """:meth:`descend` on the vectors of ``flat`` (joined in one vector of the widest
        dtype when there are several), with no tree in between."""
        self._check_history(flat.size)
        if len(flat.vectors) == 1:
            return self._descend_vector(flat.vectors[0], closure)
        dtype = np.result_type(*flat.dtypes) if flat.dtypes else np.dtype(np.float64)
        bounds = np.cumsum([0] + [vector.size for vector in flat.vectors]).tolist()

        def fn(point):
            for vector, start, stop in zip(flat.vectors, bounds, bounds[1:]):
                vector[...] = point[start:stop]
            loss, grads = closure()
            grads = checked_vectors("LBFGS", flat.vectors, grads)
            return loss, np.concatenate([grad.astype(dtype, copy=False) for grad in grads]
                                        or [np.zeros(0, dtype)])

        x = np.concatenate(flat.vectors).astype(dtype, copy=False) if flat.vectors else (
            np.zeros(0, dtype))
        x, loss, grad = self._run_from(fn, x)
        for vector, start, stop in zip(flat.vectors, bounds, bounds[1:]):
            vector[...] = x[start:stop]
        return loss, [grad[start:stop].astype(vector.dtype, copy=False)
                      for vector, start, stop in zip(flat.vectors, bounds, bounds[1:])]

    def _descend_vector(self, vector, closure):
        """:meth:`_descend_flat` of parameters in one vector (one dtype): the points tried are
        written into ``vector`` itself, with no joining or splitting."""
        owned = [vector]

        def fn(point):
            vector[...] = point
            loss, grads = closure()
            grad = grads[0] if len(grads) == 1 else None
            if type(grad) is not np.ndarray or grad.dtype != vector.dtype or (
                    grad.shape != vector.shape):
                grad = checked_vectors("LBFGS", owned, grads)[0]
            return loss, grad.copy()  # a copy: the closure may hand out the same array each time

        x, loss, grad = self._run_from(fn, vector.copy())
        vector[...] = x
        return loss, [grad]

    def _run_from(self, fn, x):
        """One ``step``'s iterations from ``x``, ``fn(point) -> (loss, gradient)``; returns
        where they ended, with the loss and gradient there."""
        loss, grad = self._evaluate(fn, x)
        x, loss, grad, evaluated = self._iterate(fn, x, loss, grad)
        if not evaluated:  # the last move was taken without evaluating where it landed
            loss, grad = fn(x)  # the epoch's result, not one of the step's evaluations
            loss = float(loss)
        return x, loss, grad

    def _view_of(self, params):
        if self._view is None or not self._view.matches(params):
            self._view = FlatView(params, "LBFGS")
        self._check_history(self._view.size)
        return self._view

    def _check_history(self, size):
        if self._prev_grad is not None and self._prev_grad.size != size:
            raise ValueError(
                f"LBFGS: the kept history is for {self._prev_grad.size} parameter entries but "
                f"params have {size}; use minimize() or load a matching state")

    def _evaluate(self, fn, x):
        loss, grad = fn(x)
        self.n_evals += 1
        return float(loss), grad

    def _iterate(self, fn, x, loss, grad):
        """The inner loop; returns ``x``, its loss and gradient, and whether they are current."""
        evals = 1
        if _largest(grad) <= self.tolerance_grad:
            self.reason = "gradient below tolerance_grad"
            return x, loss, grad, True
        evaluated = True
        for inner in range(1, self.max_iter + 1):
            self.n_iter += 1
            direction = self._direction_from(grad)
            self._prev_grad = grad
            self._prev_loss = loss
            if self.n_iter == 1:
                if self.first_step == "l1":
                    t = min(1.0, 1.0 / float(np.abs(grad).sum())) * self.lr
                else:
                    t = self.lr / float(np.sqrt(grad @ grad))
            else:
                t = self.lr
            self._direction, self._t = direction, t
            slope = float(grad.dot(direction))
            longest = _largest(direction)
            if slope > -self.tolerance_change:
                self.reason = "directional derivative above -tolerance_change"
                break
            if self.line_search_fn == "strong_wolfe":
                x, loss, grad, t, used = self._search(fn, x, loss, grad, direction, t, slope,
                                                      longest)
            else:
                x = x + t * direction
                used = 0
                if inner != self.max_iter:
                    loss, grad = self._evaluate(fn, x)
                    used = 1
                evaluated = used == 1
            self._t = t
            evals += used
            if inner == self.max_iter:
                self.reason = "max_iter reached"
                break
            if evals >= self.max_eval:
                self.reason = "max_eval reached"
                break
            if _largest(grad) <= self.tolerance_grad:
                self.reason = "gradient below tolerance_grad"
                break
            if longest * abs(t) <= self.tolerance_change:  # t == 0: the search stayed put
                self.reason = ("step below tolerance_change" if t else no_decrease(
                    _largest(grad), grad.dtype, self.tolerance_grad, loss, fn(x)[0]))
                break
            if abs(loss - self._prev_loss) < self.tolerance_change and not self._taken_by_slope:
                self.reason = "loss change below tolerance_change"
                break
        return x, loss, grad, evaluated

    def _direction_from(self, grad):
        """The quasi-Newton direction ``-H g``, after storing the newest curvature pair."""
        if self.n_iter == 1:
            self._pairs = CurvaturePairs(self.history_size, grad.size, grad.dtype)
            self._h_diag = 1.0
            return -grad
        pairs = self._pairs
        s, y = pairs.free_rows()
        np.subtract(grad, self._prev_grad, out=y)
        np.multiply(self._direction, self._t, out=s)
        ys = float(y.dot(s))
        if ys > 1e-10:
            pairs.keep(ys)
            self._h_diag = ys / float(y.dot(y))
        return two_loop_direction(grad, pairs.steps, pairs.changes, pairs.rhos, self._h_diag)

    def _search(self, fn, x, loss, grad, direction, t, slope, longest):
        """Strong Wolfe search along ``direction`` (``longest`` its largest entry); returns the
        accepted point and the number of evaluations."""

        def phi(step):
            point = x + step * direction
            value, gradient = self._evaluate(fn, point)
            return value, float(gradient.dot(direction)), (point, gradient)

        start = Trial(0.0, loss, slope, (x, grad))
        t_tolerance = self.tolerance_change / longest
        accepted, used, self._taken_by_slope = strong_wolfe(
            phi, start, t, t_tolerance=t_tolerance, rounding=float(np.finfo(grad.dtype).eps))
        point, gradient = accepted.payload
        return point, accepted.value, gradient, accepted.t, used

    def state_dict(self) -> dict:
        """The state as ``{name: array}``: history, last direction and step, counters, ``lr``."""
        size = 0 if self._direction is None else self._direction.size
        dtype = np.float64 if self._direction is None else self._direction.dtype
        pairs = self._pairs
        vectors = {
            "d": self._direction,
            "prev_flat_grad": self._prev_grad,
            "old_dirs": None if pairs is None else pairs.changes,
            "old_stps": None if pairs is None else pairs.steps,
        }
        state = {
            "lr": np.array(self.lr, dtype=np.float64),
            "n_iter": np.array(self.n_iter, dtype=np.int64),
            "n_evals": np.array(self.n_evals, dtype=np.int64),
            "t": np.array(self._t, dtype=np.float64),
            "h_diag": np.array(self._h_diag, dtype=np.float64),
            "prev_loss": np.array(self._prev_loss, dtype=np.float64),
            "ro": np.array([] if pairs is None else pairs.rhos, dtype=np.float64),
        }
        for key, value in vectors.items():
            shape = (0, size) if key.startswith("old") else (0,)
            state[key] = np.zeros(shape, dtype) if value is None or len(value) == 0 else (
                np.array(value, dtype=dtype)
            )
        return state

    def load_state_dict(self, state: dict) -> None:
        """Restore a :meth:`state_dict` exactly, so a resumed run repeats the original."""
        given = dict(state)
        size = np.asarray(given["d"]).size if "d" in given else 0
        pairs = np.asarray(given["ro"]).shape[:1] if "ro" in given else (0,)
        expected = {key: np.zeros(()) for key in ("lr", "n_iter", "n_evals", "t", "h_diag",
                                                   "prev_loss")}
        expected.update(
            d=np.zeros(size),
            prev_flat_grad=np.zeros(size),
            ro=np.zeros(pairs),
            old_dirs=np.zeros(pairs + (size,)),
            old_stps=np.zeros(pairs + (size,)),
        )
        arrays = validation.state_arrays("LBFGS", given, expected)
        self.lr = float(arrays["lr"])
        self.n_iter = int(arrays["n_iter"])
        self.n_evals = int(arrays["n_evals"])
        self._t = float(arrays["t"])
        self._h_diag = float(arrays["h_diag"])
        self._prev_loss = float(arrays["prev_loss"])
        self._direction = arrays["d"].copy() if size else None
        self._prev_grad = arrays["prev_flat_grad"].copy() if size else None
        self._pairs = CurvaturePairs(
            self.history_size, size, arrays["d"].dtype, arrays["old_stps"], arrays["old_dirs"],
            arrays["ro"]) if size else None


def _on_tree(value_and_grad_fn, view):
    """The objective on flat vectors of a tree function ``(params) -> (loss, grads)``."""

    def fn(x):
        loss, grads = value_and_grad_fn(view.tree(x))
        return loss, view.vector(grads, gradient=True)

    return fn


def _largest(vector):
    """The largest magnitude in ``vector`` (0 for an empty one)."""
    return float(np.maximum.reduce(np.abs(vector))) if vector.size else 0.0
