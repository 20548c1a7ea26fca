"""A battery of bad configs, each with the specific message a user should see."""

import re

import pytest
from conftest import MINIMAL, problems_of

from mlkit.config import ConfigError, validate_config

MLP = ["model={name: mlp, hidden: [8]}"]

# (overrides applied to the minimal config, fragments the one problem line must contain)
CASES = {
    "typo at the top": (
        ["optimzer={name: sgd}"],
        ["t.yaml: optimzer: unknown key 'optimzer' — did you mean 'optimizer'?"]),
    "typo at depth": (
        ["data.split.seeed=1"],
        ["data.split.seeed: unknown key 'seeed' — did you mean 'seed'? (got 1)",
         "valid keys here: val, test, stratify, seed"]),
    "typo deeper still": (
        ["training.early_stopping={patiense: 3}"],
        ["training.early_stopping.patiense: unknown key", "did you mean 'patience'?"]),
    "unknown dataset": (
        ["data.dataset=breast_cancr"],
        ["data.dataset: not an allowed value (got 'breast_cancr')", "'iris', 'wine'",
         "did you mean 'breast_cancer'?"]),
    "unknown activation": (
        MLP + ["model.activation=rleu"],
        ["model.activation: not an allowed value (got 'rleu')", "did you mean 'relu'?"]),
    "metric name as a monitor": (
        ["training.early_stopping={monitor: f1}"],
        ["training.early_stopping.monitor: not an allowed value (got 'f1')",
         "did you mean 'val_f1'?"]),
    "optimizer name in capitals": (
        ["optimizer.name=SGD"],
        ["optimizer.name: not an allowed value (got 'SGD')", "did you mean 'sgd'?"]),
    "unknown optimizer": (
        ["optimizer.name=adm"],
        ["optimizer.name: not an allowed value (got 'adm')", "'sgd', 'adam'",
         "did you mean 'adam'?"]),
    "model without a name": (
        ["model={hidden: [3]}"],
        ["model.name: required key is missing", "one of: 'logistic_regression'"]),
    "schedule options without a name": (
        ["schedule={step_size: 3}"],
        ["schedule.step_size: 'step_size' is not an option of schedule 'none'",
         "'step_size' is an option of: step"]),
    "component given as a bare word": (
        ["optimizer=adam"],
        ["optimizer: must be a mapping of keys to values (got 'adam')",
         "write it as optimizer: {name: adam}"]),
    "missing section": (
        ["~model"],
        ["t.yaml: model: required key is missing", "'logistic_regression'", "'mlp'"]),
    "section not a mapping": (
        ["training=fast"],
        ["training: must be a mapping of keys to values (got 'fast')"]),
    "text where an integer belongs": (
        ["training.epochs='5'"], ["training.epochs: must be an integer (got '5')"]),
    "fraction where an integer belongs": (
        ["training.epochs=5.5"], ["training.epochs: must be an integer (got 5.5)"]),
    "text where a boolean belongs": (
        ["training.shuffle=on please"],
        ["training.shuffle: must be true or false (got 'on please')"]),
    "word where a number belongs": (
        ["optimizer.lr=fast"], ["optimizer.lr: must be a number (got 'fast')"]),
    "not a number": (
        ["optimizer.lr=.nan"], ["optimizer.lr: must be a finite number"]),
    "scalar where a list belongs": (
        MLP + ["model.hidden=128"], ["model.hidden: must be a list (got 128)"]),
    "bad list item": (
        MLP + ["model.hidden=[64, 0]"], ["model.hidden[1]: must be >= 1 (got 0)"]),
    "empty hidden for mlp": (
        MLP + ["model.hidden=[]"], ["model.hidden: must have at least 1 item (got [])"]),
    "mlp without hidden": (
        ["model={name: mlp}"],
        ["model.hidden: required key is missing", "width of each hidden layer"]),
    "dropout of one": (
        MLP + ["model.dropout=1.0"], ["model.dropout: must be < 1 (got 1.0)"]),
    "zero learning rate": (
        ["optimizer.lr=0"], ["optimizer.lr: must be > 0 (got 0)"]),
    "negative l2": (
        ["loss.l2=-0.1"], ["loss.l2: must be >= 0 (got -0.1)"]),
    "beta of one": (
        ["optimizer.betas=[0.9, 1.0]"], ["optimizer.betas[1]: must be < 1 (got 1.0)"]),
    "three betas": (
        ["optimizer.betas=[0.9, 0.99, 0.999]"], ["optimizer.betas: must have at most 2 items"]),
    "zero batch size": (
        ["training.batch_size=0"],
        ["training.batch_size: must be an integer >= 1 or 'full' (got 0)"]),
    "batch size word": (
        ["training.batch_size=all"],
        ["training.batch_size: must be an integer >= 1 or 'full' (got 'all')"]),
    "bad class weight": (
        ["loss.class_weight=heavy"],
        ["loss.class_weight: must be null, 'balanced' or a mapping", "(got 'heavy')"]),
    "momentum for adam": (
        ["optimizer={name: adam, momentum: 0.9}"],
        ["optimizer.momentum: 'momentum' is not an option of optimizer 'adam' (got 0.9)",
         "options of optimizer 'adam': name, lr, betas, eps, weight_decay, amsgrad, maximize",
         "'momentum' is an option of: sgd, rmsprop"]),
    "misspelt option of the chosen optimizer": (
        ["optimizer={name: sgd, momentun: 0.9}"],
        ["optimizer.momentun: 'momentun' is not an option of optimizer 'sgd'",
         "did you mean 'momentum'?"]),
    "delta for a loss without one": (
        MLP + ["loss={name: mse, delta: 2}", "data.dataset=diabetes"],
        ["loss.delta: 'delta' is not an option of loss 'mse'", "'delta' is an option of: huber"]),
    "val and test leave no training rows": (
        ["data.split={val: 0.5, test: 0.5}"],
        ["data.split.test: val + test must be < 1", "but val is 0.5 (got 0.5)"]),
    "csv without its block": (
        ["data.dataset=csv"],
        ["data.csv: required when dataset is 'csv'", "add csv: {path: ..., target: ...}"]),
    "csv block for a bundled dataset": (
        ["data.csv={path: a.csv, target: y}"],
        ["data.csv: only used when dataset is 'csv', not 'breast_cancer'"]),
    "csv target among the features": (
        ["data.dataset=csv", "data.csv={path: a.csv, target: y, features: [a, y]}"],
        ["data.csv.features: includes the target column 'y' (got ['a', 'y'])"]),
    "csv categorical outside the features": (
        ["data.dataset=csv", "data.csv={path: a.csv, target: y, features: [a], categorical: [b]}"],
        ["data.csv.categorical: names column 'b' missing from features (got ['b']); add them to "
         "features or remove them from categorical"]),
    "csv without a target": (
        ["data.dataset=csv", "data.csv={path: a.csv}"],
        ["data.csv.target: required key is missing"]),
    "unknown generator parameter": (
        ["data.dataset=make_moons", "data.params={n_sample: 50}"],
        ["data.params.n_sample: unknown parameter of 'make_moons' (got 50)",
         "did you mean 'n_samples'?"]),
    "parameters for a loader without any": (
        ["data.params={n_samples: 50}"],
        ["data.params.n_samples: unknown parameter of 'breast_cancer'",
         "takes no parameters"]),
    "nesterov without momentum": (
        ["optimizer={name: sgd, nesterov: true}"],
        ["optimizer.nesterov: needs momentum > 0 and dampening 0"]),
    "lbfgs on mini-batches": (
        ["optimizer.name=lbfgs", "training.batch_size=32"],
        ["training.batch_size: is a mini-batch, but lbfgs takes whole-data steps (got 32); "
         "set training.batch_size: full"]),
    "lbfgs with clipping": (
        ["optimizer.name=lbfgs", "training.batch_size=full", "training.clip_grad_value=1.0"],
        ["training.clip_grad_value: cannot be combined with lbfgs, whose line search needs the "
         "true gradient (got 1.0); remove gradient clipping"]),
    "early stopping on a missing validation set": (
        ["data.split.val=0", "training.early_stopping={monitor: val_accuracy}"],
        ["training.early_stopping.monitor: needs a validation set, but data.split.val is 0"]),
    "mode against the monitor": (
        ["training.early_stopping={monitor: val_accuracy, mode: min}"],
        ["training.early_stopping.mode: contradicts monitor 'val_accuracy'",
         "use mode: max"]),
    "regression loss on a classification dataset": (
        MLP + ["loss.name=mse"],
        ["loss.name: is a regression choice, but data.dataset 'breast_cancer'",
         "means classification (got 'mse')", "'cross_entropy'"]),
    "classifier on a regression dataset": (
        ["data.dataset=diabetes"],
        ["model.name: is a classification choice, but data.dataset 'diabetes' means regression",
         "'linear_regression', 'mlp'"]),
    "regression monitor for a classifier": (
        ["training.early_stopping={monitor: val_r2}"],
        ["training.early_stopping.monitor: is a regression choice"]),
    "loss that does not fit the model": (
        ["loss.name=hinge"],
        ["loss.name: logistic_regression is trained with 'binary_cross_entropy' (got 'hinge')"]),
    "binary model on three classes": (
        ["data.dataset=iris"],
        ["model.name: is binary, but data.dataset 'iris' has 3 classes",
         "use softmax_regression"]),
    "binary loss with many generated classes": (
        MLP + ["data.dataset=make_classification", "data.params={n_classes: 4, n_informative: 3}"],
        ["loss.name: is for two classes, but data.dataset 'make_classification' has 4 classes"]),
    "warmup as long as training": (
        ["training.epochs=5", "schedule={name: warmup_cosine, warmup_epochs: 5}"],
        ["schedule.warmup_epochs: must be shorter than the 5 epochs"]),
    "warmup as long as t_max": (
        ["schedule={name: warmup_cosine, warmup_epochs: 5, t_max: 4}"],
        ["schedule.warmup_epochs: is 5 epochs, not shorter than schedule.t_max (4 epochs) (got "
         "5); lower it or raise schedule.t_max"]),
    "mlp baseline for a linear model": (
        ["baseline.name=mlp"], ["baseline.name: mlp copies model.hidden"]),
    "run name with a slash": (
        ["name=a/b"], ["name: string should match pattern"]),
}


