"""The ``inspect`` subcommand: profile a CSV file, suggest the ``data:`` section to train on it."""

from __future__ import annotations

from mlkit.cli.common import say

_HEADINGS = {"name": "column", "kind": "kind", "missing": "missing", "tokens": "read as missing",
             "distinct": "distinct", "example": "example", "note": "note"}


def add_inspect(subparsers) -> None:
    parser = subparsers.add_parser(
        "inspect", help="profile a CSV file and suggest a config's data section",
        description="Print one line per column of CSV (the kind mlkit reads in it, missing "
                    "values and the texts read as missing, distinct values, an example), notes "
                    "on the file (its separator, decimal mark and encoding, repeated rows, rows "
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
    parser.set_defaults(handler=cmd_inspect)


def cmd_inspect(args) -> int:
    from mlkit.data import inspect_csv

    profile = inspect_csv(args.csv, args.target, sep=args.sep, decimal=args.decimal,
                          encoding=args.encoding)
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
    return 0


def column_table(profile) -> str:
    """The per-column profile as left-aligned text columns."""
    frame = profile.to_frame().rename(columns=_HEADINGS)
    frame["read as missing"] = [", ".join(repr(t) for t in tokens) for tokens in
                                frame["read as missing"]]
    frame["example"] = [repr(value) if isinstance(value, str) else "" for value in
                        frame["example"]]
    text = frame.astype(str)
    widths = {c: max(len(c), text[c].str.len().max()) for c in text.columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in text.columns).rstrip(),
             "  ".join("-" * widths[c] for c in text.columns)]
    lines += ["  ".join(row[c].ljust(widths[c]) for c in text.columns).rstrip()
              for _, row in text.iterrows()]
    return "\n".join(lines)


def data_yaml(profile) -> str:
    """The suggested ``data:`` section as YAML (lists on one line)."""
    import yaml

    section = {"data": {"dataset": "csv", "csv": profile.csv_section()}}
    return yaml.safe_dump(section, sort_keys=False, default_flow_style=None,
                          width=float("inf"), allow_unicode=True)
