"""The scripts in examples/ run and produce the numbers they promise."""

import importlib.util
import math
import pathlib
import subprocess
import sys

import numpy
import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_taylor_sine_gradient_at_pi_is_minus_one():
    from mlkit import grad

    sine = load("taylor_sine")
    assert abs(grad(sine.taylor_sine)(math.pi) - (-1.0)) < 1e-3
    assert abs(grad(grad(sine.taylor_sine))(math.pi / 2) - (-1.0)) < 1e-3


def test_logistic_regression_loss_falls_from_four_log_two():
    initial, final, weights = load("logistic_regression").train()
    assert initial == pytest.approx(4 * math.log(2))
    assert final < 0.5 * initial
    assert weights.shape == (3,)


def test_newton_cg_converges_quadratically():
    _, norms, accuracy = load("newton_cg").main()
    assert norms[-1] < 1e-6
    assert accuracy > 0.95


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_every_example_runs_as_a_script(script):
    result = subprocess.run([sys.executable, str(EXAMPLES / script)], capture_output=True,
                            text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip()


def test_custom_primitive_is_stable_and_checked():
    example = load("custom_primitive")
    from mlkit import grad

    x = numpy.array([-800.0, 0.0, 800.0])
    assert numpy.all(numpy.isfinite(example.log1pexp(x)))
    assert grad(grad(example.log1pexp))(0.0) == pytest.approx(0.25)


def test_fused_kernel_gives_the_references_gradient_and_hessian():
    gradient, hessian, (gradient_gap, hessian_gap) = load("fused_kernel").main()
    assert numpy.linalg.norm(gradient) > 0.05 and numpy.linalg.norm(hessian) > 0.05
    assert gradient_gap < 1e-14 and hessian_gap < 1e-14


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
