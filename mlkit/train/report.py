"""What a run tells its user: the summary.json file and the tables printed by the CLI."""

from __future__ import annotations

import numpy as np

from mlkit.metrics import confusion_matrix, per_class
from mlkit.train.heads import Head
from mlkit.train.run import RunDir, RunResult, package_versions

__all__ = ["class_report", "comparison_table", "confusion_table", "gradcheck_table",
           "interval_table", "majority_note", "metric_cell", "metrics_table", "summary",
           "text_table", "write_summary"]

_PROBABILITIES = (("accuracy", "accuracy"), ("log_loss", "log-loss"))
_SHOWN = {"binary": _PROBABILITIES, "multiclass": _PROBABILITIES,
          "scores": (("accuracy", "accuracy"), ("f1_macro", "F1 (macro)")),
          "regression": (("r2", "R2"), ("rmse", "RMSE"))}
"""The two metrics a table shows first, by head."""


def summary(name: str, dataset: str, model: str, requested_epochs: int, head: Head,
            result: RunResult, baseline=None, total_seconds: float | None = None,
            optimizer=None) -> dict:
    """The summary.json content: ``test`` and ``baseline`` metrics by the same names, timing,
    epochs (with a full-batch ``optimizer``'s own stop ``reason``) and package versions.
    ``baseline`` is a :class:`BaselineResult`-like object."""
    history = result.history
    epochs = len(history)
    return {
        "name": name,
        "dataset": dataset,
        "model": model,
        "task": "classification" if head.is_classifier else "regression",
        "run_dir": str(result.run.path) if result.run else None,
        "test": dict(result.test),
        "baseline": None if baseline is None else dict(baseline.test),
        "baseline_model": None if baseline is None else baseline.description,
        "baseline_note": None if baseline is None else baseline.note,
        "epochs": {"completed": epochs, "requested": requested_epochs,
                   "best": result.best_epoch, "stop_reason": history.stop_reason,
                   "optimizer_reason": getattr(optimizer, "reason", None)},
        "timing": {"fit_seconds": result.fit_seconds,
                   "seconds_per_epoch": result.fit_seconds / epochs if epochs else None,
                   "baseline_fit_seconds": None if baseline is None else baseline.fit_seconds,
                   "total_seconds": total_seconds},
        "versions": package_versions(),
    }


def write_summary(run: RunDir, config, plan, result: RunResult, baseline=None,
                  total_seconds: float | None = None) -> dict:
    """Write ``summary.json`` for a run built from ``config``; returns its content."""
    content = summary(config.name, config.data.dataset, config.model.name,
                      config.training.epochs, plan.head, result, baseline, total_seconds,
                      plan.optimizer)
    run.write_json(RunDir.SUMMARY, content)
    return content


def text_table(rows: list[list[str]], left: int = 1) -> str:
    """Rows of cells as aligned text: the first ``left`` columns left, the others right (as
    numbers read best), a rule under the header row."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) if i < left else cell.rjust(width)
                 for i, (cell, width) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def metric_cell(value) -> str:
    """A metric as a table shows it: four decimals, or ``-`` when it is missing or NaN."""
    return "-" if value is None or np.isnan(value) else f"{value:.4f}"


def _shown(head: Head, names) -> tuple[tuple[str, str], ...]:
    """(key, column label) of the metrics a table shows: the chosen ones, or the main two."""
    return tuple((name, name) for name in names) if names else _SHOWN[head.kind]


def comparison_table(head: Head, result: RunResult, baseline=None, names=()) -> str:
    """mlkit vs the scikit-learn baseline on the test split, with fit times; ``names`` are the
    metrics shown (default: accuracy and log-loss, accuracy and macro F1 for class scores,
    or R2 and RMSE)."""
    shown = _shown(head, names)
    rows = [["model"] + [label for _, label in shown] + ["fit time (s)"]]
    rows.append(["mlkit"] + [metric_cell(result.test.get(key)) for key, _ in shown]
                + [f"{result.fit_seconds:.2f}"])
    if baseline is not None:
        rows.append([f"scikit-learn {baseline.description}"]
                    + [metric_cell(baseline.test.get(key)) for key, _ in shown]
                    + [f"{baseline.fit_seconds:.2f}"])
    epochs = len(result.history)
    text = (f"test metrics ({epochs} epoch{'s' * (epochs != 1)}, "
            f"best epoch {result.best_epoch}):\n")
    text += text_table(rows)
    if baseline is not None and baseline.note:
        text += f"\nbaseline note: {baseline.note}"
    return text


def majority_note(head: Head, y_test, test: dict, classes, weighted: bool) -> str | None:
    """A note when a classifier's test accuracy is no better than always predicting the test
    rows' most common class: with classes this unequal, accuracy says nothing of the rare
    ones. Unless the training rows are ``weighted`` already, it says to weigh the classes.
    None otherwise (and without accuracy or a class target)."""
    if not head.is_classifier or "accuracy" not in test or len(y_test) == 0:
        return None
    counts = np.bincount(np.asarray(y_test, dtype=np.int64).ravel(), minlength=len(classes))
    common = int(np.argmax(counts))
    share = counts[common] / counts.sum()
    if test["accuracy"] > share:
        return None
    rare = "roc_auc, average_precision" if len(classes) == 2 else "balanced_accuracy, f1_macro"
    return (f"note: test accuracy {test['accuracy']:.4f} is no better than always predicting "
            f"{str(classes[common])!r} ({share:.4f} of the {counts.sum()} test rows); "
            + ("" if weighted else "weigh the classes (loss.class_weight: balanced) and ")
            + f"judge by metrics that see the rare ones (metrics: [{rare}])")


def metrics_table(head: Head, scores: dict) -> str:
    """One metric per line, the head's main metrics first."""
    return text_table([["metric", "value"]] + [[key, metric_cell(scores[key])]
                                           for key in _ordered(head, list(scores))])


