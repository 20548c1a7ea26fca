"""Each script in examples/ runs once, as a script, and gives the numbers it promises.

A script runs in this process with ``__name__ == "__main__"``; its check then reads the names
its main block bound (and may call its cheap functions), so no example is run twice.
"""

import math
import pathlib

import numpy
import pytest

from mlkit import grad

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def check_taylor_sine(example):
    assert abs(grad(example["taylor_sine"])(math.pi) - (-1.0)) < 1e-3
    assert abs(grad(grad(example["taylor_sine"]))(math.pi / 2) - (-1.0)) < 1e-3


def check_logistic_regression(example):
    assert example["initial"] == pytest.approx(4 * math.log(2))
    assert example["final"] < 0.5 * example["initial"]
    assert example["weights"].shape == (3,)


def check_newton_cg(example):
    assert len(example["norms"]) == 9  # the start and each of its eight steps
    assert example["norms"][-1] < 1e-9  # quadratic convergence, down to CG's tolerance
    assert example["accuracy"] > 0.95


def check_custom_primitive(example):
    log1pexp = example["log1pexp"]
    x = numpy.array([-800.0, 0.0, 800.0])
    assert numpy.all(numpy.isfinite(log1pexp(x)))
    assert grad(grad(log1pexp))(0.0) == pytest.approx(0.25)


def check_fused_kernel(example):
    gradient, hessian = example["gradient"], example["hessian"]
    assert numpy.linalg.norm(gradient) > 0.05 and numpy.linalg.norm(hessian) > 0.05
    assert example["gradient_gap"] < 1e-14 and example["hessian_gap"] < 1e-14


def check_mlp_digits(example):
    losses = example["losses"]
    assert losses[0] > losses[1] > losses[2]
    assert example["test_accuracy"] > 0.9


def check_optimizer_comparison(example):
    """The gaps stay above the L-BFGS optimum, and momentum helps plain SGD."""
    _, grads = example["loss_and_grad"](example["zeros"]())
    assert numpy.linalg.norm(grads["w"]) > 0.1  # the start is far from the optimum
    best, histories = example["best"], example["histories"]
    plain, momentum = histories["sgd"] - best, histories["sgd + momentum"] - best
    assert plain.min() > -1e-9 and momentum.min() > -1e-9  # nothing beats the optimum
    assert momentum[-1] < 0.1 * plain[-1]


def check_sklearn_pipeline(example):
    """The tuned Pipeline is accurate and its summary table names every coefficient."""
    assert example["cv_accuracy"] > 0.95 and example["test_accuracy"] > 0.93
    table = example["table"]
    assert table.index[0] == "mean radius" and table.index[-1] == "intercept"
    assert (table["std_err"] > 0).all()


CHECKS = {name.removeprefix("check_"): check for name, check in globals().items()
          if name.startswith("check_")}


@pytest.mark.parametrize("name", sorted(path.stem for path in EXAMPLES.glob("*.py")))
def test_example_runs_as_a_script_and_keeps_its_promise(name, capsys, run_file):
    example = run_file(EXAMPLES / f"{name}.py", as_script=True)
    assert capsys.readouterr().out.strip()
    assert name in CHECKS, f"examples/{name}.py has no check_{name} in this file"
    CHECKS[name](example)
