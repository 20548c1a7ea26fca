"""The plain sections of a config: data, training, output and the scikit-learn baseline."""

from __future__ import annotations

import inspect
import os
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from mlkit.data import dataset_parameters, load_csv
from mlkit.data.csv_rules import date_format_problems, encoding_problems, role_problems
from mlkit.options import did_you_mean
from mlkit.registry.signatures import signature_options
from mlkit.train import callbacks
from mlkit.train.loop import fit

from .components import option_fields
from .errors import Problem
from .fields import (
    MONITORED,
    Float,
    Fraction,
    NonNegativeInt,
    PositiveInt,
    Section,
    conflicts,
    derived_section,
)
from .tables import BaselineName, DatasetName, MonitorName

# ----------------------------------------------------------------------------- data

class _CsvRules(Section):
    """What the data.csv section adds to load_csv's options: where `path` starts, and the
    checks between options that can run before any file is read."""

    path: Annotated[str, Field(min_length=1)]
    """CSV file; relative to the config file's folder when written in a config file, to the
    current directory when given as an override. The resolved config stores it absolute."""

    renamed: ClassVar[dict[str, str]] = {"id": "ids"}
    respelled: ClassVar[dict[str, dict[Any, Any]]] = {"impute": {"none": None},
                                                      "task": {"auto": None}}

    @field_validator("encoding", "date_format", check_fields=False)
    @classmethod
    def _option_alone(cls, value, info: ValidationInfo):
        """An encoding Python decodes, a date format with a day, month or year: found before
        any file is read, by load_csv's own rules."""
        rule = encoding_problems if info.field_name == "encoding" else date_format_problems
        conflicts([Problem.of(problem, "") for problem in rule(value)])
        return value

    @field_validator("path")
    @classmethod
    def _absolute(cls, path: str) -> str:
        """Store the path actually read, so a run's saved config works from any directory."""
        return os.path.abspath(os.path.expanduser(path))

    @model_validator(mode="after")
    def _columns_agree(self):
        """The roles of columns, against each other and the target: load_csv's own rules."""
        conflicts([Problem.of(problem) for problem in role_problems(**dict(self))])
        return self


CsvSource = derived_section(
    "CsvSource", _CsvRules, __module__=__name__,
    __doc__="A table read from a CSV file; used when `data.dataset` is `csv`. Its options are "
            "those of mlkit.data.load_csv.",
    **option_fields(signature_options(load_csv, skip=("path", "dtype"))))


class Split(Section):
    """How the rows are divided into train, validation and test sets."""

    val: Fraction = 0.2
    """Fraction of rows held out for validation (early stopping, plateau, best checkpoint); with
    folds, the fraction of the other folds' rows."""
    test: Annotated[Float, Field(gt=0, lt=1)] = 0.2
    """Fraction of rows held out for the final test, never seen in training (unused with
    folds: the held-out fold is the test set)."""
    stratify: bool = True
    """Keep class proportions equal across splits (classification targets only); with group,
    as nearly as whole groups allow; unused with order (time alone decides)."""
    seed: NonNegativeInt = 0
    """Seed of the split's shuffle."""
    group: Annotated[str, Field(min_length=1)] | None = None
    """A CSV column (an id column, or any other) whose rows stay together: each group's rows
    land in one part (and, with folds, in one fold), so no customer, patient or machine is in
    both training and test. The fractions are met as nearly as whole groups allow."""
    order: Annotated[str, Field(min_length=1)] | None = None
    """A CSV column of dates or numbers: test is the latest rows, validation the ones just
    before, training the earliest, with no shuffling across time. With folds: forward-chaining
    folds (fold i tests on block i of folds+1 time blocks, training on every earlier block)."""
    folds: Annotated[int, Field(ge=2)] | None = None
    """Cut the rows into this many folds (k-fold cross-validation, as `mlkit cv` does; forward
    chaining with order) and test on fold number `fold`; null: the val/test fractions above."""
    fold: PositiveInt | None = None
    """The held-out fold, 1 to folds (set with folds)."""

    @model_validator(mode="after")
    def _leaves_training_rows(self) -> Split:
        problems = []
        if self.val + self.test >= 1:
            problems.append(Problem("test", f"val + test must be < 1 to leave rows for "
                                    f"training, but val is {self.val}", self.test,
                                    "lower val or test"))
        if (self.folds is None) != (self.fold is None):
            given, missing = ("folds", "fold") if self.fold is None else ("fold", "folds")
            problems.append(Problem(missing, f"must be set together with {given}", None,
                                    "e.g. data.split.folds=5 data.split.fold=1"))
        elif self.folds is not None and self.fold > self.folds:
            problems.append(Problem("fold", f"must be a fold number from 1 to folds "
                                    f"({self.folds})", self.fold))
        if self.group is not None and self.order is not None:
            problems.append(Problem("order", "cannot be combined with group", self.order,
                                    "split by whole groups (group) or by time (order), not "
                                    "both; remove one"))
        conflicts(problems)
        return self


