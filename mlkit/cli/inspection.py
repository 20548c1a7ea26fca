"""The ``inspect`` subcommand: profile a CSV file, suggest the ``data:`` section to train on it."""

from __future__ import annotations

import os

from mlkit.cli.common import say, usage_error

_HEADINGS = {"name": "column", "kind": "kind", "missing": "missing", "tokens": "read as missing",
             "distinct": "distinct", "example": "example", "note": "note"}


def add_inspect(subparsers) -> None:
    parser = subparsers.add_parser(
        "inspect", help="profile a CSV file and suggest a config's data section",
        description="Print one line per column of CSV (the kind mlkit reads in it, missing "
                    "values and the texts read as missing, distinct values, an example), notes "
                    "on the file (its separator, decimal mark, encoding, title lines above "
                    "the header and footer under the rows, repeated rows, rows "
                    "without a target, the task and class balance, columns that may leak the "
                    "target), and, with --target, a data: section that trains on the file as "
                    "it is.")
    parser.add_argument("csv", metavar="CSV", help="a CSV file with a header line")
    parser.add_argument("--target", metavar="COL", help="the column to predict")
    parser.add_argument("--sep", metavar="SEP", help="the column separator (, ; | or tab); "
                        "default: detected")
    parser.add_argument("--decimal", choices=(".", ","), help="the decimal mark; default: ',' "
                        "when it reads numbers that '.' does not")
    parser.add_argument("--encoding", metavar="NAME", help="the text encoding; default: "
                        "UTF-8, else cp1252 (or latin-1) when the file is not UTF-8")
    parser.add_argument("--skip-lines", type=int, metavar="N", help="lines above the header "
                        "line to skip (a report's title and notes); default: those found")
    parser.add_argument("--skip-footer", type=int, metavar="N", help="lines under the rows "
                        "to leave out (a report's totals and notes); default: those found")
    parser.add_argument("--config", metavar="OUT.yaml", help="with --target, also write a "
                        "config that trains on the file: the data section (its path relative "
                        "to OUT.yaml's folder) and the linear model, loss (with a small L2 "
                        "penalty) and L-BFGS for the task; an existing file is never "
                        "overwritten")
    parser.set_defaults(handler=cmd_inspect)


def cmd_inspect(args) -> int:
    from mlkit.data import inspect_csv

    if args.config and not args.target:
        raise usage_error("mlkit inspect", "--config", "needs --target", args.config,
                          "name the column to predict")
    if args.config and os.path.exists(args.config):
        raise usage_error("mlkit inspect", "--config", "names a file that exists", args.config,
                          "choose another path or remove it; inspect never overwrites")
    profile = inspect_csv(args.csv, args.target, sep=args.sep, decimal=args.decimal,
                          encoding=args.encoding, skip_lines=args.skip_lines,
                          skip_footer=args.skip_footer)
    say(f"{profile.path}: {profile.rows} rows, {len(profile.columns)} columns, "
        f"{profile.read_with()}\n")
    say(column_table(profile))
    notes = profile.notes()
    if notes:
        say("\nnotes:\n" + "\n".join(f"- {note}" for note in notes))
    if profile.target is None:
        say("\npass --target COL for the task, the class balance and a data: section to train "
            "with")
        return 0
    say("\n# a data: section that reads this file as it is; add model, loss and optimizer "
        "sections\n# (see configs/csv.yaml) and run mlkit train on it\n" + data_yaml(profile))
    if args.config:
        write_starter_config(profile, args.config)
        say(f"\nwrote {args.config}; train on it with: mlkit train {args.config}")
    return 0


def column_table(profile) -> str:
    """The per-column profile as left-aligned text columns."""
    from mlkit.train.report import text_table

    frame = profile.to_frame().rename(columns=_HEADINGS)
    frame["read as missing"] = [", ".join(repr(t) for t in tokens) for tokens in
                                frame["read as missing"]]
    frame["example"] = [repr(value) if isinstance(value, str) else "" for value in
                        frame["example"]]
    rows = [list(frame.columns)] + frame.astype(str).values.tolist()
    return text_table(rows, left=len(frame.columns))


def data_yaml(profile, path: str | None = None) -> str:
    """The suggested ``data:`` section as YAML (lists on one line), reading the file at
    ``path`` when given (as written in a config file, relative to its folder)."""
    import yaml

    csv = {**profile.csv_section(), **({"path": path} if path else {})}
    split = {"split": {"stratify": False}} if profile.small else {}  # see the notes
    return yaml.safe_dump({"data": {"dataset": "csv", "csv": csv, **split}}, sort_keys=False,
                          default_flow_style=None, width=float("inf"), allow_unicode=True)


_PENALTY = {"classification": "finite weights even on separable classes",
            "regression": "stable weights even on collinear columns"}


def _linear_model(profile) -> tuple[str, str]:
    """The linear model and its loss for the profiled task."""
    if profile.task == "regression":
        return "linear_regression", "mse"
    if len(profile.classes) == 2:
        return "logistic_regression", "binary_cross_entropy"
    return "softmax_regression", "cross_entropy"


def write_starter_config(profile, config_path: str) -> None:
    """A config training the task's linear model with L-BFGS on the profiled file; created
    (with its folder), never overwritten (open mode ``x``)."""
    if not profile.csv_section()["features"]:
        raise usage_error("mlkit inspect", "--config", f"no column of {profile.path} can be an "
                          "input (see the notes)", config_path,
                          "add columns with values to the file")
    folder = os.path.dirname(os.path.abspath(config_path))
    model, loss = _linear_model(profile)
    text = (f"# written by mlkit inspect from {profile.path}; train with: mlkit train "
            f"{config_path}\n"
            + data_yaml(profile, os.path.relpath(os.path.abspath(profile.path), folder))
            + f"model:\n  name: {model}\nloss:\n  name: {loss}\n"
            f"  l2: 0.01  # a small weight penalty: {_PENALTY[profile.task]}\n"
            "optimizer:\n  name: lbfgs\n")
    os.makedirs(folder, exist_ok=True)
    with open(config_path, "x", encoding="utf-8") as file:
        file.write(text)
