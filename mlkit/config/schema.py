"""The typed schema of a training config: one pydantic model per YAML section.

Every section forbids unknown keys and every field says what it means, so a config is checked
completely before any data is loaded. Components chosen by name (optimizer, schedule, model,
loss) are discriminated unions on `name`: each name accepts only its own options.
The names themselves are listed once, in the "Component names" block below.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NamedTuple, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import Problem, choices, did_you_mean

# ----------------------------------------------------------------------------- Component names
# config/build.py must map every name below to a component; COMPONENT_NAMES lets it check that.

DatasetName = Literal["iris", "wine", "breast_cancer", "digits", "diabetes", "make_classification",
                      "make_moons", "make_circles", "make_regression", "csv"]
ModelName = Literal["logistic_regression", "softmax_regression", "linear_regression", "mlp"]
ActivationName = Literal["relu", "leaky_relu", "elu", "gelu", "silu", "tanh", "sigmoid", "softplus"]
InitName = Literal["zeros", "normal", "uniform", "glorot_normal", "glorot_uniform", "he_normal",
                   "he_uniform", "lecun_normal"]
LossName = Literal["cross_entropy", "binary_cross_entropy", "mse", "l1", "huber", "hinge"]
OptimizerName = Literal["sgd", "adam", "adamw", "rmsprop", "adagrad", "lbfgs"]
ScheduleName = Literal["none", "step", "multistep", "exponential", "cosine", "warmup_cosine",
                       "linear_warmup", "onecycle", "plateau"]
MonitorName = Literal["train_loss", "val_loss", "val_accuracy", "val_log_loss", "val_r2",
                      "val_rmse", "val_mae"]
BaselineName = Literal["off", "auto", "logistic_regression", "ridge", "linear_regression", "mlp"]
ImputeName = Literal["none", "mean", "median", "most_frequent", "drop"]

COMPONENT_NAMES: dict[str, tuple[str, ...]] = {
    "dataset": get_args(DatasetName), "model": get_args(ModelName),
    "activation": get_args(ActivationName), "init": get_args(InitName),
    "loss": get_args(LossName), "optimizer": get_args(OptimizerName),
    "schedule": get_args(ScheduleName), "monitor": get_args(MonitorName),
    "baseline": get_args(BaselineName), "impute": get_args(ImputeName),
}

# ----------------------------------------------------------------------------- Static facts
# What can be known about a config without loading data, for the cross-field checks.


class DatasetFacts(NamedTuple):
    """A named data set's task, its class count (None: regression or set by a parameter),
    the parameter that sets the class count, and the parameters its loader accepts."""

    task: str | None
    n_classes: int | None
    class_param: str | None
    params: tuple[str, ...]


_MOONS = ("n_samples", "shuffle", "noise", "random_state")
DATASETS: dict[str, DatasetFacts] = {
    "iris": DatasetFacts("classification", 3, None, ()),
    "wine": DatasetFacts("classification", 3, None, ()),
    "breast_cancer": DatasetFacts("classification", 2, None, ()),
    "digits": DatasetFacts("classification", 10, "n_class", ("n_class",)),
    "diabetes": DatasetFacts("regression", None, None, ("scaled",)),
    "make_classification": DatasetFacts("classification", 2, "n_classes", (
        "n_samples", "n_features", "n_informative", "n_redundant", "n_repeated", "n_classes",
        "n_clusters_per_class", "weights", "flip_y", "class_sep", "hypercube", "shift", "scale",
        "shuffle", "random_state")),
    "make_moons": DatasetFacts("classification", 2, None, _MOONS),
    "make_circles": DatasetFacts("classification", 2, None, _MOONS + ("factor",)),
    "make_regression": DatasetFacts("regression", None, None, (
        "n_samples", "n_features", "n_informative", "bias", "effective_rank", "tail_strength",
        "noise", "shuffle", "random_state")),
    "csv": DatasetFacts(None, None, None, ()),
}
MODEL_TASKS = {"logistic_regression": "classification", "softmax_regression": "classification",
               "linear_regression": "regression", "mlp": None}
MODEL_LOSSES = {"logistic_regression": ("binary_cross_entropy",),
                "softmax_regression": ("cross_entropy",),
                "linear_regression": ("mse", "l1", "huber"), "mlp": get_args(LossName)}
LOSS_TASKS = {"cross_entropy": "classification", "binary_cross_entropy": "classification",
              "hinge": "classification", "mse": "regression", "l1": "regression",
              "huber": "regression"}
MONITOR_MODES = {"train_loss": "min", "val_loss": "min", "val_accuracy": "max",
                 "val_log_loss": "min", "val_r2": "max", "val_rmse": "min", "val_mae": "min"}
MONITOR_TASKS = {"val_accuracy": "classification", "val_log_loss": "classification",
                 "val_r2": "regression", "val_rmse": "regression", "val_mae": "regression"}
BASELINE_TASKS = {"logistic_regression": "classification", "ridge": "regression",
                  "linear_regression": "regression"}

# ----------------------------------------------------------------------------- Value types


def _number_from_text(value: Any) -> Any:
    """YAML 1.1 reads `1e-3` (no dot) as text; take such text as the number it spells."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _one_error(expected: str):
    """Report a failed union as one error saying what is expected, not one per member."""
    def validate(value, handler):
        try:
            return handler(value)
        except ValueError:
            raise PydanticCustomError("invalid_value", f"must be {expected}") from None
    return WrapValidator(validate)


