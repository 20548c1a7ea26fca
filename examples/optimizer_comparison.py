"""Optimizers side by side on one convex problem: L2-regularized logistic regression.

Every optimizer starts from the same zero parameters (a plain dict of arrays, no Module) and
takes full-batch steps ``params = optimizer.step(params, grads)``. L-BFGS run to convergence
gives the optimum, and the table shows how far above it each optimizer is after a number of
steps. (`mlkit landscape` draws the same kind of race on 2-D test functions, and
`mlkit sweep configs/sweeps/optimizers.yaml` runs it on real training configs.)
"""

import numpy

import mlkit.numpy as np
from mlkit import optim, value_and_grad
from mlkit.data import Standardizer, load_dataset

data = load_dataset("breast_cancer")  # 569 tumours, 30 features, 2 classes
X = Standardizer().fit_transform(data.X)
y = data.y.astype(numpy.float64)
L2 = 1e-3


def loss(params):
    """Mean logistic loss plus L2/2 |w|^2, written stably as logaddexp(0, -margin)."""
    logits = np.dot(X, params["w"]) + params["b"]
    signs = 2.0 * y - 1.0
    return np.mean(np.logaddexp(0.0, -signs * logits)) + 0.5 * L2 * np.sum(params["w"] ** 2)


loss_and_grad = value_and_grad(loss)
OPTIMIZERS = {
    "sgd": lambda: optim.SGD(lr=0.5),
    "sgd + momentum": lambda: optim.SGD(lr=0.5, momentum=0.9),
    "sgd + nesterov": lambda: optim.SGD(lr=0.5, momentum=0.9, nesterov=True),
    "rmsprop": lambda: optim.RMSprop(lr=0.01),
    "adagrad": lambda: optim.Adagrad(lr=0.5),
    "adam": lambda: optim.Adam(lr=0.05),
}
CHECKPOINTS = (10, 50, 200)


def zeros():
    return {"w": numpy.zeros(X.shape[1]), "b": numpy.zeros(())}


def optimum():
    """The minimum loss, from L-BFGS with a strong Wolfe line search."""
    solver = optim.LBFGS(max_iter=500, tolerance_grad=1e-10, line_search_fn="strong_wolfe")
    _, best = solver.minimize(loss_and_grad, zeros())
    return best


def race(make_optimizer, steps=200):
    """The loss after each step of one optimizer."""
    optimizer, params, history = make_optimizer(), zeros(), []
    for _ in range(steps):
        _, grads = loss_and_grad(params)
        params = optimizer.step(params, grads)
        history.append(float(loss(params)))
    return numpy.array(history)


def main():
    best = optimum()
    print(f"optimum (L-BFGS): {best:.6f}")
    print(f"{'optimizer':<16}" + "".join(f"{f'gap @ {k}':>14}" for k in CHECKPOINTS))
    histories = {name: race(make) for name, make in OPTIMIZERS.items()}
    for name, history in histories.items():
        gaps = [history[k - 1] - best for k in CHECKPOINTS]
        print(f"{name:<16}" + "".join(f"{gap:>14.2e}" for gap in gaps))
    return best, histories


if __name__ == "__main__":
    best, histories = main()
