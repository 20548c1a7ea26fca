"""The log-loss objective and its gradient in one pass over the rows, block by block.

Traced, the objective reads the design matrix twice per evaluation: ``X @ coef`` going
forward and ``X.T @ g`` coming back. Here each block of rows is small enough to stay in the
CPU cache between the two products, so ``X`` streams from memory once, and the elementwise
work runs on small reused buffers. :func:`mlkit.operators.with_fused_gradient` makes this
the gradient of :func:`mlkit.estimators.logloss.objective`, whose engine derivatives still
give the Hessian; the tests hold the two to agreement.
"""

from __future__ import annotations

import numpy

from mlkit.scipy.special import shifted_exp

__all__ = ["objective_and_gradient"]

BLOCK_BYTES = 1 << 20  # about 1 MiB of X per block of rows: well inside a core's L2 cache


def objective_and_gradient(coef, X, Y, weight, penalty, fit_intercept):
    """``(objective, gradient)`` of the objective in ``logloss.objective``, same arguments."""
    binary = coef.ndim == 1
    d = X.shape[1]
    value = 0.0
    if penalty is None:
        gradient = numpy.zeros_like(coef)
    else:
        gradient = penalty * coef if binary else penalty[:, None] * coef
        value += float(numpy.vdot(coef, gradient))
        gradient *= 2.0
    rows = max(64, BLOCK_BYTES // (X.itemsize * max(d, 1)))
    step = _binary_block if binary else _multinomial_block
    if rows >= len(X):  # one block: no slicing
        return value + step(coef, X, Y, weight, fit_intercept, gradient, d), gradient
    for start in range(0, len(X), rows):
        block = slice(start, start + rows)
        value += step(coef, X[block], Y[block], weight[block], fit_intercept, gradient, d)
    return value, gradient


def _binary_block(coef, X, signs, weight, fit_intercept, gradient, d):
    """Add one block's ``sum_i w_i softplus(s_i z_i)`` gradient; return its value."""
    a = X @ coef[:d]
    if fit_intercept:
        a += coef[d]
    a *= signs
    loss = numpy.abs(a)
    tail = numpy.negative(loss)
    numpy.exp(tail, out=tail)
    numpy.log1p(tail, out=tail)  # log(1 + exp(-|a|))
    loss += a
    loss *= 0.5  # max(a, 0)
    loss += tail  # softplus(a), without overflow
    value = float(weight @ loss)
    numpy.negative(loss, out=loss)
    numpy.expm1(loss, out=loss)  # -sigmoid(a) = expm1(-softplus(a)), accurate when small
    loss *= weight
    loss *= signs  # minus the derivative of the block's loss in z
    gradient[:d] -= X.T @ loss
    if fit_intercept:
        gradient[d] -= loss.sum()
    return value


def _multinomial_block(coef, X, Y, weight, fit_intercept, gradient, d):
    """Add one block's weighted softmax cross-entropy gradient; return its value."""
    scores = X @ coef[:d]
    if fit_intercept:
        scores += coef[d]
    scores, probabilities, total = shifted_exp(scores, axis=1, overwrite=True)
    losses = numpy.log(total[:, 0])
    losses -= numpy.einsum("ij,ij->i", Y, scores)  # log-sum-exp minus the true class score
    value = float(weight @ losses)
    probabilities /= total
    probabilities -= Y
    probabilities *= weight[:, None]
    gradient[:d] += X.T @ probabilities
    if fit_intercept:
        gradient[d] += probabilities.sum(axis=0)
    return value