Float = Annotated[float, BeforeValidator(_number_from_text), Field(allow_inf_nan=False)]
PositiveFloat = Annotated[Float, Field(gt=0)]
NonNegativeFloat = Annotated[Float, Field(ge=0)]
Fraction = Annotated[Float, Field(ge=0, lt=1)]
PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
BatchSize = Annotated[PositiveInt | Literal["full"], _one_error("an integer >= 1 or 'full'")]
ClassWeight = Annotated[Literal["none", "balanced"] | dict[int | str, PositiveFloat],
                        _one_error("'none', 'balanced' or a mapping of class label to weight > 0")]
Betas = Annotated[list[Fraction], Field(min_length=2, max_length=2)]
RunName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]


def conflicts(problems: list[Problem]) -> None:
    """Raise the cross-field problems found by a section's validator, all at once."""
    if problems:
        raise PydanticCustomError("config_conflict", "conflicting settings", {"problems": problems})


class Section(BaseModel):
    """Base of every section: unknown keys rejected, no silent type coercion, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True,
                              use_attribute_docstrings=True)


def _with_mode(data: Any) -> Any:
    """Fill `mode` from the monitor's direction (loss/error: min, accuracy/r2: max) when absent."""
    if isinstance(data, dict) and "mode" not in data:
        monitor = data.get("monitor", "val_loss")
        known = isinstance(monitor, str) and monitor in MONITOR_MODES
        return {**data, "mode": MONITOR_MODES[monitor] if known else "min"}
    return data


def _mode_problems(monitor: str, mode: str) -> list[Problem]:
    if mode != MONITOR_MODES[monitor]:
        better = "higher" if MONITOR_MODES[monitor] == "max" else "lower"
        return [Problem("mode", f"contradicts monitor '{monitor}', for which {better} is better",
                        mode, f"use mode: {MONITOR_MODES[monitor]}, or leave mode out")]
    return []

# ----------------------------------------------------------------------------- data


