"""Test functions and landscape runs: minima, gradients, steps to a tolerance, errors."""

import math

import numpy
import pandas as pd
import pytest

from mlkit import grad, hessian
from mlkit.config import ConfigError, load_config
from mlkit.experiments import load_sweep
from mlkit.experiments.functions import beale, make_function, quadratic_bowl, rosenbrock
from mlkit.experiments.landscape import (
    LandscapeConfig,
    load_landscape,
    run_landscape,
    steps_table,
    write_landscape,
)
from mlkit.optim import LBFGS


def landscape(function, start, optimizers, steps=2000, tolerance=1e-3, **extra):
    return LandscapeConfig.model_validate({"name": "test", "function": function, "start": start,
                                           "steps": steps, "tolerance": tolerance,
                                           "optimizers": optimizers, **extra})


@pytest.mark.parametrize("function", [rosenbrock(), rosenbrock(a=2.0, b=10.0), beale(),
                                      quadratic_bowl(condition=20.0, angle=-40.0)])
def test_minimum_has_value_zero_and_zero_gradient(function):
    point = numpy.array(function.minimum)
    assert function(point) == pytest.approx(0.0, abs=1e-12)
    assert numpy.allclose(grad(function)(point), 0.0, atol=1e-10)
    other = point + numpy.array([0.3, -0.2])
    assert function(other) > 0


def test_rosenbrock_gradient_is_the_hand_derived_one():
    x, y = -1.2, 1.0
    expected = [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]
    assert numpy.allclose(grad(rosenbrock())(numpy.array([x, y])), expected)


def test_quadratic_bowl_hessian_has_the_requested_eigenvalues_and_axes():
    bowl = quadratic_bowl(condition=50.0, angle=30.0)
    h = hessian(bowl)(numpy.array([0.7, -0.4]))
    values, vectors = numpy.linalg.eigh(h)
    assert numpy.allclose(values, [1.0, 50.0])
    turn = math.radians(30.0)
    assert abs(vectors[:, 0] @ [math.cos(turn), math.sin(turn)]) == pytest.approx(1.0)


def test_unknown_function_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="rosenbrock, beale, quadratic_bowl"):
        make_function("himmelblau")


def test_gradient_descent_on_the_bowl_takes_the_analytic_number_of_steps():
    # GD on 1/2 p^T A p shrinks the error's component along eigenvector i by (1 - lr l_i)
    # per step, so the first step within the tolerance can be computed in closed form.
    bowl = quadratic_bowl(condition=50.0, angle=30.0)
    start, lr, tolerance = numpy.array([-2.5, 2.0]), 0.03, 1e-3
    values, vectors = numpy.linalg.eigh(hessian(bowl)(start))
    coefficients = vectors.T @ start
    k = numpy.arange(2000)[:, None]
    distance = numpy.linalg.norm(coefficients * (1 - lr * values) ** k, axis=1)
    expected = int(numpy.flatnonzero(distance <= tolerance)[0])
    config = landscape({"name": "quadratic_bowl", "condition": 50.0, "angle": 30.0},
                       list(start), [{"name": "sgd", "lr": lr}], tolerance=tolerance)
    function, paths = run_landscape(config)
    assert paths[0].reached == expected
    table = steps_table(function, paths, config)
    assert table.loc[0, "steps_to_tol"] == expected
    assert table.loc[0, "status"] == "reached"


def test_gradient_descent_beyond_two_over_the_largest_curvature_diverges():
    config = landscape({"name": "quadratic_bowl", "condition": 50.0}, [-2.5, 2.0],
                       [{"name": "sgd", "lr": 0.05}], steps=3000)
    function, paths = run_landscape(config)
    assert paths[0].reached is None
    assert paths[0].diverged is not None
    status = steps_table(function, paths, config).loc[0, "status"]
    assert status == f"diverged at step {paths[0].diverged}"


def test_adam_and_momentum_reach_rosenbrocks_minimum_and_plain_sgd_does_not():
    optimizers = [{"name": "sgd", "lr": 0.001, "momentum": 0.9}, {"name": "adam", "lr": 0.1},
                  {"name": "lbfgs", "line_search_fn": "strong_wolfe"},
                  {"name": "sgd", "lr": 0.001}]
    config = landscape({"name": "rosenbrock"}, [-1.2, 1.0], optimizers, steps=1700)
    function, paths = run_landscape(config)
    table = steps_table(function, paths, config)
    momentum, adam, lbfgs, plain = table["steps_to_tol"]
    assert 1000 < momentum < 1700 and 800 < adam < 1500 and lbfgs < 60
    assert plain is pd.NA
    for path in paths[:3]:
        assert numpy.linalg.norm(path.points[-1] - [1.0, 1.0]) <= 1e-3
        assert len(path.points) == path.reached + 1  # a trajectory stops at the tolerance
    assert numpy.linalg.norm(paths[3].points[-1] - [1.0, 1.0]) > 0.1
    assert table["optimizer"].tolist() == ["sgd(lr=0.001, momentum=0.9)", "adam(lr=0.1)",
                                           "lbfgs(lr=1, line_search_fn=strong_wolfe)",
                                           "sgd(lr=0.001)"]
    again = steps_table(*run_landscape(config), config)
    pd.testing.assert_frame_equal(table, again)


def test_value_criterion_counts_steps_to_a_small_gap_in_f():
    config = landscape({"name": "beale"}, [1.0, 1.5], [{"name": "adam", "lr": 0.05}],
                       tolerance=1e-4, criterion="value")
    function, paths = run_landscape(config)
    path = paths[0]
    assert path.values[path.reached] - function.f_min <= 1e-4
    assert path.values[path.reached - 1] - function.f_min > 1e-4


