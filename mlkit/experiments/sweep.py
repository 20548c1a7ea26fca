"""``mlkit sweep``: every trial of a sweep file as an ordinary run, on local processes or Dask.

The sweep directory ``<output.dir>/<name>/<timestamp>/`` holds ``sweep.yaml`` (the file as
given), ``sweep.json`` (each trial's overrides), ``trials/<id>/`` (each trial's run directory,
written by the worker), ``trials/<id>.json`` (each finished trial's outcome, written here as
soon as it arrives), and at the end ``results.csv``, ``summary.csv`` and ``curves.png``.
``--resume`` reruns only the trials without an ``ok`` outcome. Ctrl-C cancels the trials not
yet finished, terminates the local workers, and still writes the results of the finished ones.

Dask is imported only when a scheduler address is given; a remote cluster needs mlkit
installed on its workers and the sweep directory on a file system they share with this host.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mlkit.experiments.pools import DaskPool, SweepError, open_pool, running
from mlkit.experiments.sweep_file import Sweep
from mlkit.experiments.sweep_report import (
    curves_png,
    headline,
    results_frame,
    summary_frame,
    summary_text,
)
from mlkit.experiments.trial import TrialOutcome, TrialSpec, stall_lines, status_word

__all__ = ["SweepError", "SweepResult", "run_sweep"]

RECORD, RESULTS, SUMMARY, CURVES = "sweep.json", "results.csv", "summary.csv", "curves.png"



@dataclass
class SweepResult:
    """A finished (or interrupted) sweep: its directory, tables and outcomes."""

    path: Path
    results: pd.DataFrame
    summary: pd.DataFrame
    outcomes: dict[int, TrialOutcome]
    interrupted: bool = False

    @property
    def failed(self) -> int:
        """Number of trials whose status is not ok."""
        return sum(o.status != "ok" for o in self.outcomes.values())

# ----------------------------------------------------------------------------- directory


def _new_dir(sweep: Sweep) -> Path:
    from mlkit.train import RunDir
    from mlkit.train.checkpoint import atomic_write_text

    path = RunDir.create(sweep.spec.output.dir, sweep.name).path
    atomic_write_text(path / "sweep.yaml", Path(sweep.source).read_text(encoding="utf-8"))
    record = {"name": sweep.name, "source": sweep.source, "base": str(sweep.base),
              "trials": [{"id": t.id, "overrides": t.overrides} for t in sweep.trials]}
    atomic_write_text(path / RECORD, json.dumps(record, indent=1) + "\n")
    return path


def _resumed_dir(sweep: Sweep, resume) -> Path:
    """The directory to continue: ``resume`` itself, or the newest one of this sweep."""
    if resume is True:
        parent = Path(sweep.spec.output.dir) / sweep.name
        found = sorted(p for p in parent.glob("*") if (p / RECORD).is_file())
        if not found:
            raise SweepError(f"--resume: no earlier sweep named {sweep.name!r} under {parent}; "
                             "run it once without --resume, or pass its directory")
        return found[-1]
    path = Path(resume)
    if not (path / RECORD).is_file():
        raise SweepError(f"--resume {path}: not a sweep directory (it has no {RECORD}); pass "
                         f"one printed by an earlier mlkit sweep, e.g. {sweep.spec.output.dir}/"
                         f"{sweep.name}/<timestamp>")
    before = _recorded_trials(path / RECORD)
    now = [{"id": t.id, "overrides": t.overrides} for t in sweep.trials]
    if before != now:
        differ = next(((a, b) for a, b in zip(before, now) if a != b), None)
        what = (f"trial {differ[0]['id']} had overrides {differ[0]['overrides']}, now "
                f"{differ[1]['overrides']}" if differ
                else f"it had {len(before)} trials, now {len(now)}")
        raise SweepError(f"--resume {path}: the sweep file no longer gives the same trials "
                         f"({what}); restore the file, or start a new sweep without --resume")
    return path


def _recorded_trials(record: Path) -> list:
    """The ``trials`` list of a sweep directory's ``sweep.json``; SweepError when damaged."""
    try:
        trials = json.loads(record.read_text(encoding="utf-8"))["trials"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise SweepError(f"--resume: {record} is damaged ({type(error).__name__}: {error}); "
                         "start a new sweep without --resume") from None
    if not isinstance(trials, list) or not all(
            isinstance(t, dict) and isinstance(t.get("id"), str) and "overrides" in t
            for t in trials):
        raise SweepError(f"--resume: {record}: key 'trials' must be a list of {{id, overrides}} "
                         "records; start a new sweep without --resume")
    return trials


def _finished(path: Path) -> dict[int, TrialOutcome]:
    """Outcomes of the trials that finished ok in an earlier attempt; a damaged record counts
    as unfinished, so its trial runs again."""
    from mlkit.config.runs import stall_reason
    from mlkit.train import RunDir

    outcomes = {}
    for record in (path / "trials").glob("t*.json"):
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        outcome = TrialOutcome.from_dict(data) if _sound_outcome(data) else None
        if outcome is not None and outcome.status == "ok":
            if outcome.stop_reason == "stalled" and not outcome.optimizer_reason:
                # recorded before trials kept it: the run's summary.json has it
                outcome.optimizer_reason = stall_reason(RunDir(outcome.run_dir))
            outcomes[outcome.index] = outcome
    return outcomes


def _sound_outcome(data) -> bool:
    """Whether a trial record read back has the types :class:`TrialOutcome` writes."""
    if not isinstance(data, dict):
        return False
    kinds = {"index": int, "id": str, "status": str, "epochs": int, "best_epoch": int,
             "final": dict, "best": dict, "test": dict, "curves": dict}
    if any(not isinstance(data.get(key), kind) or isinstance(data.get(key), bool)
           for key, kind in kinds.items()):
        return False
    numbers = [*data["final"].values(), *data["best"].values(), *data["test"].values(),
               data.get("seconds", 0.0)]
    curves = data["curves"].values()
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers) and \
        all(isinstance(c, list) and all(isinstance(v, (int, float)) for v in c) for c in curves)

