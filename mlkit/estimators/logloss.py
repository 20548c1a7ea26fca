"""LogisticRegression's objective, its fused training form, and log-probabilities.

``objective`` is the definition: a primitive for the scores (the caller's ``X`` used as
given), then the log-loss in mlkit functions, so the exact Hessian comes from the engine.
``fused_objective`` is what training differentiates: the same value with the gradient from
one cache-blocked pass over ``X`` (:mod:`mlkit.estimators.logkernel`), and the engine's
derivatives of ``objective`` beyond the first.
"""

from __future__ import annotations

import numpy

import mlkit.numpy as np
from mlkit import defvjp, nn, primitive, with_fused_gradient
from mlkit.estimators.logkernel import objective_and_gradient
from mlkit.extend import def_linear
from mlkit.metrics import accuracy
from mlkit.scipy.special import log_expit, log_softmax

__all__ = ["Coefficients", "evaluator", "fused_objective", "log_proba", "objective"]


class Coefficients(nn.Module):
    """The coefficients of a linear model, the intercept as the last row when there is one."""

    def __init__(self, coef):
        super().__init__()
        self.coef = coef


@primitive
def _scores(X, coef, fit_intercept):
    """``X @ coef[:d] + coef[d]`` (the intercept as the last row of ``coef``), or ``X @ coef``.

    One primitive, so that the caller's ``X`` is used as given: no ``[X, 1]`` design is copied
    (on a 200,000 x 100 problem that copy alone costs as much as several iterations).
    """
    if not fit_intercept:
        return X @ coef
    d = X.shape[1]
    return X @ coef[:d] + coef[d]


def _scores_vjp(ans, X, coef, fit_intercept):
    if not fit_intercept:
        return lambda g: X.T @ g
    return lambda g: np.concatenate([X.T @ g,
                                     np.sum(g, axis=0, keepdims=True)])


defvjp(_scores, None, _scores_vjp)
def_linear(_scores, argnums=(1,))


def objective(coef, X, Y, weight, penalty, fit_intercept):
    """The training objective: weighted mean log-loss plus ``coef' diag(penalty) coef``.

    ``coef`` holds the intercept as its last row when there is one. Binary problems pass ``Y``
    as signs (+1 / -1 per row) and a coefficient vector; multinomial ones one-hot ``Y`` and a
    coefficient column per class. ``weight`` sums to one; ``penalty`` is ``1 / (2 C S)`` on
    coefficient rows (S the total sample weight) and 0 on the intercept row, or None.
    """
    scores = _scores(X, coef, fit_intercept)
    if coef.ndim == 1:
        value = np.dot(weight, -log_expit(-(Y * scores)))  # softplus of the signed scores
        return value if penalty is None else value + np.dot(coef, penalty * coef)
    value = nn.cross_entropy(scores, Y, weight=weight, reduction="sum")
    return value if penalty is None else value + np.vdot(coef, penalty[:, None] * coef)


fused_objective = with_fused_gradient(objective, objective_and_gradient)


def log_proba(scores):
    """Log class probabilities from scores: (n,) binary logits or (n, k) multinomial ones."""
    if scores.ndim == 1:
        return numpy.stack([log_expit(-scores), log_expit(scores)], axis=1)
    return log_softmax(scores, axis=1)


def evaluator(X_val, y_val, fit_intercept):
    """Validation numbers from the current coefficients: log-loss and accuracy."""
    def evaluate(model, _A, _y):
        coef = model.coef if model.coef.ndim == 2 else model.coef[:, None]
        scores = X_val @ coef[:X_val.shape[1]]
        if fit_intercept:
            scores = scores + coef[-1]
        log_probs = log_proba(scores if coef.shape[1] > 1 else scores[:, 0])
        loss = -float(numpy.mean(log_probs[numpy.arange(len(y_val)), y_val]))
        return {"loss": loss, "score": accuracy(y_val, numpy.argmax(log_probs, axis=1))}
    return evaluate
