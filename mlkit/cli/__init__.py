"""The ``mlkit`` command: train, evaluate, predict, gradcheck, inspect (and sweep, cv, landscape).

Wiring only: each subcommand is one ``add_*`` function declaring its arguments and one
``cmd_*`` function calling the library. A user error (bad config, bad data, missing run,
corrupt checkpoint) prints one message on stderr and exits with status 2; a diverged run
exits with 1; Ctrl-C with 130. The pairs live in one module per group of subcommands
(train.py, evaluate.py, runs.py, experiments.py); to add a subcommand, write the pair there
and list it in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import sys

from mlkit.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE
from mlkit.cli.evaluate import add_evaluate
from mlkit.cli.experiments import add_cv, add_landscape, add_sweep
from mlkit.cli.inspection import add_inspect
from mlkit.cli.listing import add_list
from mlkit.cli.runs import add_predict
from mlkit.cli.train import add_gradcheck, add_train

__all__ = ["SUBCOMMANDS", "build_parser", "main", "version"]


def _user_errors() -> tuple[type[BaseException], ...]:
    from mlkit.config import ConfigError
    from mlkit.data import DataError
    from mlkit.experiments import SweepError
    from mlkit.registry import UnknownComponent
    from mlkit.train import CheckpointError, RunError

    return (ConfigError, DataError, RunError, CheckpointError, UnknownComponent, SweepError,
            FileNotFoundError, PermissionError, IsADirectoryError)


SUBCOMMANDS = [add_train, add_evaluate, add_predict, add_gradcheck, add_inspect, add_sweep,
               add_cv, add_landscape, add_list]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlkit", description="Train, evaluate and use models from YAML configs.",
        epilog="mlkit list shows every model, loss, optimizer, schedule, metric and data set "
               "with its options.")
    parser.add_argument("--version", action="version", version=f"mlkit {version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def version() -> str:
    """The installed mlkit's version (that of pyproject.toml when run from a checkout)."""
    from importlib import metadata

    try:
        return metadata.version("mlkit")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def main(argv=None) -> int:
    """Run the ``mlkit`` command line; returns the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # argparse cannot take positionals after an option (train CONFIG --quiet key=value):
    # collect such overrides here; anything else is still an error.
    unknown = [text for text in extra if text.startswith("-") or not hasattr(args, "overrides")]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if extra:
        args.overrides = list(args.overrides) + extra
    try:
        return args.handler(args)
    except BrokenPipeError:  # e.g. `mlkit train ... | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except KeyboardInterrupt as interrupt:
        from mlkit.train import TrainingInterrupted

        if isinstance(interrupt, TrainingInterrupted):
            print(f"mlkit {args.command}: {interrupt}", file=sys.stderr)
            resume = getattr(interrupt, "run_dir", None) or getattr(args, "resume", None)
            saved = getattr(interrupt, "saved_epoch", interrupt.completed)
            print(f"the state after epoch {saved} is saved in last.npz; continue "
                  f"with: mlkit train --resume {resume}", file=sys.stderr)
        else:
            print(f"mlkit {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if isinstance(error, _user_errors()):
            prefix = f"mlkit {args.command}: "
            text = str(error).removeprefix(prefix)
            print(f"{prefix}error: {text}", file=sys.stderr)
            return EXIT_USAGE
        raise