@pytest.mark.parametrize("edits, fragments", CASES.values(), ids=CASES.keys())
def test_bad_config_gets_its_specific_message(edits, fragments):
    lines = problems_of(edits)
    assert len(lines) == 1, lines
    for fragment in fragments:
        assert fragment in lines[0]


def test_all_problems_are_reported_at_once():
    lines = problems_of(MLP + ["optimzer={name: sgd}", "model.hidden=[]", "loss.l2=-1",
                               "training.epochs=0", "data.split.seeed=2",
                               "optimizer={name: adam, momentum: 0.9}"])
    paths = [line.split(": ")[1] for line in lines]
    assert sorted(paths) == sorted(["optimzer", "model.hidden", "loss.l2", "training.epochs",
                                    "data.split.seeed", "optimizer.momentum"])


def test_message_has_one_line_per_problem_and_a_count():
    with pytest.raises(ConfigError) as caught:
        validate_config({"data": {"dataset": "nope"}, "model": {"name": "x"}}, source="t.yaml")
    lines = str(caught.value).splitlines()
    assert lines[0] == "t.yaml: 3 problems in the config:"
    assert all(re.match(r"t\.yaml: [\w.\[\]]+: \S", line) for line in lines[1:])


def test_no_pydantic_wording_leaks():
    bad = {**MINIMAL, "training": {"epochs": "x", "batch_size": -1, "seed": 1.5, "zz": 1}}
    with pytest.raises(ConfigError) as caught:
        validate_config(bad, source="t.yaml")
    text = str(caught.value)
    for leak in ("pydantic", "Input should", "validation error", "type=", "For further"):
        assert leak not in text


def test_config_error_is_a_value_error_carrying_its_problems():
    with pytest.raises(ValueError) as caught:
        validate_config({}, source="t.yaml")
    assert [p.path for p in caught.value.problems] == ["data", "model", "loss"]
