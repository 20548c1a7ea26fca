"""A hand-written numpy MLP: forward, backward and Adam, with no framework in between.

This is what a numpy engine can reach without tricks; the training benchmark reports every
contender's epoch time as a ratio to it.
"""

import numpy


def init_params(sizes, rng, dtype):
    """He-normal weights (stored in x out) and zero biases for layer sizes [d, h1, ..., k]."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = (rng.standard_normal((fan_in, fan_out)) * numpy.sqrt(2.0 / fan_in)).astype(dtype)
        params += [w, numpy.zeros(fan_out, dtype)]
    return params


def loss_and_grads(params, x, labels):
    """Mean cross-entropy of a ReLU MLP and its gradients, by hand."""
    activations = [x]
    h = x
    n_layers = len(params) // 2
    for layer in range(n_layers):
        w, b = params[2 * layer], params[2 * layer + 1]
        z = h @ w + b
        h = numpy.maximum(z, 0) if layer < n_layers - 1 else z
        activations.append(h)
    logits = h
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = numpy.exp(shifted)
    probs = exp / exp.sum(axis=1, keepdims=True)
    n = x.shape[0]
    rows = numpy.arange(n)
    loss = -numpy.log(probs[rows, labels]).mean()
    delta = probs
    delta[rows, labels] -= 1
    delta /= n
    grads = [None] * len(params)
    for layer in reversed(range(n_layers)):
        h_in = activations[layer]
        grads[2 * layer] = h_in.T @ delta
        grads[2 * layer + 1] = delta.sum(axis=0)
        if layer:
            delta = (delta @ params[2 * layer].T) * (h_in > 0)
    return loss, grads


class AdamReference:
    """Adam with bias correction, updating the parameter list in place."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.lr, (self.b1, self.b2), self.eps = lr, betas, eps
        self.m = [numpy.zeros_like(p) for p in params]
        self.v = [numpy.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        c1, c2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p -= (self.lr / c1) * m / (numpy.sqrt(v / c2) + self.eps)


def train_epoch(params, optimizer, x, y, batch_size, rng):
    """One shuffled epoch; returns the mean batch loss."""
    order = rng.permutation(len(x))
    losses = []
    for start in range(0, len(x), batch_size):
        index = order[start:start + batch_size]
        loss, grads = loss_and_grads(params, x[index], y[index])
        optimizer.step(params, grads)
        losses.append(loss)
    return float(numpy.mean(losses))
