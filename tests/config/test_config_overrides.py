"""Command-line overrides `key.path=value` and `~key.path`, validated like the file."""

from pathlib import Path

import pytest
from conftest import MINIMAL

from mlkit.config import ConfigError, apply_overrides, load_config

BASE = """\
data: {dataset: digits}
model: {name: mlp, hidden: [128]}
loss: {name: cross_entropy}
optimizer: {name: adam, lr: 0.001, betas: [0.9, 0.99]}
"""


@pytest.fixture
def path(tmp_path):
    file = tmp_path / "base.yaml"
    file.write_text(BASE)
    return file


def problems(path, overrides):
    with pytest.raises(ConfigError) as caught:
        load_config(path, overrides)
    return [p.render("f") for p in caught.value.problems]


def test_values_are_parsed_as_yaml(path):
    config = load_config(path, ["training.epochs=5", "optimizer.lr=0.01", "model.hidden=[64,32]",
                                "training.shuffle=false", "training.batch_size=full",
                                "data.params={n_class: 5}", "training.clip_grad_norm=null"])
    assert config.training.epochs == 5 and config.optimizer.lr == 0.01
    assert config.model.hidden == [64, 32] and config.training.shuffle is False
    assert config.training.batch_size == "full" and config.data.params == {"n_class": 5}
    assert config.training.clip_grad_norm is None


def test_nested_sections_are_created(path):
    config = load_config(path, ["training.early_stopping.patience=3", "schedule.name=cosine"])
    assert config.training.early_stopping.patience == 3
    assert config.schedule.name == "cosine"


def test_option_override_keeps_the_default_component(tmp_path):
    file = tmp_path / "plain.yaml"
    file.write_text(BASE.replace("optimizer: {name: adam, lr: 0.001, betas: [0.9, 0.99]}\n", ""))
    config = load_config(file, ["optimizer.lr=0.05"])
    assert config.optimizer.name == "adam" and config.optimizer.lr == 0.05


def test_later_override_wins_and_removal_works(path):
    config = load_config(path, ["training.epochs=5", "training.epochs=7", "~optimizer.betas"])
    assert config.training.epochs == 7
    assert config.optimizer.betas == [0.9, 0.999]


def test_changing_the_optimizer_leaves_out_the_options_it_lacks_and_says_so(path):
    said = []
    config = load_config(path, ["optimizer.name=sgd", "optimizer.momentum=0.9"], say=said.append)
    assert config.optimizer.name == "sgd" and config.optimizer.momentum == 0.9
    assert config.optimizer.lr == 0.001  # an option both have is kept
    assert said == ["note: override 'optimizer.name=sgd' leaves out betas (optimizer 'sgd' has "
                    "no such option)"]
    assert load_config(path, ["optimizer.name=adam"], say=said.append).optimizer.betas == [
        0.9, 0.99]  # the same name: nothing left out
    assert len(said) == 1
    again = load_config(path, ["optimizer.name=sgd", "~optimizer.betas"])  # as written before
    assert again == load_config(path, ["optimizer.name=sgd"])
    back = ["optimizer.name=sgd", "optimizer.name=adam", "optimizer.betas=[0.5, 0.5]"]
    assert load_config(path, back).optimizer.betas == [0.5, 0.5]
    assert load_config(path, [*back, "~optimizer.betas"]).optimizer.betas == [0.9, 0.999]


def test_an_option_given_after_the_new_name_is_checked_against_it(path):
    (line,) = problems(path, ["optimizer.name=sgd", "optimizer.betas=[0.9, 0.9]"])
    assert line.startswith("f: optimizer.betas: 'betas' is not an option of optimizer 'sgd'")
    assert ("[optimizer.name set by override 'optimizer.name=sgd'; remove the option with "
            "~optimizer.betas]") in line


def test_unknown_key_suggests_the_closest(path):
    (line,) = problems(path, ["training.epoch=5"])
    assert line == ("f: training.epoch: unknown key 'epoch' — did you mean 'epochs'? (got 5); "
                    "valid keys here: epochs, batch_size, shuffle, last_batch, clip_grad_norm, "
                    "clip_grad_value, eval_every, jit, profile, seed, dtype, early_stopping "
                    "[from override 'training.epoch=5']")


def test_unknown_section_suggests_the_closest(path):
    (line,) = problems(path, ["optimzer.lr=0.1"])
    assert "f: optimzer: unknown key 'optimzer' — did you mean 'optimizer'?" in line
    assert "[from override 'optimzer.lr=0.1']" in line


def test_wrong_type_from_an_override(path):
    (line,) = problems(path, ["training.epochs=five"])
    assert line == ("f: training.epochs: must be an integer (got 'five') "
                    "[from override 'training.epochs=five']")


@pytest.mark.parametrize("override, fragment", [
    ("training.epochs", "override 'training.epochs': has no '='; write key.path=value"),
    ("=5", "override '=5': key must be dotted names such as optimizer.lr (got '')"),
    ("training..epochs=5", "key must be dotted names such as optimizer.lr"),
    ("training.epochs.x=1", "training.epochs is not a mapping here (got 100)"),
    ("~training.epochs=1", "removal takes no value; write ~training.epochs"),
    ("~training.seed", "override '~training.seed': nothing to remove; present here: 'epochs'"),
    ("~schedule.gamma", "nothing to remove; schedule is not set"),
    ("name=!!python/name:os.system", "YAML tags such as !!python/... are not allowed"),
    ("model.hidden=[1, 2", "override 'model.hidden=[1, 2': not valid YAML"),
])
def test_malformed_overrides(override, fragment):
    base = {**MINIMAL, "training": {"epochs": 100}}
    with pytest.raises(ConfigError) as caught:
        apply_overrides(base, [override], source="f")
    assert fragment in str(caught.value)


def test_all_malformed_overrides_are_reported_together():
    with pytest.raises(ConfigError) as caught:
        apply_overrides(MINIMAL, ["a", "b", "c=1"], source="f")
    assert len(caught.value.problems) == 2


def test_apply_overrides_leaves_its_input_alone():
    apply_overrides(MINIMAL, ["data.dataset=iris", "data.split.val=0.1"])
    assert MINIMAL["data"] == {"dataset": "breast_cancer"}


def test_switching_model_by_override_leaves_out_its_layers_or_names_missing_options(path):
    said = []
    config = load_config(path, ["model.name=softmax_regression"], say=said.append)
    assert config.model.name == "softmax_regression" and "hidden" not in config.model_dump()
    assert said == ["note: override 'model.name=softmax_regression' leaves out hidden (model "
                    "'softmax_regression' has no such option)"]
    with pytest.raises(ConfigError) as caught:
        load_config(path, ["model={name: mlp}"])
    (problem,) = caught.value.problems
    assert problem.path == "model.hidden"
    assert problem.notes == ("from override 'model={name: mlp}'",)


def test_unquoted_off_turns_the_baseline_off(tmp_path):
    """YAML reads ``off`` as false; both spellings mean no baseline."""
    from mlkit.config import load_config

    path = tmp_path / "plain.yaml"
    path.write_text("data: {dataset: breast_cancer}\nmodel: {name: logistic_regression}\n"
                    "loss: {name: binary_cross_entropy}\nbaseline: off\n")
    assert load_config(path).baseline.name == "off"
    shipped = Path(__file__).resolve().parents[2] / "configs" / "logreg.yaml"
    assert load_config(shipped, ["baseline.name=off"]).baseline.name == "off"
    assert load_config(shipped, ["baseline=off"]).baseline.name == "off"
