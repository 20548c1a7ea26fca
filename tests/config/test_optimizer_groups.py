"""optimizer.groups: PyTorch's param groups in a config, their section derived from the
optimizer's own signature, validated with dotted paths before training, overridden by item
number, written back out as given, and built into optim.Groups."""

import pytest
import yaml
from conftest import problems_of

from mlkit import optim, registry
from mlkit.config import ConfigError, apply_overrides, config_to_yaml, validate_config
from mlkit.config.build import build_plan
from mlkit.config.components import SECTIONS

DIGITS = {
    "data": {"dataset": "digits"},
    "model": {"name": "mlp", "hidden": [8]},
    "loss": {"name": "cross_entropy"},
    "training": {"epochs": 1},
    "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4,
                  "groups": [{"params": "layers.0", "lr": 0.01},
                             {"params": "*.bias", "weight_decay": 0}]},
}


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_a_group_takes_exactly_its_optimizers_options_and_params(name):
    section = SECTIONS["optimizer"][name]
    group = section.model_fields["groups"].annotation.__args__[0].__args__[0]
    assert set(group.model_fields) == {"params"} | {o.name for o in
                                                     registry.OPTIMIZERS[name].options()}


def test_lbfgs_has_no_groups_and_says_which_optimizers_do():
    found = problems_of(["optimizer={name: lbfgs, groups: [{params: weight, lr: 0.1}]}"])
    assert len(found) == 1 and found[0].startswith(
        "t.yaml: optimizer.groups: 'groups' is not an option of optimizer 'lbfgs'")
    assert found[0].endswith("; 'groups' is an option of: sgd, adam, adamw, rmsprop, adagrad, "
                             "nadam, radam, adamax, adadelta")


def test_every_problem_in_the_groups_is_reported_at_once_by_dotted_path():
    found = problems_of(["optimizer.groups=[{params: layers.0, lrr: 0.01}, {params: [], "
                         "weight_decay: -1}, {params: '*.bias', nesterov: true}, {lr: 0.1}]"],
                        DIGITS)
    assert found == [
        "t.yaml: optimizer.groups.0.lrr: unknown key 'lrr' — did you mean 'lr'? (got 0.01); "
        "valid keys here: params, lr, momentum, dampening, nesterov, weight_decay, maximize",
        "t.yaml: optimizer.groups.1.params: must be a parameter path pattern or a list of them "
        "(got [])",
        "t.yaml: optimizer.groups.1.weight_decay: must be >= 0 (got -1)",
        "t.yaml: optimizer.groups.3.params: required key is missing; expected: a parameter path "
        "pattern or a list of them, e.g. layers.0 or '*.bias'"]


def test_each_groups_options_keep_the_optimizers_rules_with_its_own_options_filled_in():
    plain = {**DIGITS, "optimizer": {"name": "sgd", "lr": 0.1,
                                     "groups": [{"params": "*.bias", "nesterov": True}]}}
    assert problems_of([], plain) == [
        "t.yaml: optimizer.groups.0.nesterov: needs momentum > 0 and dampening 0, but momentum "
        "is 0.0 and dampening 0.0 (got true); set momentum (e.g. 0.9) and dampening 0, or "
        "nesterov off"]
    validate_config(apply_overrides(plain, ["optimizer.groups.0.momentum=0.9"]))


def test_patterns_that_take_no_parameter_are_refused_before_training_naming_the_paths():
    raw = apply_overrides(DIGITS, ["optimizer.groups=[{params: layer.0, lr: 0.01}, "
                                   "{params: [layers], lr: 0.2}, {params: '*.bias', lr: 0.3}]"])
    with pytest.raises(ConfigError) as caught:
        build_plan(validate_config(raw), "t.yaml")
    paths = "layers.0.weight, layers.0.bias, layers.2.weight, layers.2.bias"
    assert [p.render("t.yaml") for p in caught.value.problems] == [
        f"t.yaml: optimizer.groups.0.params: matches none of the parameters (got 'layer.0'); "
        f"the model's parameters: {paths} — did you mean 'layers.0'?",
        f"t.yaml: optimizer.groups.2.params: matches only parameters that earlier groups take "
        f"(group 1) (got '*.bias'); the model's parameters: {paths}"]
    raw = apply_overrides(raw, ["schedule={name: warmup_cosine, warmup_epochs: 3, t_max: 20, "
                                "interval: batch}", "training.batch_size=64"])
    with pytest.raises(ConfigError) as caught:  # with the build's other problems, at once
        build_plan(validate_config(raw), "t.yaml")
    assert [p.path for p in caught.value.problems] == [
        "optimizer.groups.0.params", "optimizer.groups.2.params", "schedule.warmup_epochs"]


def test_the_plan_steps_each_part_with_its_groups_options():
    plan = build_plan(validate_config(DIGITS))
    groups = plan.optimizer
    assert isinstance(groups, optim.Groups) and groups.lr == 0.1
    assert groups.lrs == [0.01, 0.1, 0.1]
    assert [o.weight_decay for o in groups.optimizers] == [1e-4, 0.0, 1e-4]
    assert all(o.momentum == 0.9 for o in groups.optimizers)
    names = ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
    assert groups.unmatched(names) == []
    assert [next(i for i, take in enumerate(groups.selects) if take(n)) for n in names] == [
        0, 0, 2, 1]


def test_a_group_option_is_overridden_by_item_number_and_a_bad_number_is_named():
    raw = apply_overrides(DIGITS, ["optimizer.groups.1.lr=0.5", "~optimizer.groups.0"])
    assert validate_config(raw).optimizer.groups[0].lr == 0.5
    with pytest.raises(ConfigError, match=r"override 'optimizer.groups.2.lr=1': "
                                          r"optimizer.groups is a list of 2 items, numbered 0 to "
                                          r"1 \(got '2'\); name an item by its number"):
        apply_overrides(DIGITS, ["optimizer.groups.2.lr=1"])
    no_groups = {**DIGITS, "optimizer": {"name": "sgd", "lr": 0.1}}
    for overrides in (["optimizer.groups.0.lr=1"], ["optimizer.groups=[]", "optimizer.groups.0=1"]):
        with pytest.raises(ConfigError, match=rf"override '{overrides[-1]}': optimizer.groups has "
                                              r"no items to number \(got '0'\); set the list "
                                              r"whole, e.g. optimizer.groups=\[...\]"):
            apply_overrides(no_groups, overrides)


def test_a_name_change_leaves_out_the_groups_options_the_new_optimizer_lacks():
    said = []
    raw = apply_overrides({**DIGITS, "optimizer": {**DIGITS["optimizer"], "groups": [
        {"params": "layers.0", "momentum": 0.5, "lr": 0.01}]}}, ["optimizer.name=adam"],
        say=said.append)
    assert raw["optimizer"]["groups"] == [{"params": "layers.0", "lr": 0.01}]
    assert said == ["note: override 'optimizer.name=adam' leaves out momentum, groups.0.momentum "
                    "(optimizer 'adam' has no such options)"]
    validate_config(raw)


def test_the_resolved_config_writes_only_the_options_a_group_sets():
    config = validate_config({**DIGITS, "name": "g"})
    written = yaml.safe_load(config_to_yaml(config))["optimizer"]["groups"]
    assert written == [{"params": "layers.0", "lr": 0.01},
                       {"params": "*.bias", "weight_decay": 0.0}]
    assert validate_config(yaml.safe_load(config_to_yaml(config))) == config
