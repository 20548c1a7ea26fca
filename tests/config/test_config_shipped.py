"""The shipped configs validate, and every config survives a trip through YAML unchanged."""

from pathlib import Path
from typing import get_args

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkit.config import COMPONENT_NAMES, Config, config_to_dict, config_to_yaml, load_config
from mlkit.config.schema import DATASETS
from mlkit.config.sections import CsvSource

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
SHIPPED = ["logreg", "softmax", "mlp", "mlp_regression", "csv"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_config_validates_and_is_named_after_its_file(name):
    config = load_config(CONFIGS / f"{name}.yaml")
    assert config.name == name


@pytest.mark.parametrize("name", SHIPPED)
def test_resolved_yaml_reads_back_to_an_equal_config(name, tmp_path):
    config = load_config(CONFIGS / f"{name}.yaml")
    copy = tmp_path / "copy.yaml"
    copy.write_text(config_to_yaml(config))
    assert load_config(copy) == config


def test_resolved_config_spells_out_every_default():
    resolved = yaml.safe_load(config_to_yaml(load_config(CONFIGS / "logreg.yaml")))
    assert resolved["optimizer"]["eps"] == 1e-8
    assert resolved["training"]["early_stopping"]["mode"] == "min"
    assert resolved["output"] == {"dir": "runs", "save_plots": True}
    assert set(resolved) == set(Config.model_fields)


def test_shipped_configs_choose_what_the_issue_asks_for():
    chosen = {name: load_config(CONFIGS / f"{name}.yaml") for name in SHIPPED}
    assert chosen["logreg"].data.dataset == "breast_cancer"
    assert chosen["logreg"].model.name == "logistic_regression"
    assert chosen["softmax"].model.name == "softmax_regression"
    assert chosen["mlp"].data.dataset == "digits" and chosen["mlp"].model.name == "mlp"
    assert chosen["mlp_regression"].data.dataset == "diabetes"
    assert chosen["mlp_regression"].loss.name == "mse"
    assert chosen["csv"].data.csv.path == str(CONFIGS.parent / "datasets" / "penguins.csv")


def test_the_csv_config_shows_every_data_csv_key():
    """The README sends readers to configs/csv.yaml for all of them."""
    written = yaml.safe_load((CONFIGS / "csv.yaml").read_text())["data"]["csv"]
    assert set(written) == set(CsvSource.model_fields)


def _union_tags(field: str) -> set[str]:
    info = Config.model_fields[field]
    members = get_args(info.annotation)
    return {tag for m in members for tag in get_args(m.model_fields["name"].annotation)}


@pytest.mark.parametrize("field", ["model", "loss", "optimizer", "schedule"])
def test_each_component_name_has_exactly_one_schema_variant(field):
    assert _union_tags(field) == set(COMPONENT_NAMES[field])


def test_every_dataset_name_has_its_static_facts():
    assert set(DATASETS) == set(COMPONENT_NAMES["dataset"])


@settings(max_examples=40, deadline=None)
@given(optimizer=st.sampled_from(["sgd", "adam", "adamw", "rmsprop", "adagrad", "nadam", "radam",
                                  "adamax", "adadelta"]),
       lr=st.floats(min_value=1e-12, max_value=1e6, allow_nan=False, allow_infinity=False),
       hidden=st.lists(st.integers(1, 4096), min_size=1, max_size=4),
       dropout=st.floats(min_value=0.0, max_value=0.999))
def test_any_valid_config_round_trips_through_yaml(optimizer, lr, hidden, dropout):
    config = Config.model_validate({
        "name": "prop", "data": {"dataset": "digits"},
        "model": {"name": "mlp", "hidden": hidden, "dropout": dropout},
        "loss": {"name": "cross_entropy", "class_weight": {0: 2.0, "1": 0.5}},
        "optimizer": {"name": optimizer, "lr": lr},
    })
    again = Config.model_validate(yaml.safe_load(config_to_yaml(config)))
    assert again == config
    assert config_to_dict(again) == config_to_dict(config)
