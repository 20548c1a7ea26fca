"""The ``evaluate`` and ``predict`` subcommands: use a finished run directory."""

from __future__ import annotations

from pathlib import Path

from mlkit.cli.common import say

# ----------------------------------------------------------------------------- evaluate


def add_evaluate(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="test metrics of a trained run",
        description="Print the test metrics of RUN_DIR's best model: on the run's own test "
                    "split, or on --data (a config's test split, or every row of a CSV), each "
                    "with a bootstrap confidence interval; on the run's own test split also "
                    "the scikit-learn baseline's and the paired difference mlkit - baseline "
                    "on the same resamples. For a classifier also a per-class report and the "
                    "confusion matrix, drawn as confusion.png (and roc.png for two classes) in "
                    "RUN_DIR.")
    parser.add_argument("run_dir", help="a run directory, e.g. runs/logreg/20250101-120000")
    parser.add_argument("--data", metavar="CONFIG_OR_CSV",
                        help="a .yaml config (its test split) or a .csv file with the target")
    parser.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                        help="resamples of the rows for the intervals (default 1000; 0: none)")
    parser.add_argument("--confidence", type=float, default=0.95, metavar="P",
                        help="share of the resamples inside each interval (default 0.95)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the resampling (default 0): same seed, same intervals")
    parser.set_defaults(handler=cmd_evaluate)


def _check_bootstrap(args) -> None:
    from mlkit.config import ConfigError, Problem

    problems = []
    if args.bootstrap < 0:
        problems.append(Problem("--bootstrap", "must be 0 (no intervals) or a number of "
                                "resamples", args.bootstrap, "e.g. --bootstrap 1000"))
    if not 0 < args.confidence < 1:
        problems.append(Problem("--confidence", "must be a fraction between 0 and 1",
                                args.confidence, "e.g. --confidence 0.9"))
    if args.seed < 0:
        problems.append(Problem("--seed", "must be 0 or more", args.seed, "e.g. --seed 1"))
    if problems:
        raise ConfigError("mlkit evaluate", problems)


def cmd_evaluate(args) -> int:
    from mlkit.config.runs import evaluate_run
    from mlkit.metrics import bootstrap
    from mlkit.train.figures import write_figures
    from mlkit.train.report import class_report, confusion_table, interval_table, metrics_table

    _check_bootstrap(args)
    found = evaluate_run(args.run_dir, args.data)
    say(f"{found.where}:")
    if args.bootstrap:
        boot = bootstrap(list(found.scores), found.y, **found.inputs, baseline=found.baseline,
                         n_resamples=args.bootstrap, confidence=args.confidence,
                         seed=args.seed)
        say(interval_table(found.head, boot, found.baseline_name))
        if found.baseline is None:
            say(f"no baseline comparison: {found.baseline_missing}.")
    else:
        say(metrics_table(found.head, found.scores))
    if found.head.is_classifier:
        predicted = found.head.predict(found.outputs)
        say("\nper class:")
        say(class_report(found.y, predicted, found.classes))
        say("\nconfusion matrix (rows: true class, columns: predicted):")
        say(confusion_table(found.y, predicted, found.classes))
        written = write_figures(args.run_dir, found.head, found.outputs, found.y, found.classes)
        say(f"\nwrote {', '.join(str(path) for path in written)}")
    return 0


# ----------------------------------------------------------------------------- predict


def add_predict(subparsers) -> None:
    parser = subparsers.add_parser(
        "predict", help="predict new rows with a trained run",
        description="Apply RUN_DIR's saved preprocessing and best model to a CSV file; write "
                    "one row per input row: its id and --keep columns, the prediction and, "
                    "for classifiers, one probability column per class. Rows left out for a "
                    "missing value (a run trained with impute: drop) are listed.")
    parser.add_argument("run_dir", help="a run directory")
    parser.add_argument("--input", required=True, metavar="CSV", help="rows to predict")
    parser.add_argument("--output", required=True, metavar="CSV", help="where predictions go")
    parser.add_argument("--keep", default="", metavar="COL,...",
                        help="input columns copied next to the predictions (a run's "
                             "data.csv.id columns are copied without asking)")
    parser.set_defaults(handler=cmd_predict)


def cmd_predict(args) -> int:
    from mlkit.config.runs import load_predictor
    from mlkit.train.checkpoint import atomic_write_text

    predictor, _ = load_predictor(args.run_dir)
    keep = [name.strip() for name in args.keep.split(",") if name.strip()]
    table = predictor.read(args.input, target=False, keep=keep)
    frame = predictor.frame(table.X, table.carried)
    output = Path(args.output)
    if not output.parent.is_dir():
        raise FileNotFoundError(f"the folder of --output {str(output)!r} does not exist; "
                                "create it first")
    atomic_write_text(output, frame.to_csv(index=False))
    note = table.dropped_note()
    say(f"wrote {len(frame)} predictions to {output}" + (f"; {note}" if note else ""))
    return 0
