"""Each optimizer's first steps against the published update rule, written out here in numpy."""

import math

import numpy as np
import pytest

from mlkit.optim import SGD, Adagrad, Adam, AdamW, RMSprop

STEPS = 5
START = np.array([0.5, -1.5, 2.0, 0.0])


def gradient(theta, t):
    """A gradient that changes with the parameters and the step (t = 1, 2, ...)."""
    return 2.0 * theta - 1.0 + 0.3 * t * np.array([1.0, -1.0, 0.5, 2.0])


def run(optimizer):
    theta = START.copy()
    path = []
    for t in range(1, STEPS + 1):
        theta = optimizer.step({"w": theta}, {"w": gradient(theta, t)})["w"]
        path.append(theta)
    return np.array(path)


def sgd_reference(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0,
                  maximize=False):
    theta, buffer, path = START.copy(), None, []
    for t in range(1, STEPS + 1):
        g = gradient(theta, t)
        if maximize:
            g = -g
        g = g + weight_decay * theta
        if momentum:
            buffer = g if t == 1 else momentum * buffer + (1 - dampening) * g
            g = g + momentum * buffer if nesterov else buffer
        theta = theta - lr * g
        path.append(theta)
    return np.array(path)


def adam_reference(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                   maximize=False, decoupled=False):
    b1, b2 = betas
    theta, path = START.copy(), []
    m = np.zeros(4)
    v = np.zeros(4)
    v_max = np.zeros(4)
    for t in range(1, STEPS + 1):
        g = gradient(theta, t)
        if maximize:
            g = -g
        if decoupled:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - b2**t)
        else:
            v_hat = v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(theta)
    return np.array(path)


def rmsprop_reference(lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                      centered=False, maximize=False):
    theta, path = START.copy(), []
    v = np.zeros(4)
    g_avg = np.zeros(4)
    b = np.zeros(4)
    for t in range(1, STEPS + 1):
        g = gradient(theta, t)
        if maximize:
            g = -g
        g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g**2
        v_tilde = v
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v - g_avg**2
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            theta = theta - lr * b
        else:
            theta = theta - lr * g / (np.sqrt(v_tilde) + eps)
        path.append(theta)
    return np.array(path)


def adagrad_reference(lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                      eps=1e-10, maximize=False):
    theta, path = START.copy(), []
    s = np.full(4, initial_accumulator_value)
    for t in range(1, STEPS + 1):
        g = gradient(theta, t)
        if maximize:
            g = -g
        g = g + weight_decay * theta
        step_lr = lr / (1 + (t - 1) * lr_decay)
        s = s + g**2
        theta = theta - step_lr * g / (np.sqrt(s) + eps)
        path.append(theta)
    return np.array(path)


CASES = [
    (SGD, sgd_reference, dict(lr=0.1)),
    (SGD, sgd_reference, dict(lr=0.05, momentum=0.9)),
    (SGD, sgd_reference, dict(lr=0.05, momentum=0.8, dampening=0.3)),
    (SGD, sgd_reference, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (SGD, sgd_reference, dict(lr=0.1, weight_decay=0.2)),
    (SGD, sgd_reference, dict(lr=0.05, momentum=0.7, weight_decay=0.1, maximize=True)),
    (Adam, adam_reference, dict(lr=0.1)),
    (Adam, adam_reference, dict(lr=0.05, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1)),
    (Adam, adam_reference, dict(lr=0.1, betas=(0.5, 0.7), amsgrad=True)),
    (Adam, adam_reference, dict(lr=0.1, maximize=True, weight_decay=0.05)),
    (AdamW, lambda **kw: adam_reference(decoupled=True, **kw), dict(lr=0.1, weight_decay=0.3)),
    (AdamW, lambda **kw: adam_reference(decoupled=True, **kw),
     dict(lr=0.1, weight_decay=0.3, amsgrad=True, betas=(0.6, 0.8), maximize=True)),
    (RMSprop, rmsprop_reference, dict(lr=0.01)),
    (RMSprop, rmsprop_reference, dict(lr=0.01, alpha=0.9, centered=True)),
    (RMSprop, rmsprop_reference, dict(lr=0.01, alpha=0.8, momentum=0.9, centered=True)),
    (RMSprop, rmsprop_reference, dict(lr=0.02, momentum=0.5, weight_decay=0.1, maximize=True)),
    (Adagrad, adagrad_reference, dict(lr=0.1)),
    (Adagrad, adagrad_reference, dict(lr=0.1, lr_decay=0.5, initial_accumulator_value=0.4)),
    (Adagrad, adagrad_reference, dict(lr=0.1, weight_decay=0.2, eps=1e-3, maximize=True)),
]


@pytest.mark.parametrize(
    "cls, reference, options", CASES,
    ids=[f"{cls.__name__}-{'-'.join(options)}" for cls, _, options in CASES],
)
def test_steps_match_the_published_rule(cls, reference, options):
    np.testing.assert_allclose(run(cls(**options)), reference(**options), rtol=1e-12, atol=1e-14)


def test_first_sgd_momentum_steps_by_hand():
    """Two steps of SGD(lr=0.1, momentum=0.9) on f = x^2 from x = 1, worked out on paper."""
    opt = SGD(0.1, momentum=0.9)
    x = opt.step([np.array(1.0)], [np.array(2.0)])[0]  # b = 2, x = 1 - 0.2
    assert x == pytest.approx(0.8, abs=1e-15)
    x = opt.step([x], [2.0 * x])[0]  # b = 0.9 * 2 + 1.6 = 3.4, x = 0.8 - 0.34
    assert x == pytest.approx(0.46, abs=1e-15)


def test_first_adam_step_is_lr_times_sign():
    """Bias correction makes the first Adam step lr * g / (|g| + eps) for any betas."""
    opt = Adam(lr=0.01, betas=(0.3, 0.6), eps=0.0)
    x = opt.step(np.array([1.0, -2.0, 3.0]), np.array([4.0, -0.5, 1e-3]))
    np.testing.assert_allclose(x, [0.99, -1.99, 2.99], rtol=0, atol=1e-15)


def test_adagrad_second_step_by_hand():
    """Adagrad(lr=1, lr_decay=1): step 2 uses lr/2 and the summed squares 3^2 + 4^2 = 25."""
    opt = Adagrad(lr=1.0, lr_decay=1.0, eps=0.0)
    x = opt.step(np.array([0.0]), np.array([3.0]))  # x = -3/3 = -1
    x = opt.step(x, np.array([4.0]))  # x = -1 - 0.5 * 4 / 5
    assert x[0] == pytest.approx(-1.4, abs=1e-15)
    assert math.isclose(opt.state_dict()["state.sum"][0], 25.0)
