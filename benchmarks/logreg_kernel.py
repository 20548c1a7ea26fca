"""The speed reference for LogisticRegression's engine path: a hand-written binary log-loss
value and gradient in one cache-blocked pass over ``X``, minimized by mlkit's own L-BFGS with
the estimator's settings (no input validation).

Differentiating the objective reads ``X`` twice per evaluation (``X @ w`` going forward,
``X.T @ g`` coming back). Here each block of rows stays in the CPU cache between the two
products, so ``X`` streams from memory once: on a large problem that is the fastest an
evaluation can be. The estimator gets the same effect from the engine's derivative through
``mlkit.train.RowBlocks`` (one jitted program per block shape) and is measured against this.
"""

import numpy

from mlkit.optim import LBFGS

BLOCK_BYTES = 1 << 20  # about 1 MiB of X per block of rows: well inside a core's L2 cache


def value_and_gradient(theta, X, signs, weight, penalty):
    """``sum_i w_i log(1 + exp(-s_i z_i)) + theta' diag(penalty) theta`` with
    ``z = X theta[:d] + theta[d]``, and its gradient."""
    d = X.shape[1]
    gradient = penalty * theta
    value = float(theta @ gradient)
    gradient *= 2.0
    rows = max(64, BLOCK_BYTES // (X.itemsize * d))
    for start in range(0, len(X), rows):
        block = slice(start, start + rows)
        value += _block(theta, X[block], signs[block], weight[block], gradient, d)
    return value, gradient


def _block(theta, X, signs, weight, gradient, d):
    """Add one block's gradient to ``gradient``; return its value."""
    a = X @ theta[:d]
    a += theta[d]
    a *= signs
    numpy.negative(a, out=a)  # the loss is softplus(a)
    loss = numpy.abs(a)
    tail = numpy.negative(loss)
    numpy.exp(tail, out=tail)
    numpy.log1p(tail, out=tail)  # log(1 + exp(-|a|))
    loss += a
    loss *= 0.5  # max(a, 0)
    loss += tail  # softplus(a), without overflow
    value = float(weight @ loss)
    numpy.negative(loss, out=loss)
    numpy.expm1(loss, out=loss)  # -sigmoid(a), accurate when small
    loss *= weight
    loss *= signs  # the derivative of the block's loss in z
    gradient[:d] += X.T @ loss
    gradient[d] += loss.sum()
    return value


def kernel_fit(X, y):
    """``run(tol) -> (w, b, iterations)``: C=1, as ``LogisticRegression(solver="lbfgs")``."""
    n, d = X.shape
    signs = 2.0 * y - 1.0
    weight = numpy.full(n, 1.0 / n)
    penalty = numpy.full(d + 1, 0.5 / n)
    penalty[d] = 0.0

    def objective(params):
        value, gradient = value_and_gradient(params["coef"], X, signs, weight, penalty)
        return value, {"coef": gradient}

    def run(tol):
        optimizer = LBFGS(lr=1.0, max_iter=10_000, max_eval=200_000, tolerance_grad=tol,
                          tolerance_change=1e-14, history_size=10,
                          line_search_fn="strong_wolfe", first_step="l2")
        params, _ = optimizer.minimize(objective, {"coef": numpy.zeros(d + 1)})
        return params["coef"][:d], params["coef"][d], optimizer.n_iter
    return run