class CsvSource(Section):
    """A table read from a CSV file; used when `data.dataset` is `csv`."""

    path: Annotated[str, Field(min_length=1)]
    """CSV file, relative to the directory mlkit is run from."""
    target: Annotated[str, Field(min_length=1)]
    """Column holding the value to predict."""
    features: list[str] | None = None
    """Columns used as inputs; null means every column except the target."""
    categorical: list[str] = []
    """Input columns holding categories; each is one-hot encoded."""
    impute: ImputeName = "none"
    """Missing inputs: none (an error); mean or median (numeric columns; categorical ones take
    their most frequent value); most_frequent; or drop (remove incomplete rows)."""
    task: Literal["auto", "classification", "regression"] = "auto"
    """auto: classification when the target is text or a few distinct integers, else regression."""

    @model_validator(mode="after")
    def _columns_agree(self) -> CsvSource:
        problems = []
        for key in ("features", "categorical"):
            columns = getattr(self, key) or []
            repeated = sorted({c for c in columns if columns.count(c) > 1})
            if repeated:
                problems.append(Problem(key, "lists a column more than once", repeated))
            if self.target in columns:
                problems.append(Problem(key, f"includes the target column '{self.target}'",
                                        columns, "the target cannot also be an input"))
        if self.features is not None:
            outside = [c for c in self.categorical if c not in self.features]
            if outside:
                problems.append(Problem("categorical", "names columns missing from features",
                                        outside, "add them to features or drop them here"))
        conflicts(problems)
        return self


class Split(Section):
    """How the rows are divided into train, validation and test sets."""

    val: Fraction = 0.2
    """Fraction of rows held out for validation (early stopping, plateau, best checkpoint)."""
    test: Annotated[Float, Field(gt=0, lt=1)] = 0.2
    """Fraction of rows held out for the final test, never seen in training."""
    stratify: bool = True
    """Keep class proportions equal across splits (classification targets only)."""
    seed: NonNegativeInt = 0
    """Seed of the split's shuffle."""

    @model_validator(mode="after")
    def _leaves_training_rows(self) -> Split:
        if self.val + self.test >= 1:
            conflicts([Problem("test", f"val + test must be < 1 to leave rows for training, "
                               f"but val is {self.val}", self.test, "lower val or test")])
        return self


class Data(Section):
    """Where the examples come from and how they are prepared."""

    dataset: DatasetName
    """A bundled scikit-learn data set, a synthetic generator (make_*), or csv."""
    params: dict[str, Any] = {}
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
        allowed = DATASETS[dataset].params
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


# ----------------------------------------------------------------------------- model


class LinearModel(Section):
    """A single linear layer: logistic (binary), softmax (multiclass) or linear regression."""

    name: Literal["logistic_regression", "softmax_regression", "linear_regression"]
    """Which linear model."""
    init: InitName = "zeros"
    """Weight initializer; zeros is fine for a convex objective."""
    bias: bool = True
    """Learn an intercept."""


def _with_init(data: Any) -> Any:
    """Default `init` to the activation's usual scheme: He for ReLU-like, Glorot otherwise."""
    if isinstance(data, dict) and "init" not in data:
        smooth = data.get("activation") in ("tanh", "sigmoid", "softplus")
        return {**data, "init": "glorot_uniform" if smooth else "he_normal"}
    return data


class Mlp(Section):
    """A multilayer perceptron: Linear -> [BatchNorm] -> activation -> [Dropout] per hidden layer."""

    name: Literal["mlp"]
    """Multilayer perceptron."""
    hidden: Annotated[list[PositiveInt], Field(min_length=1)]
    """Width of each hidden layer, e.g. [128, 64]."""
    activation: ActivationName = "relu"
    """Nonlinearity after each hidden layer."""
    dropout: Fraction = 0.0
    """Probability of zeroing a hidden unit while training; 0 disables dropout."""
    batch_norm: bool = False
    """Batch normalization before each activation."""
    init: InitName
    """Weight initializer; defaults to he_normal, or glorot_uniform for tanh/sigmoid/softplus."""
    bias: bool = True
    """Learn a bias in every layer."""

    _default_init = model_validator(mode="before")(_with_init)


