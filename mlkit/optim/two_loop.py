"""The L-BFGS two-loop recursion: the quasi-Newton direction from stored curvature pairs."""

from __future__ import annotations

import numpy as np


def two_loop_direction(grad, steps, changes, rhos, scale):
    """The L-BFGS direction ``-H g`` of the two-loop recursion (Nocedal and Wright, alg. 7.4).

    ``steps`` and ``changes`` hold the pairs ``s_i``, ``y_i`` as rows (oldest first), ``rhos``
    their ``1 / y_i.s_i`` and ``scale`` the initial inverse Hessian ``H0 = scale * I``. The
    inner products the loops need all come from ``S g``, ``S Y'`` and ``Y r``, so the work is
    a few matrix-vector products plus arithmetic on ``k x k`` numbers.
    """
    count = len(rhos)
    if count == 0:
        return -scale * grad
    cross = (steps @ changes.T).tolist()  # cross[i][j] = s_i . y_j
    s_grad = (steps @ grad).tolist()
    alphas = [0.0] * count
    for i in reversed(range(count)):  # alpha_i = rho_i s_i . q, q = -g - sum_{j>i} alpha_j y_j
        row = cross[i]
        total = -s_grad[i]
        for j in range(i + 1, count):
            total -= alphas[j] * row[j]
        alphas[i] = rhos[i] * total
    r = np.dot(np.asarray(alphas, grad.dtype), changes)
    r += grad
    r *= -scale
    y_r = (changes @ r).tolist()
    weights = [0.0] * count  # r gains weights[i] * s_i, with weights[i] = alpha_i - beta_i
    for i in range(count):
        total = y_r[i]
        for j in range(i):
            total += weights[j] * cross[j][i]
        weights[i] = alphas[i] - rhos[i] * total
    r += np.dot(np.asarray(weights, grad.dtype), steps)
    return r
