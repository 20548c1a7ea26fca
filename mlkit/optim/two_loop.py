"""The L-BFGS two-loop recursion, and the curvature pairs it reads kept without per-iteration
arrays."""

from __future__ import annotations

import numpy as np


class CurvaturePairs:
    """The newest ``capacity`` curvature pairs ``(s_i, y_i)``, oldest first, as the rows of
    ``steps`` and ``changes`` with their ``rhos`` (``1 / y_i.s_i``).

    The rows live in two buffers of twice the capacity: a new pair is written into the free
    row after the kept ones (:meth:`free_rows`, then :meth:`keep`), and the kept rows move back
    to the start once every ``capacity`` pairs, so an iteration allocates no history arrays.
    ``steps`` and ``changes`` are contiguous views, oldest pair first.
    """

    def __init__(self, capacity, size, dtype, steps=None, changes=None, rhos=()):
        count = len(rhos)
        self.capacity = capacity
        self._s = np.empty((2 * max(capacity, count), size), dtype)
        self._y = np.empty_like(self._s)
        if count:
            self._s[:count] = steps
            self._y[:count] = changes
        self._start, self._stop = 0, count
        self.rhos = [float(rho) for rho in rhos]
        self._views()

    def _views(self):
        self.steps = self._s[self._start:self._stop]
        self.changes = self._y[self._start:self._stop]

    def free_rows(self):
        """The rows ``(s, y)`` the next pair is written into (kept only after :meth:`keep`)."""
        if self._stop == len(self._s):
            count = self._stop - self._start
            self._s[:count] = self._s[self._start:self._stop]
            self._y[:count] = self._y[self._start:self._stop]
            self._start, self._stop = 0, count
            self._views()
        return self._s[self._stop], self._y[self._stop]

    def keep(self, ys):
        """Keep the pair written into :meth:`free_rows` (``ys = y.s``), dropping the oldest
        ones beyond ``capacity``."""
        drop = max(0, len(self.rhos) + 1 - self.capacity)
        self._start += drop
        self._stop += 1
        self.rhos = self.rhos[drop:] + [1.0 / ys]
        self._views()


def two_loop_direction(grad, steps, changes, rhos, scale):
    """The L-BFGS direction ``-H g`` of the two-loop recursion (Nocedal and Wright, alg. 7.4).

    ``steps`` and ``changes`` hold the pairs ``s_i``, ``y_i`` as rows (oldest first), ``rhos``
    their ``1 / y_i.s_i`` and ``scale`` the initial inverse Hessian ``H0 = scale * I``. The
    inner products the loops need all come from ``S g``, ``S Y'`` and ``Y r``, so the work is
    a few matrix-vector products plus arithmetic on ``k x k`` numbers (``ndarray.dot``, which
    calls BLAS as ``@`` does with less overhead per call on these short vectors).
    """
    count = len(rhos)
    if count == 0:
        return -scale * grad
    cross = steps.dot(changes.T).tolist()  # cross[i][j] = s_i . y_j
    s_grad = steps.dot(grad).tolist()
    alphas = [0.0] * count
    for i in range(count - 1, -1, -1):  # alpha_i = rho_i s_i . q, q = -g - sum_{j>i} alpha_j y_j
        row = cross[i]
        total = -s_grad[i]
        for j in range(i + 1, count):
            total -= alphas[j] * row[j]
        alphas[i] = rhos[i] * total
    r = np.array(alphas, grad.dtype).dot(changes)
    r += grad
    r *= -scale
    y_r = changes.dot(r).tolist()
    weights = [0.0] * count  # r gains weights[i] * s_i, with weights[i] = alpha_i - beta_i
    for i in range(count):
        total = y_r[i]
        for j in range(i):
            total += weights[j] * cross[j][i]
        weights[i] = alphas[i] - rhos[i] * total
    r += np.array(weights, grad.dtype).dot(steps)
    return r
