"""Each component is declared once: the config schema is its signature, so YAML and Python agree."""

import inspect
import pickle
from typing import get_args

import numpy
import pytest
from conftest import MINIMAL

from mlkit import nn, optim, registry
from mlkit.config import Config, ConfigError, validate_config
from mlkit.config.components import SECTIONS
from mlkit.config.sections import LOOP_OPTIONS, Training
from mlkit.config.tables import COMPONENT_NAMES
from mlkit.registry.signatures import parameter_help, signature_options
from mlkit.train import fit

KINDS = {"model": registry.MODELS, "loss": registry.LOSSES, "optimizer": registry.OPTIMIZERS,
         "schedule": registry.SCHEDULES}
ENTRIES = [(kind, name) for kind, table in KINDS.items() for name in table]
SHARED = {"name", "l1", "l2", "class_weight", "interval", "groups"}  # the name, a loss's
# penalties and weights, when a schedule steps, an optimizer's param groups: the section's own,
# not its component's
# The one option an adapter deliberately starts elsewhere than the layer it builds: a linear
# model starts at zeros (its objective is convex), an MLP from its activation's usual scheme.
OWN_DEFAULT = {("model", "init")}
NEEDED = {"hidden": [4], "step_size": 3, "milestones": [2, 5], "gamma": 0.9, "T_0": 4,
          "max_lr": 1.0}


def _options(section) -> dict:
    return {key: info for key, info in section.model_fields.items() if key not in SHARED}


def _python_defaults(kind: str, component) -> dict:
    """Every default the callables of a component state, checking none is stated twice."""
    found = {}
    for target in (component.build, *component.passes_to):
        for parameter in inspect.signature(target).parameters.values():
            if parameter.default is parameter.empty or parameter.name in SHARED:
                continue
            if parameter.name in found and (kind, parameter.name) not in OWN_DEFAULT:
                assert found[parameter.name] == parameter.default, (
                    f"{target.__qualname__} restates {parameter.name}")
            found.setdefault(parameter.name, parameter.default)
    return found


def test_registry_and_schema_list_the_same_components():
    for kind, table in KINDS.items():
        assert list(SECTIONS[kind]) == list(table) == list(COMPONENT_NAMES[kind])
        members = get_args(Config.model_fields[kind].annotation)
        tags = [get_args(m.model_fields["name"].annotation)[0] for m in members]
        assert tags == list(table)


@pytest.mark.parametrize("kind, name", ENTRIES)
def test_yaml_defaults_are_the_python_defaults(kind, name):
    component = KINDS[kind][name]
    section = SECTIONS[kind][name]
    python = _python_defaults(kind, component)
    assert [o.name for o in component.options()] == list(_options(section))
    for key, info in _options(section).items():
        assert info.description, f"{kind} {name}: option {key} has no help in its docstring"
        if info.is_required():
            assert key not in python
            continue
        default = list(python[key]) if isinstance(python[key], tuple) else python[key]
        assert info.default == default, f"{kind} {name}.{key}"


@pytest.mark.parametrize("kind, name", [e for e in ENTRIES if e[0] in ("optimizer", "schedule")])
def test_a_component_built_from_yaml_defaults_equals_the_python_default(kind, name):
    """End to end: `{name: X}` in YAML builds what X's Python defaults build."""
    component = KINDS[kind][name]
    needed = {key: NEEDED[key] for key in NEEDED if key in _options(SECTIONS[kind][name])}
    raw = {**MINIMAL, "training": {"epochs": 20}, kind: {"name": name, **needed}}
    options = getattr(validate_config(raw), kind).model_dump(exclude=SHARED)
    if kind == "optimizer":
        from_yaml, from_python = registry.make_optimizer(name, **options), component.build()
        assert vars(from_yaml) == vars(from_python)
        return
    rates = []
    for settings in (options, needed):
        opt = optim.SGD(lr=0.5)
        schedule = registry.make_schedule(name, opt, 20, **settings)
        rates.append([opt.lr] + [_step(schedule, opt) for _ in range(19)])
    assert rates[0] == rates[1]


@pytest.mark.parametrize("kind, name", ENTRIES)
def test_every_section_pickles_for_worker_processes(kind, name):
    section = SECTIONS[kind][name]
    value = section(name=name, **{k: v for k, v in NEEDED.items() if k in section.model_fields})
    assert pickle.loads(pickle.dumps(value)) == value


def _step(schedule, opt):
    if schedule is not None:
        schedule.step(1.0) if isinstance(schedule, optim.ReduceLROnPlateau) else schedule.step()
    return opt.lr


