"""What a sweep reports: results.csv (one row per trial), the summary over seeds, curves.png."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mlkit.experiments.sweep_file import Trial
from mlkit.experiments.trial import TrialOutcome

__all__ = ["curves_png", "headline", "results_frame", "summary_frame", "summary_text"]

HEADLINE = ("final_train_loss", "best_val_loss", "best_val_accuracy", "best_val_r2",
            "test_accuracy", "test_log_loss", "test_r2", "test_rmse", "seconds")


def results_frame(trials: list[Trial], outcomes: dict[int, TrialOutcome]) -> pd.DataFrame:
    """One row per trial that has an outcome: what varied, status, error, why it stopped
    (``stop_reason``; ``optimizer_reason`` when it stalled), metrics (the
    scikit-learn baseline's test metrics as ``baseline_test_<name>``), time."""
    varied = list(dict.fromkeys(key for trial in trials for key in trial.varied))
    rows = []
    for trial in trials:
        outcome = outcomes.get(trial.index)
        if outcome is None:
            continue
        row = {"trial": trial.id}
        row.update({key: trial.varied.get(key) for key in varied})
        row.update({"status": outcome.status, "error": outcome.error, "epochs": outcome.epochs,
                    "best_epoch": outcome.best_epoch or None, "stop_reason": outcome.stop_reason,
                    "optimizer_reason": outcome.optimizer_reason})
        row.update({f"final_{key}": value for key, value in outcome.final.items()})
        row.update({f"best_{key}": value for key, value in outcome.best.items()})
        row.update({f"test_{key}": value for key, value in outcome.test.items()})
        row.update({f"baseline_test_{key}": value for key, value in outcome.baseline.items()})
        row.update({"seconds": outcome.seconds, "group": trial.group,
                    "overrides": " ".join(trial.overrides), "run_dir": outcome.run_dir})
        rows.append(row)
    frame = pd.DataFrame(rows)
    if len(frame) and "best_epoch" in frame:
        frame["best_epoch"] = frame["best_epoch"].astype("Int64")
    return frame


def headline(chosen=()) -> tuple[str, ...]:
    """The columns a sweep summarizes: HEADLINE, plus the best validation and the test value
    of each metric the trials' configs choose."""
    extra = [f"{prefix}_{name}" for name in chosen for prefix in ("best_val", "test")]
    return tuple(dict.fromkeys([*HEADLINE[:-1], *extra, HEADLINE[-1]]))


def summary_frame(results: pd.DataFrame, chosen=()) -> pd.DataFrame:
    """Per group of trials that differ only in seed: count, ok count, mean and std of the
    headline metrics (and of the ``chosen`` ones) over the successful trials (std with
    ddof=1; NaN for one trial)."""
    if results.empty:
        return pd.DataFrame()
    metrics = [name for name in headline(chosen) if name in results]
    rows = []
    for group, frame in results.groupby("group", sort=False):
        ok = frame[frame["status"] == "ok"]
        row = {"group": group, "trials": len(frame), "ok": len(ok)}
        for name in metrics:
            values = pd.to_numeric(ok[name], errors="coerce").dropna()
            row[f"{name}_mean"], row[f"{name}_std"] = values.mean(), values.std()
        rows.append(row)
    return pd.DataFrame(rows)


def _mean_std(mean: float, std: float) -> str:
    if math.isnan(mean):
        return "-"
    return f"{mean:.4g}" if math.isnan(std) else f"{mean:.4g} ± {std:.2g}"


def summary_text(summary: pd.DataFrame) -> str:
    """The summary as a printable table: one row per group, mean ± std per metric."""
    if summary.empty:
        return "(no finished trials)"
    names = [c.removesuffix("_mean") for c in summary.columns if c.endswith("_mean")]
    shown = pd.DataFrame({"setting": summary["group"],
                          "ok": [f"{ok}/{n}" for ok, n in zip(summary["ok"], summary["trials"])]})
    for name in names:
        shown[name] = [_mean_std(m, s) for m, s in zip(summary[f"{name}_mean"],
                                                        summary[f"{name}_std"])]
    return shown.to_string(index=False)


def curves_png(trials: list[Trial], outcomes: dict[int, TrialOutcome], title: str,
               metric: str | None = None) -> bytes:
    """PNG bytes: every trial's training and validation loss per epoch, one color per group
    (its seeds share the color), on a log scale when the losses span a decade or more; and
    ``metric`` (a ``val_<name>`` column) in a third panel when the trials measured it."""
    from mlkit.train.plots import new_figure, png_bytes

    groups = list(dict.fromkeys(t.group for t in trials if t.index in outcomes))
    keys = [key for key in ("train_loss", "val_loss", metric) if key and (
        key == "train_loss" or any(o.curves.get(key) for o in outcomes.values()))]
    figure, axes = new_figure(4.7 * len(keys) + 5, 4.8, len(keys))
    palette = [f"C{i % 10}" for i in range(len(groups))]
    seen = set()
    positive = []
    for trial in trials:
        outcome = outcomes.get(trial.index)
        if outcome is None:
            continue
        color = palette[groups.index(trial.group)]
        for axis, key in zip(axes, keys):
            values = np.asarray(outcome.curves.get(key, []), dtype=float)
            keep = np.isfinite(values)
            if not keep.any():
                continue
            epochs = np.arange(1, len(values) + 1)
            label = trial.group if (trial.group, key) not in seen else None
            seen.add((trial.group, key))
            axis.plot(epochs[keep], values[keep], color=color, alpha=0.8, lw=1.2,
                      ls="-" if outcome.status == "ok" else ":", label=label)
            if key != metric:
                positive.append(values[keep])
    names = {"train_loss": "training loss", "val_loss": "validation loss"}
    for axis, name in zip(axes, [names.get(key, key) for key in keys]):
        axis.set(xlabel="epoch", ylabel=name, title=name)
        axis.grid(alpha=0.3)
    if positive:
        values = np.concatenate(positive)
        if values.min() > 0 and values.max() / values.min() >= 10:
            for axis, key in zip(axes, keys):
                if key != metric:
                    axis.set_yscale("log")
    if seen:
        axes[-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    failed = any(o.status != "ok" for o in outcomes.values())
    figure.suptitle(f"{title}  (dotted: failed trials)" if failed else title)
    with np.errstate(over="ignore"):  # log axes over a diverged trial's huge losses
        return png_bytes(figure)
