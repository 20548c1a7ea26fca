"""k-fold cross-validation of a training config: every fold an ordinary run, as a sweep trial.

Fold ``i`` of ``k`` is the config with the overrides ``data.split.folds=k data.split.fold=i``:
exactly what ``mlkit train CONFIG data.split.folds=k data.split.fold=i`` trains (the held-out
fold is the test set, the val fraction of the other folds' rows the validation set), run by
the sweeps' worker function on local processes or a Dask cluster, with the scikit-learn
baseline fitted on the same fold. With ``data.split.group`` every group's rows are in one
fold; with ``data.split.order`` the folds chain forward in time (see
:func:`mlkit.data.forward_chaining_split`). The cv directory ``<output.dir>/<name>-cv/<timestamp>/``
holds ``folds/fold<i>/`` (each fold's run directory), ``folds.csv`` (a row per fold: its test
rows and the test metrics of mlkit and of the baseline) and ``summary.csv`` (per metric: the
mean and standard deviation over the folds of mlkit, the baseline and their difference).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mlkit.config import Config, ConfigError, Problem, load_config
from mlkit.config.build import group_problems, load_data, split_rows
from mlkit.experiments.pools import open_pool, running
from mlkit.experiments.trial import TrialOutcome, TrialSpec, stall_lines, status_word
from mlkit.train import RunDir
from mlkit.train.checkpoint import atomic_write_text
from mlkit.train.report import metric_cell, text_table

__all__ = ["CrossValidation", "fold_configs", "folds_text", "run_cv", "summary_text"]

FOLDS, SUMMARY = "folds.csv", "summary.csv"
_KEYS = ("data.split.folds", "data.split.fold")


@dataclass
class CrossValidation:
    """A finished cross-validation: its directory, the per-fold table and the summary."""

    path: Path
    folds: pd.DataFrame
    summary: pd.DataFrame
    outcomes: list[TrialOutcome]

    @property
    def failed(self) -> int:
        """Number of folds whose run failed."""
        return sum(outcome.status != "ok" for outcome in self.outcomes)


def fold_configs(path, overrides=(), folds: int | None = None, say=None) -> list[Config]:
    """The validated config of every fold (``folds`` default: the config's
    ``data.split.folds``, else 5); ``say`` is told what a name override left out."""
    overrides = list(overrides)
    clashes = [text for text in overrides if text.lstrip("~").partition("=")[0] in _KEYS]
    if clashes:
        raise ConfigError(str(path), [Problem(f"override '{text}'", "is set by mlkit cv for "
                                              "each fold", hint="choose the folds with --folds")
                                      for text in clashes])
    config = load_config(path, overrides, say=say)
    if folds is None:
        folds = config.data.split.folds or 5
    if folds < 2:
        raise ConfigError(str(path), [Problem("--folds", "must be at least 2", folds,
                                              "e.g. --folds 5")])
    first = load_config(path, overrides + [f"data.split.folds={folds}", "data.split.fold=1"])
    split, data = first.data.split, first.data  # the other folds differ in the fold alone
    return [first] + [first.model_copy(update={"data": data.model_copy(
        update={"split": split.model_copy(update={"fold": fold})})})
        for fold in range(2, folds + 1)]


def _folds_frame(outcomes: list[TrialOutcome]) -> pd.DataFrame:
    rows = []
    for fold, outcome in enumerate(outcomes, 1):
        row = {"fold": fold, "status": outcome.status, "test_rows": outcome.test_rows,
               "epochs": outcome.epochs, "best_epoch": outcome.best_epoch,
               "stop_reason": outcome.stop_reason, "optimizer_reason": outcome.optimizer_reason}
        row.update({f"mlkit_{name}": value for name, value in outcome.test.items()})
        row.update({f"baseline_{name}": value for name, value in outcome.baseline.items()})
        row.update({"seconds": outcome.seconds, "error": outcome.error,
                    "run_dir": outcome.run_dir})
        rows.append(row)
    return pd.DataFrame(rows)


def _summary_frame(folds: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Per metric: the folds that finished and those where it is undefined (ROC AUC of a fold
    missing a class: NaN in folds.csv), then the mean and std (ddof=1) of mlkit, the baseline
    and mlkit - baseline over the folds where they are defined."""
    ok = folds[folds["status"] == "ok"]
    rows = []
    for name in names:
        mine = ok[f"mlkit_{name}"]
        theirs = ok.get(f"baseline_{name}")
        columns = {"mlkit": mine}
        if theirs is not None:
            columns.update(baseline=theirs, difference=mine - theirs)
        row = {"metric": name, "folds": len(ok),
               "undefined": int(columns.get("difference", mine).isna().sum())}
        for who, values in columns.items():
            values = values.dropna()  # pandas: NaN mean of none, NaN std (ddof=1) of one
            row[f"{who}_mean"], row[f"{who}_std"] = values.mean(), values.std()
        rows.append(row)
    return pd.DataFrame(rows)


def _mean_std(mean, std) -> str:
    return metric_cell(mean) if math.isnan(std) else f"{mean:.4f} ± {std:.4f}"


def folds_text(folds: pd.DataFrame, names: list[str]) -> str:
    """The per-fold table: status (``stalled`` for a fold short of its optimizer's
    tolerances; a folds.csv written before ``stop_reason`` shows ``status``), test rows and
    each metric as ``mlkit / baseline``."""
    rows = [["fold", "status", "test rows", *names]]
    for _, fold in folds.iterrows():
        cells = [metric_cell(fold.get(f"mlkit_{name}")) + (
            f" / {metric_cell(fold[f'baseline_{name}'])}" if f"baseline_{name}" in fold else "")
            for name in names]
        rows.append([str(fold["fold"]), status_word(fold["status"], fold.get("stop_reason", "")),
                     str(fold["test_rows"]), *cells])
    return text_table(rows)