Model = Annotated[LinearModel | Mlp, Field(discriminator="name")]

# ----------------------------------------------------------------------------- loss


class _Penalties(Section):
    """Weight penalties shared by every loss; biases are never penalized."""

    name: str
    l2: NonNegativeFloat = 0.0
    """Adds l2/2 * sum(w**2) over the weights to the mean loss (scikit-learn's C = 1/(n*l2))."""
    l1: NonNegativeFloat = 0.0
    """Adds l1 * sum(|w|) over the weights to the mean loss."""


class CrossEntropy(_Penalties):
    """Softmax cross-entropy on logits, for multiclass (or binary) classification."""

    name: Literal["cross_entropy"]
    label_smoothing: Fraction = 0.0
    """Mix the one-hot target with the uniform distribution by this amount."""
    class_weight: ClassWeight = "none"
    """none, balanced (inverse class frequency), or {label: weight}."""


class BinaryCrossEntropy(_Penalties):
    """Sigmoid cross-entropy on one logit, for two-class problems."""

    name: Literal["binary_cross_entropy"]
    class_weight: ClassWeight = "none"
    """none, balanced (inverse class frequency), or {label: weight}."""


class Hinge(_Penalties):
    """Multiclass hinge (SVM) loss on the logits."""

    name: Literal["hinge"]
    margin: PositiveFloat = 1.0
    """Required gap between the true class's score and the others'."""
    class_weight: ClassWeight = "none"
    """none, balanced (inverse class frequency), or {label: weight}."""


class PlainRegressionLoss(_Penalties):
    """Mean squared error (mse) or mean absolute error (l1), for regression."""

    name: Literal["mse", "l1"]


class Huber(_Penalties):
    """Squared error below delta, absolute error above it: robust regression."""

    name: Literal["huber"]
    delta: PositiveFloat = 1.0
    """Where the loss turns from quadratic to linear."""


Loss = Annotated[CrossEntropy | BinaryCrossEntropy | Hinge | PlainRegressionLoss | Huber,
                 Field(discriminator="name")]

# ----------------------------------------------------------------------------- optimizer
# Option names and defaults follow PyTorch's torch.optim, so its documentation applies.


class Sgd(Section):
    """Stochastic gradient descent with optional (Nesterov) momentum."""

    name: Literal["sgd"]
    lr: PositiveFloat = 1e-3
    """Learning rate."""
    momentum: NonNegativeFloat = 0.0
    """Momentum factor; 0 is plain SGD."""
    dampening: NonNegativeFloat = 0.0
    """Dampening of the momentum's gradient term."""
    nesterov: bool = False
    """Nesterov momentum; needs momentum > 0 and dampening 0."""
    weight_decay: NonNegativeFloat = 0.0
    """L2 penalty added to the gradient (on every parameter, unlike loss.l2)."""
    maximize: bool = False
    """Maximize the objective instead of minimizing it."""

    @model_validator(mode="after")
    def _nesterov_needs_momentum(self) -> Sgd:
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            conflicts([Problem("nesterov", "needs momentum > 0 and dampening 0, but momentum is "
                               f"{self.momentum} and dampening {self.dampening}", True,
                               "set momentum (e.g. 0.9) and dampening: 0, or nesterov: false")])
        return self


class Adam(Section):
    """Adam (bias-corrected), optionally AMSGrad."""

    name: Literal["adam"]
    lr: PositiveFloat = 1e-3
    """Learning rate."""
    betas: Betas = [0.9, 0.999]
    """Decay rates of the first and second moment estimates, each in [0, 1)."""
    eps: NonNegativeFloat = 1e-8
    """Added to the denominator for numerical stability."""
    weight_decay: NonNegativeFloat = 0.0
    """L2 penalty added to the gradient (coupled, as in PyTorch's Adam)."""
    amsgrad: bool = False
    """Use the running maximum of the second moment (AMSGrad)."""
    maximize: bool = False
    """Maximize the objective instead of minimizing it."""


