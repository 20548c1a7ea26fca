"""LogisticRegression's objective, the training losses built on it, and log-probabilities.

``objective`` is the definition: a primitive for the scores (the caller's ``X`` used as
given), then the log-loss in mlkit functions (the package's one sigmoid and softmax), so
training takes its gradient, and the standard errors their exact Hessian, from the engine.
The training losses are module-level functions of a :class:`Coefficients` model, which holds
every per-fit number as an array, so one jitted program serves every later fit of the same
shapes.
"""

from __future__ import annotations

import numpy

import mlkit.numpy as np
from mlkit import defvjp, nn, primitive
from mlkit.extend import def_linear
from mlkit.metrics import accuracy
from mlkit.scipy.special import log_expit, log_softmax

__all__ = ["Coefficients", "batch_loss", "evaluator", "full_loss", "log_proba", "objective",
           "unpenalized_loss"]


class Coefficients(nn.Module):
    """The coefficients of a linear model, the intercept as the last row when there is one,
    and the frozen per-row ``penalty`` of :func:`objective` (or None)."""

    def __init__(self, coef, penalty=None):
        super().__init__()
        self.coef = coef
        self.penalty = penalty
        if penalty is not None:
            self.freeze(["penalty"])

    def jit_key(self):
        """Nothing but the arrays and their shapes enters the losses: programs are shared."""
        return ()


def full_loss(model, X, Y, weight):
    """:func:`objective` of the model on rows whose ``weight`` sums to one (a whole-data
    step); the intercept is there when ``coef`` has a row more than ``X`` has columns."""
    coef = model.coef
    return objective(coef, X, Y, weight, model.penalty, coef.shape[0] > X.shape[1])


def unpenalized_loss(model, X, Y, weight):
    """:func:`full_loss` without the penalty: a weighted sum over the rows, so a sum of it over
    blocks of rows, plus the penalty once, is :func:`full_loss` (``mlkit.train.RowBlocks``)."""
    coef = model.coef
    return objective(coef, X, Y, weight, None, coef.shape[0] > X.shape[1])


def batch_loss(model, X, Y, weight):
    """:func:`full_loss` of a mini-batch, its weights rescaled to sum to one (a batch of
    zero weights stays zero: the sum is floored at the dtype's smallest normal number)."""
    tiny = float(numpy.finfo(weight.dtype).tiny)  # a Python float keeps float32 float32
    return full_loss(model, X, Y, weight / np.maximum(np.sum(weight), tiny))


@primitive
def _scores(X, coef, fit_intercept):
    """``X @ coef[:d] + coef[d]`` (the intercept as the last row of ``coef``), or ``X @ coef``.

    One primitive, so that the caller's ``X`` is used as given: no ``[X, 1]`` design is copied
    (on a 200,000 x 100 problem that copy alone costs as much as several iterations).
    """
    if not fit_intercept:
        return X @ coef
    d = X.shape[1]
    scores = X @ coef[:d]
    scores += coef[d]
    return scores


@primitive
def _pulled_back(g, X, fit_intercept):
    """The transpose of ``_scores`` in ``coef``: ``X.T @ g``, then ``sum(g)`` as the
    intercept's row. One call (not a transpose, a product, a sum and a concatenation), so a
    jitted objective runs few numpy calls on small problems."""
    pulled = X.T @ g
    if not fit_intercept:
        return pulled
    return numpy.concatenate([pulled, g.sum(axis=0, keepdims=True)])


# Each is linear in its array argument and the other's transpose; X is data (not
# differentiated), as the estimators use it.
defvjp(_scores, None, lambda ans, X, coef, fit_intercept: lambda g: _pulled_back(
    g, X, fit_intercept))
defvjp(_pulled_back, lambda ans, g, X, fit_intercept: lambda h: _scores(X, h, fit_intercept),
       None)
def_linear(_scores, argnums=(1,))
def_linear(_pulled_back, argnums=(0,))


def objective(coef, X, Y, weight, penalty, fit_intercept):
    """The training objective: weighted mean log-loss plus ``coef' diag(penalty) coef``.

    ``coef`` holds the intercept as its last row when there is one. Binary problems pass ``Y``
    as signs (+1 for the second class, -1 for the first) and a coefficient vector;
    multinomial ones one-hot ``Y`` and a coefficient column per class. ``weight`` sums to
    one; ``penalty`` is ``1 / (2 C S)`` on coefficient rows (S the total sample weight) and
    0 on the intercept row, or None.
    """
    scores = _scores(X, coef, fit_intercept)
    if coef.ndim == 1:
        value = -np.dot(weight, log_expit(Y * scores))  # -log P(class of sign Y)
        return value if penalty is None else value + np.dot(coef, penalty * coef)
    value = nn.cross_entropy(scores, Y, weight=weight, reduction="sum")
    return value if penalty is None else value + np.vdot(coef, penalty[:, None] * coef)



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