def test_shipped_configs_load_and_the_cli_writes_plot_table_and_trajectories(tmp_path, capsys):
    from mlkit.cli import main

    for name in ("rosenbrock", "beale", "quadratic_bowl"):
        load_landscape(f"configs/experiments/{name}.yaml")
    status = main(["landscape", "configs/experiments/quadratic_bowl.yaml", "steps=300",
                   f"output.dir={tmp_path}"])
    out = capsys.readouterr().out
    assert status == 0
    directory = out.strip().splitlines()[-1].split(": ", 1)[1]
    files = {p.name for p in (tmp_path / "quadratic_bowl").glob("*/*")}
    assert {"landscape.png", "steps.csv", "trajectories.npz", "landscape.yaml"} <= files
    table = pd.read_csv(f"{directory}/steps.csv")
    assert len(table) == 5 and "lbfgs(lr=1, max_iter=1)" in out
    assert table.loc[table["optimizer"] == "lbfgs(lr=1, max_iter=1)", "steps_to_tol"].item() <= 10


def test_write_landscape_saves_the_trajectories_it_was_given(tmp_path):
    config = landscape({"name": "quadratic_bowl"}, [1.0, 1.0], [{"name": "adam", "lr": 0.1}],
                       steps=50, output={"dir": str(tmp_path), "save_plots": False})
    function, paths = run_landscape(config)
    path = write_landscape(config, function, paths, steps_table(function, paths, config))
    saved = numpy.load(path / "trajectories.npz")
    assert numpy.array_equal(saved["0.points"], paths[0].points)
    assert not (path / "landscape.png").exists()


@pytest.mark.parametrize("text, overrides, expected", [
    ("function: {name: himmelblau}\nstart: [0, 0]\noptimizers: [{name: adam}]\n", [],
     "function.name: not an allowed value (got 'himmelblau'); allowed: 'rosenbrock', 'beale'"),
    ("function: {name: beale, b: 3}\nstart: [0, 0]\noptimizers: [{name: adam}]\n", [],
     "function.b: 'b' is not an option of function 'beale' (got 3); options of function "
     "'beale': name; 'b' is an option of: rosenbrock"),
    ("function: {name: beale}\nstart: [0, 0]\noptimizers: [{name: adam, momentum: 0.9}]\n",
     [], "optimizers[0].momentum: 'momentum' is not an option of optimizer 'adam'"),
    ("function: {name: beale}\nstart: [0]\noptimizers: [{name: adam}]\n", [],
     "start: must have at least 2 items"),
    ("function: {name: beale}\noptimizers: [{name: adam}]\n", [], "start: required key"),
    ("function: {name: beale}\nstart: [0, 0]\noptimizers: [{name: adam}]\n", ["steps=0"],
     "steps: must be >= 1 (got 0)"),
    ("function: {name: beale}\nstart: [0, 0]\noptimizers: [{name: adam}]\n",
     [f"plot.levels={10**30}"], f"plot.levels: must be <= 1000 (got {10**30})"),
    ("function: {name: beale}\nstart: [0, 0]\noptimizers: [{name: adam}]\n",
     ["plot.resolution=100000000"], "plot.resolution: must be <= 5000 (got 100000000)"),
    ("function: {name: beale}\nstart: [0, 0]\noptimizers: [{name: adam, groups: [{params: "
     "point, lr: 0.1}]}]\n", [], "optimizers[0].groups: has no use in a landscape: param groups "
     "split a model's parameters, and a landscape has one, the point (got [{'params': 'point', "
     "'lr': 0.1}]); remove groups and set the options beside name (e.g. lr)"),
])
def test_bad_landscape_files_name_the_key_and_the_fix(tmp_path, text, overrides, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_landscape(path, overrides)
    assert expected in str(error.value)


def test_missing_landscape_file_is_reported_with_the_example():
    with pytest.raises(ConfigError, match="landscape file not found.*rosenbrock.yaml"):
        load_landscape("configs/experiments/nope.yaml")


@pytest.mark.parametrize("load, kind", [(load_landscape, "landscape"), (load_sweep, "sweep"),
                                         (load_config, "config")])
def test_every_yaml_file_reports_a_folder_an_empty_file_and_a_list_alike(load, kind, tmp_path):
    (tmp_path / "a.yaml").write_text("- 1\n")
    (tmp_path / "b.yaml").write_text("# nothing\n")
    for path, expected in [(tmp_path, f"is a directory, not a {kind} file; pick one of: "
                                      "a.yaml, b.yaml"),
                           (tmp_path / "a.yaml", "must be a mapping with "),
                           (tmp_path / "b.yaml", f"is empty; a {kind} file needs ")]:
        with pytest.raises(ConfigError) as error:
            load(path)
        assert expected in str(error.value)


def test_a_landscape_step_is_one_optimizer_step_with_its_state_kept():
    spec = {"name": "lbfgs", "max_iter": 3, "line_search_fn": "strong_wolfe"}
    config = landscape({"name": "rosenbrock"}, [-1.2, 1.0], [spec], steps=4, tolerance=1e-12)
    function, (path,) = run_landscape(config)
    opt, point = LBFGS(max_iter=3, line_search_fn="strong_wolfe"), numpy.array([-1.2, 1.0])
    assert len(path.points) == 5
    for k in range(1, 5):
        point, _ = opt.step(point, function.value_and_grad())
        numpy.testing.assert_array_equal(path.points[k], point)
        assert path.values[k] == function(point)
    assert opt.n_iter > 4  # more than one iteration per step
