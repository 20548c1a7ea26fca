"""The experiment examples compute what they claim (tests/test_examples.py runs them as scripts)."""

import importlib.util
import pathlib

import numpy

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mlp_on_digits_learns_with_the_hand_written_loop():
    losses, accuracy = load("mlp_digits").main(epochs=3)
    assert losses[0] > losses[1] > losses[2]
    assert accuracy > 0.9


def test_optimizer_comparison_gaps_are_above_the_lbfgs_optimum_and_momentum_helps():
    example = load("optimizer_comparison")
    best = example.optimum()
    _, grads = example.loss_and_grad(example.zeros())
    assert numpy.linalg.norm(grads["w"]) > 0.1  # the start is far from the optimum
    plain = example.race(example.OPTIMIZERS["sgd"]) - best
    momentum = example.race(example.OPTIMIZERS["sgd + momentum"]) - best
    assert plain.min() > -1e-9 and momentum.min() > -1e-9  # nothing beats the optimum
    assert momentum[-1] < 0.1 * plain[-1]
