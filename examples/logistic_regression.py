"""Logistic regression on a toy data set, trained by plain gradient descent with ``grad``."""

import mlkit.numpy as np
from mlkit import grad


def sigmoid(z):
    return 0.5 * (np.tanh(z / 2.0) + 1.0)


def predict(weights, inputs):
    """The probability that each row of ``inputs`` has label True."""
    return sigmoid(np.dot(inputs, weights))


def negative_log_likelihood(weights, inputs, targets):
    p = predict(weights, inputs)
    label_probabilities = p * targets + (1 - p) * (1 - targets)
    return -np.sum(np.log(label_probabilities))


inputs = np.array([[0.52, 1.12, 0.77],
                   [0.88, -1.08, 0.15],
                   [0.52, 0.06, -1.30],
                   [0.74, -2.49, 1.39]])
targets = np.array([True, True, False, True])


def train(steps=100, learning_rate=0.01):
    """Returns the initial and final losses and the trained weights."""
    weights = np.array([0.0, 0.0, 0.0])
    loss_gradient = grad(negative_log_likelihood)
    initial = negative_log_likelihood(weights, inputs, targets)
    for _ in range(steps):
        weights = weights - learning_rate * loss_gradient(weights, inputs, targets)
    return initial, negative_log_likelihood(weights, inputs, targets), weights


if __name__ == "__main__":
    initial, final, weights = train()
    print(f"loss before training: {initial:.4f} (4 log 2 = {4 * np.log(2):.4f})")
    print(f"loss after 100 steps: {final:.4f}")
    print("weights:", weights)
