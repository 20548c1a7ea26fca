"""Logistic regression with L-BFGS: time to reach scikit-learn's objective, side by side.

Two binary problems: breast_cancer (569 x 30, standardized with mlkit's Standardizer) and a
synthetic 200,000 x 100 one. The target is the objective value of scikit-learn's
``LogisticRegression()`` (lbfgs, C=1, tol=1e-4), within 1e-6 relative. Each contender runs
with the loosest gradient tolerance of a common ladder that reaches the target, and is timed
at that tolerance (best of N rounds, every contender once per round, one core for
everyone):

- mlkit ``LogisticRegression(solver="lbfgs")`` (the estimator, input validation included),
  its gradient the engine's derivative of the objective, with ``jit=True`` (the default: one
  recorded program, shared by every fit of the same shapes) and with ``jit=False`` (traced
  at every evaluation),
- scikit-learn ``LogisticRegression()`` (its own lbfgs, the reference),
- a hand-written cache-blocked value and gradient with mlkit's L-BFGS (``logreg_kernel``),
  the speed the engine's path is measured against,
- HIPS autograd gradient + ``scipy.optimize.minimize(method="L-BFGS-B")`` (when installed),
- a hand-derived numpy gradient + the same scipy L-BFGS-B.

Objective (all contenders): ``mean_i log(1 + exp(-s_i (x_i.w + b))) + ||w||^2 / (2 n)``.

Run: python benchmarks/logreg_lbfgs.py [--quick]
"""

import sys

import common  # noqa: F401  (pins BLAS threads before numpy loads)
import numpy
import scipy.optimize
from common import best_times_interleaved, blas_report, optional, table
from logreg_kernel import kernel_fit
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression

from mlkit.data import Standardizer
from mlkit.estimators import LogisticRegression

LADDER = (1e-4, 3e-5, 1e-5, 3e-6, 1e-6, 1e-7, 1e-8)
RELATIVE = 1e-6
FTOL = 64 * numpy.finfo(float).eps  # scikit-learn's setting for scipy's L-BFGS-B


def problems(quick: bool):
    X, y = load_breast_cancer(return_X_y=True)
    yield "breast_cancer 569x30", Standardizer().fit_transform(X), y.astype(numpy.float64), 40
    rng = numpy.random.default_rng(0)
    n = 20_000 if quick else 200_000
    X = rng.standard_normal((n, 100))
    logits = X @ (rng.standard_normal(100) / 5.0) + 0.5
    y = (rng.random(n) < 1.0 / (1.0 + numpy.exp(-logits))).astype(numpy.float64)
    yield f"synthetic {n}x100", X, y, 5


def objective(X, y, w, b):
    """The common objective, evaluated in plain numpy."""
    z = X @ w + b
    return float(numpy.mean(numpy.logaddexp(0.0, z) - y * z) + w @ w / (2 * len(y)))


class Contender:
    """A way of fitting: ``run(tol) -> (w, b, iterations)``."""

    def __init__(self, name, run):
        self.name, self.run = name, run


def sklearn_fit(X, y):
    def run(tol):
        model = SklearnLogisticRegression(tol=tol, max_iter=10_000).fit(X, y)
        return model.coef_[0], model.intercept_[0], int(model.n_iter_[0])
    return run


def mlkit_fit(X, y, jit):
    def run(tol):
        model = LogisticRegression(solver="lbfgs", tol=tol, max_iter=10_000, jit=jit).fit(X, y)
        return model.coef_[0], model.intercept_[0], int(model.n_iter_[0])
    return run


def scipy_fit(value_and_grad, d):
    def run(tol):
        result = scipy.optimize.minimize(value_and_grad, numpy.zeros(d + 1), jac=True,
                                         method="L-BFGS-B",
                                         options={"gtol": tol, "ftol": FTOL, "maxiter": 10_000})
        return result.x[:d], result.x[d], int(result.nit)
    return run


def numpy_value_and_grad(X, y):
    """The hand-derived gradient: sigmoid residuals pulled back through one matmul."""
    n, d = X.shape

    def value_and_grad(theta):
        w, b = theta[:d], theta[d]
        z = X @ w + b
        value = numpy.mean(numpy.logaddexp(0.0, z) - y * z) + w @ w / (2 * n)
        residual = (1.0 / (1.0 + numpy.exp(-z)) - y) / n
        grad = numpy.empty(d + 1)
        grad[:d] = X.T @ residual + w / n
        grad[d] = residual.sum()
        return value, grad
    return value_and_grad


def autograd_value_and_grad(autograd, X, y):
    anp = autograd.numpy
    n, d = X.shape

    def loss(theta):
        w, b = theta[:d], theta[d]
        z = anp.dot(X, w) + b
        return anp.mean(anp.logaddexp(0.0, z) - y * z) + anp.dot(w, w) / (2 * n)
    return autograd.value_and_grad(loss)


def measure(name, X, y, repeat):
    d = X.shape[1]
    contenders = [Contender("scikit-learn lbfgs", sklearn_fit(X, y)),
                  Contender("mlkit LogisticRegression, jit", mlkit_fit(X, y, True)),
                  Contender("mlkit LogisticRegression, eager", mlkit_fit(X, y, False)),
                  Contender("blocked kernel + mlkit LBFGS", kernel_fit(X, y))]
    autograd = optional("autograd")
    if autograd is not None:
        contenders.append(Contender("autograd + scipy L-BFGS-B",
                                    scipy_fit(autograd_value_and_grad(autograd, X, y), d)))
    contenders.append(Contender("numpy by hand + scipy L-BFGS-B",
                                scipy_fit(numpy_value_and_grad(X, y), d)))
    w, b, _ = contenders[0].run(1e-4)
    target = objective(X, y, w, b)
    print(f"\n{name}: scikit-learn's objective {target:.12g}; target <= that x (1 + 1e-6)")
    settings = []
    for contender in contenders:
        for tol in LADDER:
            w, b, iterations = contender.run(tol)
            gap = (objective(X, y, w, b) - target) / abs(target)
            if gap <= RELATIVE:
                break
        settings.append((tol, iterations, gap))
    runs = [lambda run=contender.run, tol=tol: run(tol)
            for contender, (tol, _, _) in zip(contenders, settings)]
    seconds = best_times_interleaved(runs, repeat=repeat)
    rows = [[contender.name, f"{tol:g}", iterations, f"{gap:+.1e}", f"{time * 1e3:.2f}",
             f"{time / seconds[0]:.2f}x"]
            for contender, (tol, iterations, gap), time in zip(contenders, settings, seconds)]
    table(rows, ["contender", "tol", "iters", "rel. gap", "ms", "vs scikit-learn"])


def main(quick=False):
    blas_report()
    for name, X, y, repeat in problems(quick):
        measure(name, X, y, repeat)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