def _ordered(head: Head, names) -> list[str]:
    first = [key for key, _ in _SHOWN[head.kind] if key in names]
    return first + [key for key in names if key not in first]


def _interval(interval) -> str:
    return f"[{metric_cell(interval.low)}, {metric_cell(interval.high)}]"


FEW_UNITS = 10
"""Below this many rows (or groups) to resample, a bootstrap interval is flagged as rough."""


def interval_table(head: Head, boot, baseline_name: str = "") -> str:
    """Each metric with its bootstrap interval (a :class:`mlkit.metrics.Bootstrap`), and with
    a baseline also the baseline's and the paired difference mlkit - baseline, starred where
    its interval excludes 0; then what the intervals are and any resamples left out."""
    level = f"{100 * boot.confidence:g}%"
    header = ["metric", "mlkit", f"{level} interval"]
    if boot.baseline is not None:
        header += ["baseline", f"{level} interval", "mlkit - baseline", f"{level} interval"]
    rows = [header]
    for name in _ordered(head, list(boot.model)):
        row = [name, metric_cell(boot.model[name].value), _interval(boot.model[name])]
        if boot.baseline is not None:
            difference = boot.difference[name]
            star = " *" if difference.excludes(0.0) else "  "
            row += [metric_cell(boot.baseline[name].value), _interval(boot.baseline[name]),
                    "-" if np.isnan(difference.value) else f"{difference.value:+.4f}",
                    _interval(difference) + star]
        rows.append(row)
    lines = [text_table(rows)]
    drawn = f"the {boot.n_rows} rows (seed {boot.seed})" if boot.n_groups is None else (
        f"the {boot.n_groups} groups ({boot.n_rows} rows; whole groups drawn; seed {boot.seed})")
    lines.append(f"{level} percentile bootstrap intervals over {boot.n_resamples} resamples of "
                 f"{drawn}.")
    units = boot.n_rows if boot.n_groups is None else boot.n_groups
    if units < FEW_UNITS:
        lines.append(f"caution: only {units} {'rows' if boot.n_groups is None else 'groups'} "
                     "to resample, so the intervals rest on few distinct draws and are rough; "
                     "score more rows (or groups), or use mlkit cv.")
    if boot.baseline is not None:
        lines.append(f"baseline: scikit-learn {baseline_name}, on the same rows and resamples; "
                     "* marks a difference whose interval excludes 0.")
    for name in boot.model:
        # a difference is undefined where either model's value is
        missing = (boot.difference or boot.model)[name].undefined
        if missing:
            lines.append(f"{name}: undefined in {missing} of {boot.n_resamples} resamples "
                         "(e.g. a class absent from the resample); its intervals use the "
                         "others.")
    return "\n".join(lines)


def class_report(y_true, y_pred, classes: list[str]) -> str:
    """Per-class precision, recall, F1 and support, then their macro and weighted means."""
    table = per_class(y_true, y_pred, np.arange(len(classes)))
    rows = [["class", "precision", "recall", "f1", "support"]]
    for i, name in enumerate(classes):
        rows.append([str(name)] + [f"{table[key][i]:.4f}" for key in ("precision", "recall", "f1")]
                    + [str(int(table["support"][i]))])
    support = table["support"]
    for label, weights in (("macro avg", None), ("weighted avg", support)):
        rows.append([label] + [f"{np.average(table[key], weights=weights):.4f}"
                               for key in ("precision", "recall", "f1")]
                    + [str(int(support.sum()))])
    return text_table(rows)


def confusion_table(y_true, y_pred, classes: list[str]) -> str:
    """The confusion matrix as text: a row per true class, a column per predicted class."""
    counts = confusion_matrix(y_true, y_pred, np.arange(len(classes)))
    names = [str(name) for name in classes]
    rows = [["true \\ predicted"] + names]
    rows += [[name] + [str(int(c)) for c in row] for name, row in zip(names, counts)]
    return text_table(rows)


def gradcheck_table(results) -> str:
    """Per-parameter gradient-check results."""
    rows = [["parameter", "shape", "entries", "max abs error", "max rel error", "ok"]]
    for r in results:
        rows.append([r.name, "x".join(map(str, r.shape)) or "()", str(r.checked),
                     f"{r.max_abs_error:.2e}", f"{r.max_rel_error:.2e}",
                     "yes" if r.ok() else "NO"])
    return text_table(rows)
