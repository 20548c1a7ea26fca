"""The ``predict`` subcommand: apply a finished run to new rows."""

from __future__ import annotations

from pathlib import Path

from mlkit.cli.common import say, say_drift, usage_error

# ----------------------------------------------------------------------------- predict


def add_predict(subparsers) -> None:
    parser = subparsers.add_parser(
        "predict", help="predict new rows with a trained run",
        description="Apply RUN_DIR's saved preprocessing and best model to a CSV file; write "
                    "one row per input row: its id and --keep columns, the prediction and, "
                    "for classifiers, one probability column per class. Rows left out for a "
                    "missing value (a run trained with impute: drop) are listed. The input "
                    "columns are compared with what training saw; columns that drifted are "
                    "named (--drift: every column, also kept as OUTPUT.drift.csv).")
    parser.add_argument("run_dir", help="a run directory")
    parser.add_argument("--input", required=True, metavar="CSV", help="rows to predict")
    parser.add_argument("--output", required=True, metavar="CSV", help="where predictions go")
    parser.add_argument("--keep", default="", metavar="COL,...",
                        help="input columns copied next to the predictions (a run's "
                             "data.csv.ids columns are copied without asking)")
    parser.add_argument("--threshold", metavar="T",
                        help="binary classifiers: predict the second class when its "
                             "probability is at least T (default 0.5); 'best': the "
                             "threshold with the best F1 on the run's validation split")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace --output (and its .drift.csv) if it exists; never the "
                             "--input file or a file of the run directory")
    parser.add_argument("--drift", action="store_true",
                        help="print how far every input column is from training (missing "
                             "values, share outside the training range, mean shift, PSI, "
                             "unseen categories) and write it beside --output as "
                             "<name>.drift.csv")
    parser.set_defaults(handler=cmd_predict)


def _threshold(text, run_dir, head) -> tuple[float | None, str]:
    """The ``--threshold`` as a number (None when not given), and how it was chosen (for the
    message)."""
    from mlkit.config.runs import validation_probabilities
    from mlkit.metrics import best_f1_threshold, threshold_text

    if text is None:
        return None, ""
    if head.kind != "binary":
        kind = "hinge (class scores, no probabilities)" if head.kind == "scores" else head.kind
        raise usage_error("mlkit predict", "--threshold", "applies to binary classifiers of "
                          f"probabilities only, but {run_dir} is a {kind} model", text,
                          "leave --threshold out")
    if text == "best":
        best = best_f1_threshold(*validation_probabilities(run_dir))
        return best.threshold, (f"threshold {threshold_text(best.threshold)} (best F1 "
                                f"{best.f1:.4f} on the validation split)")
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 1:
        raise usage_error("mlkit predict", "--threshold", "must be a probability between 0 and 1, "
                          "or best", text, "e.g. --threshold 0.3 or --threshold best")
    return value, f"threshold {value:g}"


def _outputs(args) -> tuple[Path, Path]:
    """--output and its drift table, checked before any work: never the input file or a file
    of the run directory, and an existing file only with --overwrite."""
    output = Path(args.output)
    drift = output.with_name(output.stem + ".drift.csv")
    if not output.parent.is_dir():
        raise FileNotFoundError(f"the folder of --output {str(output)!r} does not exist; "
                                "create it first")
    fix, problem = "choose another file", None
    if output.resolve() == Path(args.input).resolve():
        problem = "is the --input file, whose rows the predictions would replace"
    elif output.resolve().is_relative_to(Path(args.run_dir).resolve()):
        problem = "is inside the run directory, whose files the run needs"
    elif not args.overwrite and output.exists():
        fix, problem = fix + " or add --overwrite", "names a file that exists"
    elif not args.overwrite and args.drift and drift.exists():
        fix, problem = fix + " or add --overwrite", f"has a drift table that exists, {drift}"
    if problem:
        raise usage_error("mlkit predict", "--output", problem, args.output, fix)
    return output, drift


def _check_input(path: str) -> None:
    """A missing --input named as such (the CSV reader's hint speaks of config files)."""
    if not Path(path).is_file():  # the whole path in the message: no value cut short
        raise usage_error("mlkit predict", "--input", f"{path!r} is not a file",
                          hint=f"check the path; relative paths start from {Path.cwd()}")


def cmd_predict(args) -> int:
    from mlkit.config.runs import load_predictor
    from mlkit.train.checkpoint import atomic_write_text

    output, drift = _outputs(args)
    predictor, _ = load_predictor(args.run_dir)
    threshold, chosen = _threshold(args.threshold, args.run_dir, predictor.head)
    _check_input(args.input)
    keep = [name.strip() for name in args.keep.split(",") if name.strip()]
    table = predictor.read(args.input, target=False, keep=keep)
    frame = predictor.frame(table.X, table.carried, threshold)
    report = None if predictor.profile is None else predictor.drift(args.input)
    atomic_write_text(output, frame.to_csv(index=False))
    note = table.dropped_note()
    say(f"wrote {len(frame)} predictions to {output}" + (f" at {chosen}" if chosen else "")
        + (f"; {note}" if note else ""))
    say_drift(report, args.run_dir, args.drift, drift)
    return 0
