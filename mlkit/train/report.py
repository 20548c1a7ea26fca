"""What a run tells its user: the summary.json file and the tables printed by the CLI."""

from __future__ import annotations

from mlkit.train.heads import Head
from mlkit.train.run import RunDir, RunResult, package_versions

__all__ = ["comparison_table", "gradcheck_table", "metrics_table", "summary", "write_summary"]

_SHOWN = {True: (("accuracy", "accuracy"), ("log_loss", "log-loss")),
          False: (("r2", "R2"), ("rmse", "RMSE"))}


def summary(name: str, dataset: str, model: str, requested_epochs: int, head: Head,
            result: RunResult, baseline=None, total_seconds: float | None = None) -> dict:
    """The summary.json content: ``test`` and ``baseline`` metrics by the same names, timing,
    epochs and package versions. ``baseline`` is a :class:`BaselineResult`-like object."""
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
                   "best": result.best_epoch, "stop_reason": history.stop_reason},
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
                      config.training.epochs, plan.head, result, baseline, total_seconds)
    run.write_json(RunDir.SUMMARY, content)
    return content


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _number(value) -> str:
    return "-" if value is None else f"{value:.4f}"


def comparison_table(head: Head, result: RunResult, baseline=None) -> str:
    """mlkit vs the scikit-learn baseline on the test split, with fit times."""
    shown = _SHOWN[head.is_classifier]
    rows = [["model"] + [label for _, label in shown] + ["fit time (s)"]]
    rows.append(["mlkit"] + [_number(result.test.get(key)) for key, _ in shown]
                + [f"{result.fit_seconds:.2f}"])
    if baseline is not None:
        rows.append([f"scikit-learn {baseline.description}"]
                    + [_number(baseline.test.get(key)) for key, _ in shown]
                    + [f"{baseline.fit_seconds:.2f}"])
    text = f"test metrics ({len(result.history)} epochs, best epoch {result.best_epoch}):\n"
    text += _table(rows)
    if baseline is not None and baseline.note:
        text += f"\nbaseline note: {baseline.note}"
    return text


def metrics_table(head: Head, scores: dict) -> str:
    """One metric per line, the head's main metrics first."""
    first = [key for key, _ in _SHOWN[head.is_classifier]]
    keys = first + [key for key in scores if key not in first]
    return _table([["metric", "value"]] + [[key, _number(scores[key])] for key in keys])


def gradcheck_table(results) -> str:
    """Per-parameter gradient-check results."""
    rows = [["parameter", "shape", "entries", "max abs error", "max rel error", "ok"]]
    for r in results:
        rows.append([r.name, "x".join(map(str, r.shape)) or "()", str(r.checked),
                     f"{r.max_abs_error:.2e}", f"{r.max_rel_error:.2e}",
                     "yes" if r.ok() else "NO"])
    return _table(rows)
