"""YAML and Python accept and refuse the same values of every bounded option.

For every registered component (and the training loop), each option whose type hint carries
bounds (a Range, a Length, a Literal) is tried just inside, on and just outside each bound,
through the Python builder and through a config, and both must decide as the hint says.
"""

import inspect
from typing import Annotated, Literal

import numpy
import pytest
from option_edges import edges, inside

from mlkit import nn, optim, registry
from mlkit.config import ConfigError, validate_config
from mlkit.config.sections import LOOP_OPTIONS
from mlkit.options import Range, check
from mlkit.registry.signatures import signature_options
from mlkit.train import fit

MINIMAL = {"data": {"dataset": "breast_cancer"}, "model": {"name": "logistic_regression"},
           "loss": {"name": "binary_cross_entropy"}, "name": "t"}
KINDS = {"model": registry.MODELS, "loss": registry.LOSSES, "optimizer": registry.OPTIMIZERS,
         "schedule": registry.SCHEDULES}
EPOCHS = 20


def _cases():
    for kind, table in KINDS.items():
        for name, component in table.items():
            options = component.options()
            for option in options:
                needed = {o.name: inside(o.hint) for o in options
                          if o.default is registry.REQUIRED and o.name != option.name}
                for value, allowed in edges(option.hint):
                    yield kind, name, needed, option.name, value, allowed
    skip = [name for name in inspect.signature(fit).parameters if name not in LOOP_OPTIONS]
    for option in signature_options(fit, skip=skip):
        for value, allowed in edges(option.hint):
            yield "training", None, {}, option.name, value, allowed


CASES = list(_cases())


def _python(kind, name, options):
    """Build the component in Python (and call a loss once: a loss checks per call)."""
    if kind == "model":
        registry.make_model(name, 3, 2, rng=0, **options)
    elif kind == "optimizer":
        registry.make_optimizer(name, **options)
    elif kind == "schedule":
        registry.make_schedule(name, optim.SGD(lr=0.5), EPOCHS, **options)
    elif kind == "loss":
        objective = registry.make_loss(name, **options)
        columns = 3 if objective.head in ("multiclass", "scores") else 1
        labels = numpy.array([0, 1, 2, 1]) if columns == 3 else numpy.array([0.0, 1.0, 1.0, 0.0])
        objective.data_loss(numpy.linspace(-1, 1, 4 * columns).reshape(4, columns), labels)
    else:
        model = registry.make_model("linear_regression", 2, 1, rng=0)
        fit(model, registry.make_loss("mse"), optim.SGD(lr=0.1), numpy.ones((4, 2)),
            numpy.zeros(4), **{"epochs": 1, **options})


def _refused_by_python(kind, name, options, option) -> bool:
    try:
        _python(kind, name, options)
    except (TypeError, ValueError) as error:
        return f": {option} must" in str(error) or f": {option}[" in str(error)
    return False


def _refused_by_yaml(kind, name, options, option) -> bool:
    section = options if kind == "training" else {"name": name, **options}
    raw = {**MINIMAL, "training": {"epochs": EPOCHS}, kind: section}
    if kind == "training":
        raw["training"] = {"epochs": EPOCHS, **options}
    try:
        validate_config(raw)
    except ConfigError as error:
        path = f"{kind}.{option}"
        return any(p.path == path or p.path.startswith(path + "[") for p in error.problems)
    return False


@pytest.mark.parametrize("kind, name, needed, option, value, allowed", CASES,
                         ids=[f"{k}-{n}-{o}={v!r}" for k, n, _, o, v, _ in CASES])
def test_yaml_and_python_accept_and_refuse_the_same_edge_values(kind, name, needed, option,
                                                                value, allowed):
    options = {**needed, option: value}
    yaml_options = {key: list(v) if isinstance(v, tuple) else v for key, v in options.items()}
    assert _refused_by_python(kind, name, options, option) == (not allowed), "Python"
    assert _refused_by_yaml(kind, name, yaml_options, option) == (not allowed), "YAML"


def test_every_bounded_option_is_tried_and_every_default_is_allowed():
    tried = {(kind, name, option) for kind, name, _, option, _, _ in CASES}
    for expected in [("schedule", "onecycle", "pct_start"), ("schedule", "plateau", "factor"),
                     ("optimizer", "adam", "betas"), ("model", "mlp", "hidden"),
                     ("model", "mlp", "dropout"), ("loss", "hinge", "margin"),
                     ("training", None, "clip_grad_value")]:
        assert expected in tried
    for table in KINDS.values():
        for name, component in table.items():
            for option in component.options():
                if option.default is not registry.REQUIRED:  # a default is never checked
                    assert check(name, option.hint, option.default) == option.default


def test_numpy_scalars_pass_as_the_python_values_they_hold():
    """A grid search's values are often numpy's (bool_, int64, str_): each is checked
    as the Python value it holds, and comes out as that value."""
    assert check("Linear: bias", bool, numpy.bool_(False)) is False
    assert check("MLP: hidden", Annotated[int, Range(ge=1)], numpy.int64(3)) == 3
    assert type(check("SGD: lr", Annotated[float, Range(gt=0)], numpy.float32(0.5))) is float
    assert check("MLP: activation", Literal["relu", "tanh"], numpy.str_("tanh")) == "tanh"
    with pytest.raises(ValueError, match=r"SGD: lr must be a finite number > 0, got 0.0"):
        check("SGD: lr", Annotated[float, Range(gt=0)], numpy.float64(0.0))
    assert nn.Linear(3, 2, bias=numpy.bool_(False)).bias is None


def test_an_integer_past_floats_range_is_refused_as_not_finite():
    with pytest.raises(ValueError, match=r"SGD: lr must be a finite number > 0, got 1000"):
        optim.SGD(lr=10**400)
    with pytest.raises(ConfigError, match=r"optimizer.lr"):
        validate_config({"data": {"dataset": "iris"}, "model": {"name": "logistic_regression"},
                         "optimizer": {"name": "sgd", "lr": 10**400}})
