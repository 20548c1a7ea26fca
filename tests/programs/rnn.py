"""A character-level recurrent network: tanh state updates, log-softmax outputs, trained with
Adam on a few short strings to predict each next character."""

import mlkit.numpy as np
import mlkit.numpy.random as npr
from mlkit import grad
from mlkit.misc.optimizers import adam
from mlkit.scipy.special import logsumexp


def affine(weights, *parts):
    """``[parts..., 1] @ weights``: the inputs side by side, plus a bias column."""
    joined = np.hstack(parts + (np.ones((parts[0].shape[0], 1)),))
    return np.dot(joined, weights)


def init_params(input_size, state_size, output_size, scale=0.1, seed=0):
    rs = npr.RandomState(seed)
    return {"initial state": scale * rs.randn(1, state_size),
            "transition": scale * rs.randn(input_size + state_size + 1, state_size),
            "readout": scale * rs.randn(state_size + 1, output_size)}


def predict(params, inputs):
    """Log-probabilities of the next character at every step, one array per step."""

    def log_probabilities(state):
        scores = affine(params["readout"], state)
        return scores - logsumexp(scores, axis=1, keepdims=True)

    state = np.repeat(params["initial state"], inputs.shape[1], axis=0)
    outputs = [log_probabilities(state)]
    for step_input in inputs:
        state = np.tanh(affine(params["transition"], step_input, state))
        outputs.append(log_probabilities(state))
    return outputs


def mean_log_likelihood(params, inputs, targets):
    log_probs = predict(params, inputs)
    steps, sequences, _ = inputs.shape
    total = 0.0
    for t in range(steps):
        total += np.sum(log_probs[t] * targets[t])
    return total / (steps * sequences)


def one_hot(lines, alphabet, length):
    """(length, len(lines), len(alphabet)) one-hot codes of the lines, padded with spaces."""
    codes = np.zeros((length, len(lines), len(alphabet)))
    for j, line in enumerate(lines):
        for t, char in enumerate((line + " " * length)[:length]):
            codes[t, j, alphabet.index(char)] = 1.0
    return codes


def train(lines, num_iters=60, state_size=12, step_size=0.1):
    alphabet = sorted(set("".join(lines)) | {" "})
    length = max(map(len, lines))
    inputs = one_hot(lines, alphabet, length)
    # The targets are the inputs: outputs[t] predicts the character at step t from the ones
    # before it.
    targets = inputs

    def loss(params, i):
        return -mean_log_likelihood(params, inputs, targets)

    losses = []
    start = init_params(len(alphabet), state_size, len(alphabet))
    params = adam(grad(loss), start, step_size=step_size, num_iters=num_iters,
                  callback=lambda p, i, g: losses.append(loss(p, i)))
    return {"loss": loss, "losses": losses, "final": loss(params, 0), "params": params,
            "alphabet": alphabet, "inputs": inputs, "start": start}