class AdamW(Adam):
    """Adam with decoupled weight decay."""

    name: Literal["adamw"]
    weight_decay: NonNegativeFloat = 1e-2
    """Decoupled decay: parameters shrink by lr * weight_decay each step."""


class RmsProp(Section):
    """RMSprop, optionally centered and with momentum."""

    name: Literal["rmsprop"]
    lr: PositiveFloat = 1e-2
    """Learning rate."""
    alpha: Fraction = 0.99
    """Smoothing constant of the squared-gradient average."""
    eps: NonNegativeFloat = 1e-8
    """Added to the denominator for numerical stability."""
    weight_decay: NonNegativeFloat = 0.0
    """L2 penalty added to the gradient."""
    momentum: NonNegativeFloat = 0.0
    """Momentum factor."""
    centered: bool = False
    """Normalize by the gradient's estimated variance instead of its second moment."""
    maximize: bool = False
    """Maximize the objective instead of minimizing it."""


class Adagrad(Section):
    """Adagrad: per-parameter rates shrinking with the accumulated squared gradients."""

    name: Literal["adagrad"]
    lr: PositiveFloat = 1e-2
    """Learning rate."""
    lr_decay: NonNegativeFloat = 0.0
    """The rate at step t is lr / (1 + (t - 1) * lr_decay)."""
    weight_decay: NonNegativeFloat = 0.0
    """L2 penalty added to the gradient."""
    initial_accumulator_value: NonNegativeFloat = 0.0
    """Starting value of the squared-gradient sums."""
    eps: NonNegativeFloat = 1e-10
    """Added to the denominator for numerical stability."""
    maximize: bool = False
    """Maximize the objective instead of minimizing it."""


class Lbfgs(Section):
    """L-BFGS, a quasi-Newton method; one optimizer step per epoch on the full training set."""

    name: Literal["lbfgs"]
    lr: PositiveFloat = 1.0
    """Step length scale."""
    max_iter: PositiveInt = 20
    """Iterations per optimizer step."""
    max_eval: PositiveInt | None = None
    """Function evaluations per step; null means max_iter * 5 / 4."""
    tolerance_grad: NonNegativeFloat = 1e-7
    """Stop a step when the gradient's largest entry falls below this."""
    tolerance_change: NonNegativeFloat = 1e-9
    """Stop a step when the loss or parameters change less than this."""
    history_size: PositiveInt = 100
    """Number of past updates kept to approximate the inverse Hessian."""
    line_search_fn: Literal["strong_wolfe"] | None = None
    """null (fixed step lr) or strong_wolfe."""


Optimizer = Annotated[Sgd | Adam | AdamW | RmsProp | Adagrad | Lbfgs,
                      Field(discriminator="name")]

# ----------------------------------------------------------------------------- schedule
# Learning-rate schedules; every duration is counted in epochs.


class NoSchedule(Section):
    """Constant learning rate."""

    name: Literal["none"]


class StepSchedule(Section):
    """Multiply the rate by gamma every step_size epochs."""

    name: Literal["step"]
    step_size: PositiveInt
    """Epochs between decays."""
    gamma: PositiveFloat = 0.1
    """Decay factor."""


class MultiStepSchedule(Section):
    """Multiply the rate by gamma at each listed epoch."""

    name: Literal["multistep"]
    milestones: Annotated[list[PositiveInt], Field(min_length=1)]
    """Epochs at which to decay, increasing."""
    gamma: PositiveFloat = 0.1
    """Decay factor."""

    @model_validator(mode="after")
    def _increasing(self) -> MultiStepSchedule:
        if any(a >= b for a, b in zip(self.milestones, self.milestones[1:])):
            conflicts([Problem("milestones", "must be strictly increasing", self.milestones)])
        return self


