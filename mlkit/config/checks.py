"""Checks across sections: settings that are each valid but cannot work together.

Run by the Config model's validator once every section has passed its own checks, so that all
conflicts are reported at once, each with the path of the setting to change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlkit.metrics import averaged_forms
from mlkit.optim.group_values import group_values
from mlkit.optim.schedules import momentum_name
from mlkit.optim.validation import whole_data_conflicts
from mlkit.options import OptionConflict, takes_per_group
from mlkit.registry import LOSSES, METRICS, OPTIMIZERS, SCHEDULES

from .errors import Problem, choices
from .sections import Data
from .tables import (
    BASELINE_TASKS,
    COMPONENT_NAMES,
    DATASETS,
    LOSS_TASKS,
    MODEL_LOSSES,
    MODEL_TASKS,
    MONITOR_MODES,
    MONITOR_TASKS,
)

if TYPE_CHECKING:
    from .schema import Config


def _monitors(config: Config) -> list[tuple[str, str]]:
    """(path, monitor) of every metric the run watches."""
    found = []
    if config.training.early_stopping is not None:
        found.append(("training.early_stopping.monitor", config.training.early_stopping.monitor))
    if config.schedule.name == "plateau":
        found.append(("schedule.monitor", config.schedule.monitor))
    return found


def metric_uses(config: Config) -> list[tuple[str, str]]:
    """(path, metric name) of every metric the run computes by choice: the ``metrics`` list
    and the monitors ``val_<metric>``."""
    found = [(f"metrics[{i}]", name) for i, name in enumerate(config.metrics or ())]
    found += [(path, monitor.removeprefix("val_")) for path, monitor in _monitors(config)
              if monitor.removeprefix("val_") in METRICS]
    return found


def metric_problems(config: Config, n_classes: int | None, has: str = "") -> list[Problem]:
    """Chosen metrics the model cannot feed: a binary metric on more than two classes (when
    ``n_classes`` is known; ``has`` says where that count comes from), or a probability metric
    of a loss that gives scores, not probabilities."""
    problems = []
    for path, name in metric_uses(config):
        metric = METRICS[name]
        if metric.binary and n_classes is not None and n_classes > 2:
            problems.append(Problem(path, f"is the positive class's {name} of a binary task, but "
                                    f"{has}", name, f"use {' or '.join(averaged_forms(name))}"))
        if metric.reads in ("proba", "positive") and LOSSES[config.loss.name].head == "scores":
            problems.append(Problem(path, f"needs class probabilities, but loss "
                                    f"'{config.loss.name}' trains scores, not probabilities",
                                    name, "choose a label metric (accuracy, f1_macro, ...) or "
                                    "loss cross_entropy"))
    return problems


_TASK_TABLES = {"model.name": MODEL_TASKS, "loss.name": LOSS_TASKS,
                "baseline.name": {name: BASELINE_TASKS.get(name) for name in COMPONENT_NAMES[
                    "baseline"]},
                "monitor": {name: MONITOR_TASKS.get(name) for name in MONITOR_MODES},
                "metrics": {name: metric.task for name, metric in METRICS.items()}}


def task_problems(config: Config) -> list[Problem]:
    """Settings that imply classification while others imply regression (or the reverse)."""
    claims = []
    facts = DATASETS[config.data.dataset]
    if facts.task is not None:
        claims.append(("data.dataset", config.data.dataset, facts.task))
    elif config.data.csv is not None and config.data.csv.task is not None:
        claims.append(("data.csv.task", config.data.csv.task, config.data.csv.task))
    if MODEL_TASKS[config.model.name] is not None:
        claims.append(("model.name", config.model.name, MODEL_TASKS[config.model.name]))
    else:
        claims.append(("loss.name", config.loss.name, LOSS_TASKS[config.loss.name]))
    claims += [(path, m, MONITOR_TASKS[m]) for path, m in _monitors(config) if m in MONITOR_TASKS]
    claims += [(f"metrics[{i}]", m, METRICS[m].task) for i, m in enumerate(config.metrics or ())]
    if config.baseline.name in BASELINE_TASKS:
        claims.append(("baseline.name", config.baseline.name, BASELINE_TASKS[config.baseline.name]))
    problems = []
    for path, value, task in claims[1:]:
        first_path, first_value, first_task = claims[0]
        if task != first_task:
            table = _TASK_TABLES["monitor" if path.endswith("monitor") else
                                 "metrics" if path.startswith("metrics") else path]
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


def component_problems(config: Config) -> list[Problem]:
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
        problems.extend(binary_on_many_classes(model, loss, where))
    problems.extend(metric_problems(config, n_classes, f"data.dataset '{config.data.dataset}' "
                                    f"has {n_classes} classes"))
    name, training = config.optimizer.name, config.training
    if OPTIMIZERS[name].build.full_batch:
        config_fix = {"batch_size": "set training.batch_size: full"}
        problems += [Problem.of(conflict, f"training.{conflict.option}",
                                config_fix.get(conflict.option)) for conflict in
                     whole_data_conflicts(name, training.batch_size, training.clip_grad_norm,
                                          training.clip_grad_value)]
    for path, monitor in _monitors(config):
        if monitor.startswith("val_") and config.data.split.val == 0:
            problems.append(Problem(path, "needs a validation set, but data.split.val is 0",
                                    monitor, "set data.split.val (e.g. 0.2) or monitor train_loss"))
    problems.extend(_schedule_problems(config.schedule, config.training.epochs))
    problems.extend(group_value_problems(config))
    if getattr(config.schedule, "cycle_momentum", False):
        try:
            momentum_name(config.optimizer, name)
        except OptionConflict as conflict:
            problems.append(Problem.of(conflict, "schedule.cycle_momentum"))
    if config.baseline.name == "mlp" and model != "mlp":
        problems.append(Problem("baseline.name", f"mlp copies model.hidden, but model is '{model}'",
                                "mlp", "use auto, or a linear baseline"))
    return problems


def _schedule_problems(schedule, epochs: int) -> list[Problem]:
    """A warmup as long as its schedule, and an interval the schedule cannot step at."""
    problems = warmup_problems(schedule, epochs)
    component = SCHEDULES[schedule.name]
    for target in (component.build, *component.passes_to):
        try:
            getattr(target, "check_interval", lambda interval: None)(schedule.interval)
        except OptionConflict as conflict:
            problems.append(Problem.of(conflict, "schedule.interval"))
    return problems


def group_value_problems(config: Config) -> list[Problem]:
    """Schedule options listing one value per parameter group, of a length other than the
    optimizer's groups: ``optimizer.groups`` and the rest, or one group without them."""
    groups = getattr(config.optimizer, "groups", None)
    count = len(groups) + 1 if groups else 1
    problems = []
    for option in SCHEDULES[config.schedule.name].options():
        value = getattr(config.schedule, option.name, None)
        if isinstance(value, list) and takes_per_group(option.hint):
            try:
                group_values(config.schedule.name, option.name, value, count,
                             "optimizer.groups, then the rest")
            except OptionConflict as conflict:
                problems.append(Problem.of(conflict, f"schedule.{option.name}"))
    return problems


