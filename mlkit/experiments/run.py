"""Train one validated config into its run directory: what ``mlkit train`` and every sweep
trial do, in one place.

Runs the one training loop (:func:`mlkit.train.run_plan`), writing ``config.yaml`` as it
begins, fits the scikit-learn baseline on the same split (keeping its test predictions in
``baseline.npz`` for ``mlkit evaluate``'s paired comparison), writes ``summary.json`` and draws
``curves.png`` (and a classifier's ``confusion.png`` and ``roc.png`` of the test split).
"""

from __future__ import annotations

import time

from mlkit.config import Config, config_to_yaml
from mlkit.config.build import build_plan
from mlkit.experiments.baseline import fit_baseline
from mlkit.train import Callback, RunDir, run_plan
from mlkit.train.report import write_summary

__all__ = ["train_run"]


def train_run(config: Config, run: RunDir, *, plan=None, resume: bool = False, progress=None):
    """Train ``config`` into ``run``; returns ``(plan, result, baseline)``.

    Training errors (a diverged loss, Ctrl-C) propagate after the loop has saved the last
    good state; the caller decides how to report them.
    """
    plan = plan if plan is not None else build_plan(config)
    started = time.perf_counter()
    result = run_plan(plan, run, progress=progress, resume=resume,
                      callbacks=[_SaveConfig(run, config_to_yaml(config))])
    baseline = fit_baseline(config, plan)
    if baseline is not None:
        run.write_baseline(baseline.description, baseline.predictions)
    write_summary(run, config, plan, result, baseline, time.perf_counter() - started)
    if config.output.save_plots:
        from mlkit.train.figures import write_figures
        from mlkit.train.plots import plot_history

        plot_history(result.history, run / RunDir.CURVES, title=config.name,
                     monitor=plan.monitor, best_epoch=result.best_epoch)
        plan.model.eval()
        write_figures(run.path, plan.head, plan.model(plan.splits.X_test), plan.splits.y_test,
                      plan.preprocessing.classes, config.name)
    return plan, result, baseline


class _SaveConfig(Callback):
    """Writes the resolved config as training begins: when resuming, only once ``last.npz``
    has been restored, so a checkpoint that does not fit leaves the saved config as it was."""

    order = 0

    def __init__(self, run: RunDir, text: str):
        self.run, self.text = run, text

    def on_train_begin(self, state) -> None:
        self.run.write_text(RunDir.CONFIG, self.text)