class ExponentialSchedule(Section):
    """Multiply the rate by gamma every epoch."""

    name: Literal["exponential"]
    gamma: PositiveFloat
    """Decay factor per epoch, e.g. 0.95."""


class CosineSchedule(Section):
    """Cosine annealing from lr down to eta_min over t_max epochs."""

    name: Literal["cosine"]
    t_max: PositiveInt | None = None
    """Epochs of one half cosine; null means training.epochs."""
    eta_min: NonNegativeFloat = 0.0
    """Lowest learning rate."""


class LinearWarmup(Section):
    """Raise the rate linearly from start_factor * lr to lr, then hold it."""

    name: Literal["linear_warmup"]
    warmup_epochs: PositiveInt = 5
    """Length of the warmup."""
    start_factor: Annotated[Float, Field(gt=0, le=1)] = 0.1
    """Fraction of lr at the first epoch."""


class WarmupCosine(Section):
    """Linear warmup, then cosine annealing to eta_min by the end of t_max epochs."""

    name: Literal["warmup_cosine"]
    warmup_epochs: PositiveInt = 5
    """Length of the warmup."""
    start_factor: Annotated[Float, Field(gt=0, le=1)] = 0.1
    """Fraction of lr at the first epoch."""
    t_max: PositiveInt | None = None
    """Total epochs, warmup included; null means training.epochs."""
    eta_min: NonNegativeFloat = 0.0
    """Lowest learning rate."""


class OneCycle(Section):
    """1cycle: rise to max_lr, then anneal far below the starting rate (PyTorch's OneCycleLR)."""

    name: Literal["onecycle"]
    max_lr: PositiveFloat | None = None
    """Peak learning rate; null means optimizer.lr."""
    pct_start: Annotated[Float, Field(gt=0, lt=1)] = 0.3
    """Fraction of training spent rising."""
    anneal_strategy: Literal["cos", "linear"] = "cos"
    """Shape of the rise and fall."""
    div_factor: PositiveFloat = 25.0
    """The starting rate is max_lr / div_factor."""
    final_div_factor: PositiveFloat = 1e4
    """The final rate is the starting rate / final_div_factor."""
    three_phase: bool = False
    """Fall back to the starting rate before the final annealing."""


class PlateauSchedule(Section):
    """Multiply the rate by factor when the monitored metric stops improving."""

    name: Literal["plateau"]
    monitor: MonitorName = "val_loss"
    """Metric watched."""
    mode: Literal["min", "max"] = "min"
    """Whether lower or higher is better; defaults from the monitor."""
    factor: Annotated[Float, Field(gt=0, lt=1)] = 0.1
    """Decay factor."""
    patience: NonNegativeInt = 10
    """Evaluations without improvement before decaying."""
    threshold: NonNegativeFloat = 1e-4
    """Smallest change counted as an improvement."""
    threshold_mode: Literal["rel", "abs"] = "rel"
    """Whether threshold is relative to the best value or absolute."""
    cooldown: NonNegativeInt = 0
    """Evaluations to wait after a decay before watching again."""
    min_lr: NonNegativeFloat = 0.0
    """The rate never goes below this."""
    eps: NonNegativeFloat = 1e-8
    """Decays smaller than this are skipped."""

    _default_mode = model_validator(mode="before")(_with_mode)

    @model_validator(mode="after")
    def _mode_agrees(self) -> PlateauSchedule:
        conflicts(_mode_problems(self.monitor, self.mode))
        return self


Schedule = Annotated[
    NoSchedule | StepSchedule | MultiStepSchedule | ExponentialSchedule | CosineSchedule
    | LinearWarmup | WarmupCosine | OneCycle | PlateauSchedule,
    Field(discriminator="name"),
]

# ----------------------------------------------------------------------------- training