def test_the_unified_defaults_are_pytorchs():
    """L-BFGS keeps 100 curvature pairs and a warmup starts at 1/3 of the rate, from YAML and
    from Python alike (they were 10 and 0.1 on one side)."""
    assert optim.LBFGS().history_size == 100
    lbfgs = validate_config({**MINIMAL, "optimizer": {"name": "lbfgs"}}).optimizer
    assert lbfgs.history_size == 100
    for name in ("linear_warmup", "warmup_cosine"):
        schedule = validate_config({**MINIMAL, "schedule": {"name": name}}).schedule
        assert schedule.start_factor == 1 / 3
        opt = optim.SGD(lr=0.3)
        registry.make_schedule(name, opt, 100, **schedule.model_dump(exclude=SHARED))
        assert opt.lr == pytest.approx(0.1)


def test_rules_between_options_are_the_components_own_and_yaml_applies_them():
    """SGD's nesterov rule is written once, in SGD.check_options: Python raises it and a
    config reports it at the option; milestones in any order (a repeated one decays twice)
    are as good in YAML as in Python."""
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
        optim.SGD(0.1, momentum=0.9, dampening=0.5, nesterov=True)
    with pytest.raises(ConfigError, match="optimizer.nesterov: needs momentum > 0 and "
                                          "dampening 0, but momentum is 0.9 and dampening 0.5"):
        validate_config({**MINIMAL, "optimizer": {"name": "sgd", "momentum": 0.9,
                                                  "dampening": 0.5, "nesterov": True}})
    milestones = [6, 2, 6]
    schedule = validate_config({**MINIMAL, "schedule": {"name": "multistep",
                                                        "milestones": milestones}}).schedule
    rates = []
    for settings in (schedule.model_dump(exclude=SHARED), {"milestones": milestones}):
        opt = optim.SGD(lr=1.0)
        built = registry.make_schedule("multistep", opt, 10, **settings)
        rates.append([_step(built, opt) for _ in range(8)])
    assert rates[0] == rates[1] == pytest.approx([1, 0.1, 0.1, 0.1, 0.1, 0.001, 0.001, 0.001])


def test_the_model_from_yaml_is_the_model_from_python():
    config = validate_config({**MINIMAL, "model": {"name": "mlp", "hidden": [5],
                                                   "activation": "tanh"},
                              "loss": {"name": "cross_entropy"}})
    options = config.model.model_dump(exclude={"name"})
    built = registry.make_model("mlp", 3, 2, rng=0, **options)
    by_hand = nn.MLP(3, [5], 2, activation="tanh", init="glorot_uniform", rng=0,
                     dtype=numpy.float64)
    assert built.state_dict().keys() == by_hand.state_dict().keys()
    for key, value in built.state_dict().items():
        numpy.testing.assert_array_equal(value, by_hand.state_dict()[key])


def test_docstring_entries_become_the_help():
    def component(a, b=1, *, c: int = 2):
        """Summary.

        Parameters
        ----------
        a, b : int
            Shared help
            over two lines.
        c : int
            Uses ``markup`` and :math:`x^2`.

        Returns
        -------
        d : int
            Not a parameter.
        """
    assert parameter_help(component) == {"a": "Shared help over two lines.",
                                         "b": "Shared help over two lines.",
                                         "c": "Uses markup and x^2."}
    with pytest.raises(TypeError, match="option 'b' has no type hint"):
        signature_options(component, skip=("a",))
    [option] = signature_options(component, skip=("a", "b"))
    assert (option.name, option.hint, option.default) == ("c", int, 2)


def test_the_training_section_is_fits_signature():
    """The loop's options read in YAML are fit's own: names, defaults, bounds and help. The
    batch size was 32 from YAML and whole-data from Python; both now take fit's "full"."""
    parameters = inspect.signature(fit).parameters
    for name in LOOP_OPTIONS:
        field = Training.model_fields[name]
        assert field.default == parameters[name].default, name
        assert field.description, f"training.{name} has no help in fit's docstring"
    assert Training().batch_size == "full"
    with pytest.raises(ConfigError, match=r"training.eval_every: must be >= 1 \(got 0\)"):
        validate_config({**MINIMAL, "training": {"eval_every": 0}})
    with pytest.raises(ConfigError, match="training.batch_size: must be an integer >= 1 or 'full'"):
        validate_config({**MINIMAL, "training": {"batch_size": "all"}})
