"""The ``evaluate`` subcommand: how good a finished run is, how sure that is, and why."""

from __future__ import annotations

from pathlib import Path

from mlkit.cli.common import say, say_drift, usage_error


def add_evaluate(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="test metrics of a trained run",
        description="Print the test metrics of RUN_DIR's best model: on the run's own test "
                    "split, or on --data (a config's test split, or every row of a CSV), each "
                    "with a bootstrap confidence interval; on the run's own test split also "
                    "the scikit-learn baseline's and the paired difference mlkit - baseline "
                    "on the same resamples. For a classifier also a per-class report, the "
                    "confusion matrix and the calibration (drawn as confusion.png and "
                    "calibration.png, and roc.png for two classes, in RUN_DIR); for two "
                    "classes the scores at the best-F1 threshold of the validation split; for "
                    "a regression the residuals (residuals.png). --importance adds the "
                    "permutation importance of each input column (kept as importance.csv). "
                    "With --data, the input columns are compared with what training saw and "
                    "those that drifted are named (--drift: every column), and the files go "
                    "to RUN_DIR/evaluate-<data name>/, so the run's own are kept.")
    parser.add_argument("run_dir", help="a run directory, e.g. runs/logreg/20250101-120000")
    parser.add_argument("--data", metavar="CONFIG_OR_CSV",
                        help="a .yaml config (its test split) or a .csv file with the target")
    parser.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                        help="resamples of the rows for the intervals (default 1000; 0: none)")
    parser.add_argument("--confidence", type=float, default=0.95, metavar="P",
                        help="share of the resamples inside each interval (default 0.95)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the resampling and of the shuffles (default 0): same "
                             "seed, same numbers")
    parser.add_argument("--bins", type=int, default=10, metavar="N",
                        help="classifiers: probability bins of the calibration (default 10)")
    parser.add_argument("--importance", action="store_true",
                        help="also the permutation importance of each input column: how much "
                             "the metric worsens when the column is shuffled across the rows")
    parser.add_argument("--importance-metric", metavar="NAME",
                        help="the metric --importance watches (default the run's first: "
                             "accuracy or R2 unless its config's metrics: says otherwise)")
    parser.add_argument("--repeats", type=int, default=5, metavar="R",
                        help="shuffles of each column for --importance (default 5)")
    parser.add_argument("--drift", action="store_true",
                        help="with --data: print how far every input column is from training")
    parser.set_defaults(handler=cmd_evaluate)


def _check_options(args) -> None:
    from mlkit.config import ConfigError, Problem
    from mlkit.metrics.intervals import MAX_RESAMPLES
    from mlkit.metrics.table import known_metric

    problems = []
    if not 0 <= args.bootstrap <= MAX_RESAMPLES:
        problems.append(Problem("--bootstrap", "must be 0 (no intervals) or a number of "
                                f"resamples up to {MAX_RESAMPLES}", args.bootstrap,
                                "e.g. --bootstrap 1000"))
    if not 0 < args.confidence < 1:
        problems.append(Problem("--confidence", "must be a fraction between 0 and 1",
                                args.confidence, "e.g. --confidence 0.9"))
    if args.seed < 0:
        problems.append(Problem("--seed", "must be 0 or more", args.seed, "e.g. --seed 1"))
    if args.bins < 1:
        problems.append(Problem("--bins", "must be 1 or more", args.bins, "e.g. --bins 10"))
    if args.repeats < 1:
        problems.append(Problem("--repeats", "must be 1 or more", args.repeats,
                                "e.g. --repeats 5"))
    if args.importance_metric is not None:
        try:
            known_metric(args.importance_metric)
        except ValueError as error:
            problems.append(Problem("--importance-metric", str(error), args.importance_metric,
                                    "`mlkit list metrics` shows them"))
    if args.drift and args.data is None:
        problems.append(Problem("--drift", "compares --data with the training rows, so it "
                                "needs --data", hint="add --data new.csv"))
    if not args.importance and (args.importance_metric or args.repeats != 5):
        problems.append(Problem("--importance-metric/--repeats", "only apply with --importance",
                                args.importance_metric or args.repeats, "add --importance"))
    if problems:
        raise ConfigError("mlkit evaluate", problems)


def _importance_metric(args, found) -> str:
    """The metric --importance watches, checked against the run's head and defined on the
    rows evaluated, before any work (and before anything is written)."""
    from mlkit.metrics import UndefinedMetric, check_metrics, importance_reference

    name = args.importance_metric or next(iter(found.scores))
    try:
        check_metrics([name], found.head.kind, len(found.classes or ()) or None)
    except ValueError as error:
        raise usage_error("mlkit evaluate", "--importance-metric", str(error), name,
                          "e.g. --importance-metric accuracy") from None
    try:
        importance_reference(name, found.y, found.inputs)
    except UndefinedMetric as error:
        raise usage_error("mlkit evaluate", "--importance-metric", f"on {found.where}: {error}",
                          name) from None
    return name