class EarlyStopping(Section):
    """Stop when the monitored metric has not improved for `patience` evaluations."""

    monitor: MonitorName = "val_loss"
    """Metric watched."""
    mode: Literal["min", "max"] = "min"
    """Whether lower or higher is better; defaults from the monitor."""
    patience: NonNegativeInt = 10
    """Evaluations without improvement before stopping."""
    min_delta: NonNegativeFloat = 0.0
    """Smallest change counted as an improvement."""

    _default_mode = model_validator(mode="before")(_with_mode)

    @model_validator(mode="after")
    def _mode_agrees(self) -> EarlyStopping:
        conflicts(_mode_problems(self.monitor, self.mode))
        return self


class Training(Section):
    """The training loop."""

    epochs: PositiveInt = 100
    """Passes over the training set (an upper bound with early stopping)."""
    batch_size: BatchSize = 32
    """Rows per step, or full for the whole training set in one batch."""
    seed: NonNegativeInt = 0
    """Seed of initialization, shuffling and dropout; equal seeds give equal runs."""
    dtype: Literal["float32", "float64"] = "float64"
    """Floating type of data and parameters."""
    early_stopping: EarlyStopping | None = None
    """Stop early when the monitored metric stalls; null trains for all epochs."""
    clip_grad_norm: PositiveFloat | None = None
    """Rescale the gradient so its global L2 norm is at most this; null disables."""
    clip_grad_value: PositiveFloat | None = None
    """Clamp every gradient entry to [-value, value]; null disables."""
    eval_every: PositiveInt = 1
    """Epochs between evaluations on the validation set."""
    shuffle: bool = True
    """Reshuffle the training rows every epoch."""
    last_batch: Literal["keep", "drop", "merge"] = "keep"
    """A short final batch is kept, dropped, or merged into the one before."""

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

# ----------------------------------------------------------------------------- the config


class Config(Section):
    """A whole training config, as read from YAML."""

    name: RunName | None = None
    """Run name, used in the run directory; load_config defaults it to the file's stem."""
    data: Data
    """Where the examples come from."""
    model: Model
    """The model trained, chosen by name."""
    loss: Loss
    """The training objective, chosen by name."""
    optimizer: Optimizer = Adam(name="adam")
    """The update rule, chosen by name (default adam); options follow PyTorch's."""
    schedule: Schedule = NoSchedule(name="none")
    """The learning-rate schedule, chosen by name (default none: a constant rate)."""
    training: Training = Training()
    """The training loop."""
    output: Output = Output()
    """Where the run is written."""
    baseline: Baseline = Baseline()

    @field_validator("baseline", mode="before")
    @classmethod
    def _baseline_off(cls, value):
        """``baseline: off`` (false to YAML) switches the whole comparison off."""
        return {"name": "off"} if value is False else value
    """The scikit-learn comparison."""

    @field_validator("optimizer", "schedule", mode="before")
    @classmethod
    def _default_name(cls, section: Any, info: ValidationInfo) -> Any:
        """A section written without `name` keeps the default component: adam, or no schedule."""
        if isinstance(section, dict) and "name" not in section:
            return {"name": cls.model_fields[info.field_name].default.name, **section}
        return section

    @model_validator(mode="after")
    def _sections_agree(self) -> Config:
        conflicts(_task_problems(self) + _component_problems(self))
        return self


def _monitors(config: Config) -> list[tuple[str, str]]:
    """(path, monitor) of every metric the run watches."""
    found = []
    if config.training.early_stopping is not None:
        found.append(("training.early_stopping.monitor", config.training.early_stopping.monitor))
    if isinstance(config.schedule, PlateauSchedule):
        found.append(("schedule.monitor", config.schedule.monitor))
    return found


_TASK_TABLES = {"model.name": MODEL_TASKS, "loss.name": LOSS_TASKS,
                "baseline.name": {name: BASELINE_TASKS.get(name) for name in COMPONENT_NAMES[
                    "baseline"]},
                "monitor": {name: MONITOR_TASKS.get(name) for name in MONITOR_MODES}}