def summary_text(summary: pd.DataFrame) -> str:
    """The summary as a table: one row per metric, mean ± std of each model."""
    columns = [(who, label) for who, label in (("mlkit", "mlkit"), ("baseline", "baseline"),
                                               ("difference", "mlkit - baseline"))
               if f"{who}_mean" in summary]
    rows = [["metric", *(label for _, label in columns)]]
    for _, row in summary.iterrows():
        rows.append([row["metric"], *(_mean_std(row[f"{who}_mean"], row[f"{who}_std"])
                                      for who, _ in columns)])
    return text_table(rows)


def run_cv(path, overrides=(), *, folds: int | None = None, workers: int | None = None,
           scheduler: str | None = None, say=print) -> CrossValidation:
    """Train every fold of the config at ``path`` (with ``key=value`` ``overrides``), write
    and print the per-fold table and the mean and standard deviation of each test metric.
    Ctrl-C cancels the folds not finished and still writes the finished ones' results."""
    configs = fold_configs(path, overrides, folds, say)
    first = configs[0]
    _check_folds(configs, str(path))
    split = first.data.split
    outcomes: dict[int, TrialOutcome] = {}
    where = None
    with running(open_pool(scheduler, workers, len(configs))) as trials:  # connect first
        where = RunDir.create(first.output.dir, f"{first.name}-cv").path
        specs = [TrialSpec(i, f"fold{i + 1}", config, str((where / "folds" / f"fold{i + 1}")
                                                          .resolve()))
                 for i, config in enumerate(configs)]
        say(f"cv {first.name}: {_folds_description(split, len(configs))} on "
            f"{trials.pool.description}")
        say(f"cv directory: {where}")
        for done, outcome in trials.finished(specs):
            outcomes[outcome.index] = outcome
            say(f"[{done}/{len(specs)}] {_progress(outcome)}")
    if where is None:
        raise KeyboardInterrupt("cross-validation interrupted before it started")
    result = _report(where, [outcomes[i] for i in sorted(outcomes)], say)
    if trials.interrupted:
        raise KeyboardInterrupt(f"cross-validation interrupted after {len(outcomes)} of "
                                f"{len(configs)} folds; their results are in {where}")
    return result


def _check_folds(configs: list[Config], source: str) -> None:
    """Split every fold before any trains: a bad data file, too few rows, or a fold that
    cannot train (one class, or one time to cut) is one ConfigError naming each such fold,
    as ``mlkit train`` of that fold would, rather than a directory of failed folds; so is an
    ``optimizer.groups`` pattern that takes no parameter (the folds differ only in rows)."""
    problems = group_problems(configs[0])
    dataset = load_data(configs[0])
    for config in configs:
        try:
            split_rows(config, dataset)
        except ConfigError as error:
            problems += [problem for problem in error.problems if problem not in problems]
    if problems:
        raise ConfigError(source, problems)


def _folds_description(split, k: int) -> str:
    """How the folds are cut, for the first line of the output."""
    if split.order is not None:
        return (f"{k} forward-chaining folds ordered by {split.order!r} (the rows cut in "
                f"{k + 1} time blocks; fold i tests block i+1 and trains on every earlier "
                f"block; validation: the latest {split.val:g} of those)")
    how = ("stratified, " if split.stratify else "") + (
        f"grouped by {split.group!r}, " if split.group is not None else "")
    return (f"{k} folds ({how}seed {split.seed}; validation: {split.val:g} of the other folds' "
            "rows)")


def _progress(outcome: TrialOutcome) -> str:
    """One line on a finished fold: its test rows and first two metrics (and the baseline's)."""
    shown = "  ".join(f"{name} {value:.4f}" + (
        f" (baseline {outcome.baseline[name]:.4f})" if name in outcome.baseline else "")
        for name, value in list(outcome.test.items())[:2])
    status = status_word(outcome.status, outcome.stop_reason)
    line = f"{outcome.id} {status:<7} {outcome.test_rows} test rows  {shown}  " \
           f"{outcome.seconds:.1f}s"
    return line if outcome.status == "ok" else f"{line}\n    {outcome.error}"


def _report(where: Path, ordered: list[TrialOutcome], say) -> CrossValidation:
    """Write folds.csv and summary.csv and print them."""
    table = _folds_frame(ordered)
    names = list(next((o.test for o in ordered if o.status == "ok"), {}))
    summary = _summary_frame(table, names) if names else pd.DataFrame()
    atomic_write_text(where / FOLDS, table.to_csv(index=False))
    atomic_write_text(where / SUMMARY, summary.to_csv(index=False))
    result = CrossValidation(where, table, summary, ordered)
    if ordered:
        baseline = any(outcome.baseline for outcome in ordered)
        say(f"\nper fold ({FOLDS}{'; mlkit / baseline' if baseline else ''}):")
        say(folds_text(table, names))
    if names:
        say(f"\nmean ± std over {summary['folds'].iloc[0]} folds ({SUMMARY}; the folds share "
            "training rows, so the std shows their spread, not a confidence interval):")
        say(summary_text(summary))
        for _, row in summary[summary["undefined"] > 0].iterrows():
            say(f"{row['metric']}: undefined in {row['undefined']} of {row['folds']} folds (e.g. "
                "a class absent from the fold); its mean and std use the others.")
    for line in stall_lines(ordered, "fold", where / FOLDS):
        say(line)
    if result.failed:
        say(f"\n{result.failed} fold(s) failed; see the error column of {where / FOLDS}")
    say(f"cv directory: {where}")
    return result