# ----------------------------------------------------------------------------- running


def _specs(sweep: Sweep, path: Path, skip) -> list[TrialSpec]:
    return [TrialSpec(t.index, t.id, _absolute_csv(config), str((path / "trials" / t.id)
                                                               .resolve()), t.overrides)
            for t, config in zip(sweep.trials, sweep.configs) if t.index not in skip]


def _absolute_csv(config):
    """A CSV path relative to this directory made absolute, so any worker finds the file."""
    csv = config.data.csv
    if csv is None or Path(csv.path).is_absolute():
        return config
    data = config.data.model_copy(update={"csv": csv.model_copy(
        update={"path": str(Path(csv.path).resolve())})})
    return config.model_copy(update={"data": data})


def _headline(outcome: TrialOutcome) -> str:
    for key in ("accuracy", "r2"):
        if key in outcome.test:
            return f"test_{key}={outcome.test[key]:.4f}"
    loss = outcome.final.get("train_loss")
    return f"train_loss={loss:.4g}" if loss is not None else ""


def run_sweep(sweep: Sweep, *, workers: int | None = None, scheduler: str | None = None,
              resume=None, say=print) -> SweepResult:
    """Run the trials of ``sweep`` not finished yet; write and print the results.

    Parameters
    ----------
    sweep : Sweep
        From :func:`mlkit.experiments.load_sweep` (already validated).
    workers : int, optional
        Local worker processes (default: the number of CPU cores); ignored with ``scheduler``.
    scheduler : str, optional
        Address of a Dask scheduler, ``tcp://HOST:PORT``.
    resume : None, True or path
        Continue the newest earlier directory of this sweep (True) or the one given.
    say : callable
        Prints a line of progress.
    """
    path, outcomes = None, {}
    with running(DaskPool(scheduler) if scheduler else None) as trials:  # connect first
        path = _new_dir(sweep) if resume is None else _resumed_dir(sweep, resume)
        outcomes = {} if resume is None else _finished(path)
        pending = _specs(sweep, path, outcomes)
        if trials.pool is None and pending:
            trials.pool = open_pool(None, workers, len(pending))
        earlier = f", {len(outcomes)} finished earlier" if outcomes else ""
        plan = (f"running {len(pending)} on {trials.pool.description}" if pending
                else "nothing left to run")
        say(f"sweep {sweep.name}: {len(sweep.trials)} trials{earlier}; {plan}")
        say(f"sweep directory: {path}")
        for done, outcome in trials.finished(pending):
            outcomes[outcome.index] = outcome
            _save(path, outcome)
            trial = sweep.trials[outcome.index]
            status = status_word(outcome.status, outcome.stop_reason)
            line = (f"[{done}/{len(pending)}] {trial.id} {status:<7} {trial.label}"
                    f"  {_headline(outcome)}  {outcome.seconds:.1f}s")
            say(line if outcome.status == "ok" else f"{line}\n    {outcome.error}")
    if path is None:  # interrupted before the directory existed: nothing to report
        raise KeyboardInterrupt("sweep interrupted before it started")
    result = _report(sweep, path, outcomes, trials.interrupted, say)
    if trials.interrupted:
        raise KeyboardInterrupt(f"sweep interrupted; results of finished trials in {path}")
    return result


def _save(path: Path, outcome: TrialOutcome) -> None:
    from mlkit.train.checkpoint import atomic_write_text

    text = json.dumps(outcome.to_dict(), indent=1, allow_nan=True)
    (path / "trials").mkdir(exist_ok=True)
    atomic_write_text(path / "trials" / f"{outcome.id}.json", text + "\n")


def _report(sweep: Sweep, path: Path, outcomes, interrupted: bool, say) -> SweepResult:
    from mlkit.train.checkpoint import atomic_write_bytes, atomic_write_text

    results = results_frame(sweep.trials, outcomes)
    chosen = list(dict.fromkeys(name for config in sweep.configs for name in config.metrics or ()))
    summary = summary_frame(results, chosen)
    atomic_write_text(path / RESULTS, results.to_csv(index=False))
    atomic_write_text(path / SUMMARY, summary.to_csv(index=False))
    if outcomes:
        atomic_write_bytes(path / CURVES, curves_png(sweep.trials, outcomes, sweep.name,
                                                           f"val_{chosen[0]}" if chosen else None))
    result = SweepResult(path, results, summary, outcomes, interrupted)
    if not results.empty:
        varied = list(dict.fromkeys(key for trial in sweep.trials for key in trial.varied))
        shown = ["trial", *varied, "status", "stop_reason", "epochs"] + [c for c in headline(chosen)
                                                          if c in results]
        say("\nresults (results.csv):")
        say(results[shown].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        say("\nmean ± std over seeds (summary.csv):")
        say(summary_text(summary))
    for line in stall_lines([outcomes[i] for i in sorted(outcomes)], "trial", path / RESULTS):
        say(line)
    if result.failed:
        say(f"\n{result.failed} trial(s) failed; see the error column of {path / RESULTS}")
    if interrupted:
        missing = len(sweep.trials) - len(outcomes)
        say(f"\ninterrupted: {len(outcomes)} finished trial(s) kept, {missing} not run; "
            f"continue with: mlkit sweep {sweep.source} --resume {path}")
    say(f"sweep directory: {path}")
    return result