def _task_problems(config: Config) -> list[Problem]:
    """Settings that imply classification while others imply regression (or the reverse)."""
    claims = []
    facts = DATASETS[config.data.dataset]
    if facts.task is not None:
        claims.append(("data.dataset", config.data.dataset, facts.task))
    elif config.data.csv is not None and config.data.csv.task != "auto":
        claims.append(("data.csv.task", config.data.csv.task, config.data.csv.task))
    if MODEL_TASKS[config.model.name] is not None:
        claims.append(("model.name", config.model.name, MODEL_TASKS[config.model.name]))
    else:
        claims.append(("loss.name", config.loss.name, LOSS_TASKS[config.loss.name]))
    claims += [(path, m, MONITOR_TASKS[m]) for path, m in _monitors(config) if m in MONITOR_TASKS]
    if config.baseline.name in BASELINE_TASKS:
        claims.append(("baseline.name", config.baseline.name, BASELINE_TASKS[config.baseline.name]))
    problems = []
    for path, value, task in claims[1:]:
        first_path, first_value, first_task = claims[0]
        if task != first_task:
            table = _TASK_TABLES["monitor" if path.endswith("monitor") else path]
            fitting = [name for name, t in table.items() if t in (first_task, None)]
            problems.append(Problem(path, f"is a {task} choice, but {first_path} '{first_value}' "
                                    f"means {first_task}", value,
                                    f"for {first_task} use one of: {choices(fitting)}"))
    return problems


def _known_classes(data: Data) -> int | None:
    """The class count when the config alone fixes it (bundled sets, generator parameters)."""
    facts = DATASETS[data.dataset]
    given = data.params.get(facts.class_param) if facts.class_param else None
    if isinstance(given, int) and not isinstance(given, bool):
        return given
    return facts.n_classes


def _component_problems(config: Config) -> list[Problem]:
    """Pairings of model, loss, optimizer, schedule and baseline that cannot work."""
    problems = []
    model, loss = config.model.name, config.loss.name
    if loss not in MODEL_LOSSES[model]:
        problems.append(Problem("loss.name", f"{model} is trained with "
                                f"{choices(MODEL_LOSSES[model])}", loss,
                                "change loss.name, or use model.name: mlp for other losses"))
    n_classes = _known_classes(config.data)
    if n_classes is not None and n_classes > 2:
        where = f"data.dataset '{config.data.dataset}' has {n_classes} classes"
        if model == "logistic_regression":
            problems.append(Problem("model.name", f"is binary, but {where}", model,
                                    "use softmax_regression"))
        elif loss == "binary_cross_entropy":
            problems.append(Problem("loss.name", f"is for two classes, but {where}", loss,
                                    "use cross_entropy"))
    if config.optimizer.name == "lbfgs" and config.training.batch_size != "full":
        problems.append(Problem("training.batch_size", "lbfgs takes whole-data steps",
                                config.training.batch_size, "set training.batch_size: full"))
    for path, monitor in _monitors(config):
        if monitor.startswith("val_") and config.data.split.val == 0:
            problems.append(Problem(path, "needs a validation set, but data.split.val is 0",
                                    monitor, "set data.split.val (e.g. 0.2) or monitor train_loss"))
    schedule, epochs = config.schedule, config.training.epochs
    if isinstance(schedule, (LinearWarmup, WarmupCosine)):
        total = getattr(schedule, "t_max", None) or epochs
        if schedule.warmup_epochs >= total:
            problems.append(Problem("schedule.warmup_epochs", f"must be shorter than the {total} "
                                    "epochs of the schedule", schedule.warmup_epochs,
                                    "lower it or raise training.epochs"))
    if config.baseline.name == "mlp" and model != "mlp":
        problems.append(Problem("baseline.name", f"mlp copies model.hidden, but model is '{model}'",
                                "mlp", "use auto, or a linear baseline"))
    return problems