class Data(Section):
    """Where the examples come from and how they are prepared."""

    dataset: DatasetName
    """A bundled scikit-learn data set, a synthetic generator (make_*), or csv."""
    params: dict[str, Any] = {}  # noqa: RUF012 (pydantic copies defaults)
    """Arguments of the loader or generator, e.g. n_samples, noise; random_state defaults to 0."""
    csv: Annotated[CsvSource | None, Field(validate_default=True)] = None
    """The CSV source; required when dataset is csv, and only then."""
    split: Split = Split()
    """Train/validation/test fractions."""
    standardize: bool = True
    """Scale inputs to zero mean and unit variance, fitted on the training rows only."""
    standardize_target: bool = True
    """Scale a regression target likewise for training; predictions and metrics stay in the
    target's own units. Classification targets are never scaled."""

    @field_validator("params")
    @classmethod
    def _known_params(cls, params: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        dataset = info.data.get("dataset")
        if dataset is None:
            return params
        allowed = dataset_parameters(dataset) if params and dataset != "csv" else []
        hint = (f"{dataset} accepts: {', '.join(allowed)}" if allowed
                else f"{dataset} takes no parameters; remove data.params")
        conflicts([Problem(key, f"unknown parameter of '{dataset}'", value,
                           hint + did_you_mean(key, allowed))
                   for key, value in params.items() if key not in allowed])
        return params

    @field_validator("csv")
    @classmethod
    def _csv_iff_dataset_csv(cls, csv: CsvSource | None, info: ValidationInfo) -> CsvSource | None:
        dataset = info.data.get("dataset")
        if dataset == "csv" and csv is None:
            conflicts([Problem("", "required when dataset is 'csv'",
                               hint="add csv: {path: ..., target: ...}")])
        if dataset not in (None, "csv") and csv is not None:
            conflicts([Problem("", f"only used when dataset is 'csv', not '{dataset}'", hint=(
                "remove it or set dataset: csv"))])
        return csv

    @model_validator(mode="after")
    def _split_columns_need_csv(self) -> Data:
        conflicts([Problem(f"split.{key}", "names a CSV column, but dataset is "
                           f"'{self.dataset}'", getattr(self.split, key),
                           "use dataset: csv, or remove it")
                   for key in ("group", "order")
                   if getattr(self.split, key) is not None and self.dataset != "csv"])
        return self


# ----------------------------------------------------------------------------- training


EarlyStopping = derived_section(
    "EarlyStopping", Section, __module__=__name__, __validators__=MONITORED,
    __doc__="Stop when the monitored metric has not improved for `patience` evaluations; the "
            "options of mlkit.train.EarlyStopping (mode defaults from the monitor).",
    **{**option_fields(signature_options(callbacks.EarlyStopping, skip=("restore_best",))),
       "monitor": (MonitorName, Field("val_loss", description="Metric watched."))})


LOOP_OPTIONS = ("epochs", "batch_size", "shuffle", "last_batch", "clip_grad_norm",
                "clip_grad_value", "eval_every", "jit", "profile")
"""The options of :func:`mlkit.train.fit` that a config sets: declared once, in its signature."""


Training = derived_section(
    "Training", Section, __module__=__name__,
    __doc__="The training loop: the options of mlkit.train.fit, the run's seed and dtype, and "
            "early stopping.",
    **option_fields(signature_options(fit, skip=tuple(
        name for name in inspect.signature(fit).parameters if name not in LOOP_OPTIONS))),
    seed=(NonNegativeInt, Field(0, description="Seed of initialization, shuffling and dropout; "
                                               "equal seeds give equal runs.")),
    dtype=(Literal["float32", "float64"], Field("float64", description="Floating type of data "
                                                                       "and parameters.")),
    early_stopping=(EarlyStopping | None, Field(None, description=(
        "Stop early when the monitored metric stalls; null trains for all epochs."))))

# ----------------------------------------------------------------------------- output, baseline


class Output(Section):
    """Where a run's files go."""

    dir: Annotated[str, Field(min_length=1)] = "runs"
    """Root of run directories: <dir>/<name>/<timestamp>/."""
    save_plots: bool = True
    """Draw curves.png with the loss and metric curves."""


class Baseline(Section):
    """The scikit-learn model trained on the same split for comparison."""

    name: BaselineName = "auto"
    """off; auto picks logistic_regression, ridge or mlp to match the model; or a name."""
    max_iter: PositiveInt = 1000
    """Iteration budget of the scikit-learn solver."""

    @field_validator("name", mode="before")
    @classmethod
    def _unquoted_off(cls, value):
        """YAML reads an unquoted ``off`` as false; it means the baseline is off."""
        return "off" if value is False else value

