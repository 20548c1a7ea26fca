"""A neural ODE: a small ReLU network as the right-hand side of dy/dt, fitted with Adam to a
trajectory of a cubic damped oscillator, with gradients through odeint's adjoint."""

import mlkit.numpy as np
import mlkit.numpy.random as npr
from mlkit import grad
from mlkit.builtins import tuple
from mlkit.misc.optimizers import adam
from mlkit.scipy.integrate import odeint


def oscillator(y, t, A):
    return np.dot(y**3, A)


def network(y, t, params):
    for weights, bias in params:
        outputs = np.dot(y, weights) + bias
        y = np.maximum(0.0, outputs)
    return outputs


def init_params(sizes, scale=0.1, seed=0):
    rs = npr.RandomState(seed)
    return [(scale * rs.randn(n_in, n_out), scale * rs.randn(n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def trajectory(params, y0, t, rtol=0.01):
    return odeint(network, y0, t, tuple((params,)), rtol=rtol)


def mean_abs_error(prediction, target):
    return np.mean(np.abs(prediction - target))


def fit(num_times=10, hidden=20, num_iters=30, step_size=0.01, end_time=1.5):
    y0 = np.array([2.0, 0.0])
    t = np.linspace(0.0, end_time, num_times)
    target = odeint(oscillator, y0, t, args=(np.array([[-0.1, 2.0], [-2.0, -0.1]]),))

    def loss(params, i):
        return mean_abs_error(trajectory(params, y0, t), target)

    losses = []
    start = init_params([2, hidden, 2])
    params = adam(grad(loss), start, callback=lambda p, i, g: losses.append(loss(p, i)),
                  num_iters=num_iters, step_size=step_size)
    return {"losses": losses, "final": loss(params, 0), "params": params, "start": start,
            "y0": y0, "t": t, "target": target}
