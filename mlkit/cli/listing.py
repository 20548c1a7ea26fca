"""The ``list`` subcommand: every choice a config can name, with its options and defaults.

The text is read from the tables the config validator itself uses (the component sections
derived from :mod:`mlkit.registry`, the monitored metrics, the data sets and the CSV section),
so what ``mlkit list`` prints is what ``mlkit train`` accepts.
"""

from __future__ import annotations

import inspect
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from mlkit.cli.common import say

KINDS = ("models", "losses", "optimizers", "schedules", "metrics", "datasets")


def add_list(subparsers) -> None:
    parser = subparsers.add_parser(
        "list", help="list models, losses, optimizers, schedules, metrics, data sets",
        description="Print each choice a config can name, with its options, types and defaults "
                    "(all kinds when KIND is left out).")
    parser.add_argument("kind", nargs="?", choices=KINDS, metavar="KIND",
                        help=f"one of {', '.join(KINDS)}")
    parser.set_defaults(handler=cmd_list)


def cmd_list(args) -> int:
    for kind in [args.kind] if args.kind else KINDS:
        say(listing(kind))
    return 0


def listing(kind: str) -> str:
    """The text ``mlkit list KIND`` prints."""
    if kind == "metrics":
        return _metrics()
    if kind == "datasets":
        return _datasets()
    from mlkit.config.components import SECTIONS

    section = {"models": "model", "losses": "loss", "optimizers": "optimizer",
               "schedules": "schedule"}[kind]
    lines = [f"{kind} ({section}.name):"]
    for name, model in SECTIONS[section].items():
        lines.append(f"  {name}: {_summary(model.__doc__)}")
        lines += [_option(key, field) for key, field in model.model_fields.items()
                  if key != "name"]
    return "\n".join(lines) + "\n"


def _metrics() -> str:
    from mlkit.registry import METRICS

    lines = ["metrics (the config's metrics: list; as val_<name>, the monitor of "
             "training.early_stopping, schedule and the best checkpoint):"]
    for name, metric in METRICS.items():
        task = f", {metric.task} only" if metric.task else ""
        lines.append(f"  {name}: {'lower' if metric.mode == 'min' else 'higher'} is better{task}")
    return "\n".join(lines) + "\n"


def _datasets() -> str:
    from mlkit.config.sections import CsvSource
    from mlkit.data import DATASET_TASKS, dataset_defaults

    lines = ["datasets (data.dataset; options go in data.params):"]
    for name, task in DATASET_TASKS.items():
        defaults = ", ".join(f"{key}={_value(value)}" for key, value in
                             dataset_defaults(name).items())
        lines.append(f"  {name}: {task}" + (f"; params: {defaults}" if defaults else ""))
    lines.append("  csv: a CSV file, described in data.csv (the options of mlkit.data.load_csv, "
                 "None written null):")
    lines += [_option(key, field, indent=4) for key, field in CsvSource.model_fields.items()]
    return "\n".join(lines) + "\n"


def _summary(doc: str | None) -> str:
    """The first paragraph of a docstring, on one line and without markup."""
    from mlkit.registry.signatures import plain_text

    return plain_text(" ".join(inspect.cleandoc(doc or "").partition("\n\n")[0].split()))


def _option(name: str, field, indent: int = 4) -> str:
    kind = _type(field.annotation) + _bounds(field.metadata)
    default = "required" if field.is_required() else f"default {_value(field.default)}"
    text = " ".join((field.description or "").split())
    return f"{' ' * indent}{name}: {kind}, {default}" + (f" — {text}" if text else "")


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _bounds(metadata) -> str:
    """Bounds and lengths as the validator enforces them: ``(>= 0, < 1)``, ``(exactly 2 long)``."""
    signs = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
    items = [part for item in metadata for part in (item, *getattr(item, "metadata", ()))]
    found = [f"{sign} {getattr(item, key)}" for item in items for key, sign in signs.items()
             if getattr(item, key, None) is not None]
    low = max((item.min_length for item in items if getattr(item, "min_length", None)),
              default=None)
    high = min((item.max_length for item in items
                if getattr(item, "max_length", None) is not None), default=None)
    if low is not None and low == high:
        found.append(f"exactly {low} long")
    else:
        found += [f"at least {low} long"] if low else []
        found += [f"at most {high} long"] if high is not None else []
    return f" ({', '.join(found)})" if found else ""


def _type(hint: Any) -> str:
    """A schema type as a reader would say it: ``float``, ``list of int``, ``a | b``."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        return _type(args[0]) + _bounds(hint.__metadata__)
    if origin is Literal:  # punctuation is quoted: ',' | ';' | '\t' | '|'
        return " | ".join(str(arg) if any(c.isalnum() for c in str(arg)) else repr(arg)
                          for arg in args)
    if origin in (Union, types.UnionType):
        return " | ".join(_type(arg) for arg in args)
    if origin in (list, tuple):
        return f"list of {_type(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping of {_type(args[0])} to {_type(args[1])}"
    if hint is type(None):
        return "null"
    if hasattr(hint, "model_fields"):  # a nested section (an optimizer's group): its keys
        return "{" + ", ".join(hint.model_fields) + "}"
    return getattr(hint, "__name__", str(hint))