def warmup_problems(schedule, epochs: int, steps_per_epoch: int | None = None) -> list[Problem]:
    """A warmup of ``warmup_epochs`` epochs not shorter than its schedule: the run's ``epochs``,
    or ``t_max`` steps (epochs, or batches under schedule.interval: batch, for which
    ``steps_per_epoch`` is needed: None until the data is known)."""
    if schedule.name not in ("linear_warmup", "warmup_cosine"):
        return []
    t_max = getattr(schedule, "t_max", None)
    if t_max is None:
        if schedule.warmup_epochs < epochs:
            return []
        return [Problem("schedule.warmup_epochs", f"must be shorter than the {epochs} epochs of "
                        "the run", schedule.warmup_epochs, "lower it or raise training.epochs")]
    per = 1 if schedule.interval == "epoch" else steps_per_epoch
    if per is None or schedule.warmup_epochs * per < t_max:
        return []
    unit = "epochs" if schedule.interval == "epoch" else "batches"
    each = "" if schedule.interval == "epoch" else f" ({per} per epoch)"
    return [Problem("schedule.warmup_epochs", f"is {schedule.warmup_epochs * per} {unit}{each}, "
                    f"not shorter than schedule.t_max ({t_max} {unit})", schedule.warmup_epochs,
                    "lower it or raise schedule.t_max")]


def binary_on_many_classes(model: str, loss: str, has: str) -> list:
    """The problems of a binary model or loss on data with more than two classes.

    ``has`` says what the data holds, e.g. "data.dataset 'wine' has 3 classes"; the check runs
    statically where the class count is known, and again after the data is loaded.
    """
    if model == "logistic_regression":
        return [Problem("model.name", f"is binary, but {has}", model,
                        "use softmax_regression (with loss cross_entropy)")]
    if loss == "binary_cross_entropy":
        return [Problem("loss.name", f"is for two classes, but {has}", loss, "use cross_entropy")]
    return []