def cmd_evaluate(args) -> int:
    from mlkit.config.runs import evaluate_run
    from mlkit.metrics import bootstrap
    from mlkit.train.report import interval_table, metrics_table

    _check_options(args)
    found = evaluate_run(args.run_dir, args.data)
    metric = _importance_metric(args, found) if args.importance else None
    say(f"{found.where}:")
    if args.bootstrap:
        boot = bootstrap(list(found.scores), found.y, **found.inputs, baseline=found.baseline,
                         n_resamples=args.bootstrap, confidence=args.confidence,
                         seed=args.seed, groups=found.row_groups)
        say(interval_table(found.head, boot, found.baseline_name))
        if found.baseline is None:
            say(f"no baseline comparison: {found.baseline_missing}.")
    else:
        say(metrics_table(found.head, found.scores))
    if args.data is not None:
        say_drift(found.drift, args.run_dir, args.drift)
    written = (_classifier(args, found) if found.head.is_classifier
               else _regression(args, found))
    if metric is not None:
        written.append(_importance(args, found, metric))
    say(f"\nwrote {', '.join(str(path) for path in written)}")
    return 0


def _folder(args) -> Path:
    """Where the figures and tables go: the run directory for its own test split; for --data
    a folder of their own in it, ``evaluate-<data name>/``, so the run's own are kept."""
    if args.data is None:
        return Path(args.run_dir)
    folder = Path(args.run_dir) / f"evaluate-{Path(args.data).stem}"
    folder.mkdir(exist_ok=True)
    return folder


def _classifier(args, found) -> list:
    """Per-class report, confusion matrix, calibration (of probabilities) and (binary)
    threshold; the figures."""
    from mlkit.metrics import brier, calibration
    from mlkit.train.diagnostics import calibration_table
    from mlkit.train.figures import CALIBRATION, plot_calibration, write_figures
    from mlkit.train.report import class_report, confusion_table

    predicted = found.head.predict(found.outputs)
    say("\nper class:")
    say(class_report(found.y, predicted, found.classes))
    say("\nconfusion matrix (rows: true class, columns: predicted):")
    say(confusion_table(found.y, predicted, found.classes))
    written = write_figures(_folder(args), found.head, found.outputs, found.y, found.classes)
    if not found.head.gives_proba:
        say("\nno calibration: a margin loss (hinge) trains class scores, not probabilities.")
        return written
    proba = found.inputs["proba"]
    calibrated = calibration(found.y, proba, args.bins)
    positive = str(found.classes[-1])
    say("\n" + calibration_table(calibrated, brier(found.y, proba), positive))
    if found.head.kind == "binary":
        _threshold(args, found, proba[:, 1], positive)
    path = _folder(args) / CALIBRATION
    plot_calibration(calibrated, path, positive=positive)
    return written[:1] + [path] + written[1:]


def _threshold(args, found, score, positive: str) -> None:
    from mlkit.config.runs import validation_probabilities
    from mlkit.metrics import best_f1_threshold, threshold_scores
    from mlkit.train import RunError
    from mlkit.train.diagnostics import threshold_table

    try:
        y_val, score_val = validation_probabilities(args.run_dir)
        chosen_on = best_f1_threshold(y_val, score_val)
    except (RunError, ValueError) as error:  # no validation rows, or none of class 1
        say(f"\nno best-F1 threshold: {error}")
        return
    say("\n" + threshold_table(threshold_scores(found.y, score, 0.5),
                               threshold_scores(found.y, score, chosen_on.threshold),
                               chosen_on, len(y_val), positive))


def _regression(args, found) -> list:
    from mlkit.train.diagnostics import residual_report
    from mlkit.train.figures import RESIDUALS, plot_residuals

    predicted = found.inputs["values"]
    say("\n" + residual_report(found.y, predicted, found.row_names))
    path = _folder(args) / RESIDUALS
    plot_residuals(found.y, predicted, path)
    return [path]


def _importance(args, found, metric: str) -> Path:
    """Print the permutation importance and keep it as importance.csv (see :func:`_folder`)."""
    from mlkit.metrics import permutation_importance
    from mlkit.train.checkpoint import atomic_write_text
    from mlkit.train.diagnostics import importance_table

    # no task=: _importance_metric checked the metric against the head and its classes
    result = permutation_importance(found.predictions_of, found.X, found.y, metric,
                                    found.groups, args.repeats, args.seed)
    say("\n" + importance_table(result, len(found.y)))
    path = _folder(args) / "importance.csv"
    table = result.frame().rename(columns={"mean": f"{metric}_drop_mean",
                                           "std": f"{metric}_drop_std"})
    atomic_write_text(path, table.to_csv(index=False))
    return path
