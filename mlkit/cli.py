"""The ``mlkit`` command: train, evaluate, predict, gradcheck (and sweep).

Wiring only: each subcommand is one ``add_*`` function declaring its arguments and one
``cmd_*`` function calling the library. A user error (bad config, bad data, missing run,
corrupt checkpoint) prints one message on stderr and exits with status 2; a diverged run
exits with 1; Ctrl-C with 130. To add a subcommand, write the pair and list it in
``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 2, 1, 130
RESUMABLE = ("training.epochs", "training.early_stopping.patience",
             "training.early_stopping.min_delta", "output.save_plots")


def _user_errors() -> tuple[type[BaseException], ...]:
    from mlkit.config import ConfigError
    from mlkit.data import DataError
    from mlkit.registry import UnknownComponent
    from mlkit.train import CheckpointError, RunError

    return (ConfigError, DataError, RunError, CheckpointError, UnknownComponent,
            FileNotFoundError, PermissionError, IsADirectoryError)


def _say(text: str = "") -> None:
    print(text, flush=True)


# ----------------------------------------------------------------------------- train


def add_train(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="train a model from a YAML config",
        description="Train from CONFIG (overrides: key.path=value), write a run directory, "
                    "and compare with a scikit-learn baseline on the same split.")
    parser.add_argument("config", nargs="?", help="YAML config, e.g. configs/logreg.yaml")
    parser.add_argument("overrides", nargs="*", help="key.path=value, e.g. training.epochs=5")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--resume", metavar="RUN_DIR",
                        help="continue RUN_DIR from its last.npz (overrides: training.epochs)")
    parser.add_argument("--gradcheck", action="store_true",
                        help="check gradients against finite differences before training")
    parser.add_argument("--output", metavar="DIR", help="root of run directories (output.dir)")
    parser.set_defaults(handler=cmd_train)


def _train_config(args):
    """(config, run or None): a fresh config, or the resumed run's with allowed overrides."""
    from mlkit.config import ConfigError, Problem, load_config
    from mlkit.config.runs import check_resumable
    from mlkit.train import RunDir

    if args.resume is None:
        if args.config is None:
            raise ConfigError("mlkit train", [Problem("", "needs a CONFIG file", hint=(
                "e.g. mlkit train configs/logreg.yaml, or --resume RUN_DIR"))])
        overrides = list(args.overrides) + ([f"output.dir={args.output}"] if args.output else [])
        return load_config(args.config, overrides), None
    overrides = list(args.overrides)
    if args.config is not None:
        overrides.insert(0, args.config)
    if args.output:
        raise ConfigError("mlkit train", [Problem("--output", "cannot be used with --resume",
                                                  hint="a resumed run stays in RUN_DIR")])
    run = RunDir.open(args.resume, needs=(RunDir.CONFIG, RunDir.LAST, RunDir.PREPROCESSING))
    saved = load_config(run / RunDir.CONFIG)
    config = load_config(run / RunDir.CONFIG, overrides)
    check_resumable(config, saved, str(run / RunDir.CONFIG), RESUMABLE)
    schedule = config.schedule
    spans = schedule.name == "onecycle" or getattr(schedule, "t_max", 0) is None
    if spans and config.training.epochs != saved.training.epochs:
        _say(f"note: schedule {schedule.name} spans training.epochs, so raising it from "
             f"{saved.training.epochs} to {config.training.epochs} changes the learning rates "
             "of the remaining epochs (set schedule.t_max to keep them)")
    return config, run


def cmd_train(args) -> int:
    from mlkit.config.build import build_plan
    from mlkit.config.runs import resume_status
    from mlkit.experiments.run import train_run
    from mlkit.train import RunDir, TrainingDiverged, TrainingInterrupted
    from mlkit.train.report import comparison_table

    config, run = _train_config(args)
    plan = build_plan(config)
    if args.gradcheck and _print_gradcheck(config) != 0:
        return EXIT_FAILED
    resume = run is not None
    if resume:
        waiting = resume_status(run, config)
        if waiting:
            _say(waiting)
            return 0
    else:
        run = RunDir.create(config.output.dir, config.name)
    _say(f"{'resuming' if resume else 'training'} {config.name}: run directory {run.path}")
    try:
        _, result, baseline = train_run(config, run, plan=plan, resume=resume,
                                        progress=None if not args.quiet else False)
    except TrainingInterrupted as interrupt:
        interrupt.run_dir = run.path
        raise
    except TrainingDiverged as error:
        print(f"mlkit train: {error}", file=sys.stderr)
        print(f"the last good state (after epoch {error.epoch - 1}) is kept in "
              f"{run / RunDir.LAST}; for this config try e.g. "
              f"optimizer.lr={config.optimizer.lr / 10:g}, training.clip_grad_norm=1.0, "
              "or data.standardize=true", file=sys.stderr)
        return EXIT_FAILED
    _say(comparison_table(plan.head, result, baseline))
    _say(f"run directory: {run.path}")
    return 0


# ----------------------------------------------------------------------------- evaluate


def add_evaluate(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="test metrics of a trained run",
        description="Print the test metrics of RUN_DIR's best model: on the run's own test "
                    "split, or on --data (a config's test split, or every row of a CSV).")
    parser.add_argument("run_dir", help="a run directory, e.g. runs/logreg/20250101-120000")
    parser.add_argument("--data", metavar="CONFIG_OR_CSV",
                        help="a .yaml config (its test split) or a .csv file with the target")
    parser.set_defaults(handler=cmd_evaluate)


def cmd_evaluate(args) -> int:
    from mlkit.config.runs import evaluate_run
    from mlkit.train.report import metrics_table

    head, where, scores = evaluate_run(args.run_dir, args.data)
    _say(f"{where}:")
    _say(metrics_table(head, scores))
    return 0


# ----------------------------------------------------------------------------- predict


def add_predict(subparsers) -> None:
    parser = subparsers.add_parser(
        "predict", help="predict new rows with a trained run",
        description="Apply RUN_DIR's saved preprocessing and best model to a CSV file; write "
                    "one row per input row: the prediction and, for classifiers, one "
                    "probability column per class.")
    parser.add_argument("run_dir", help="a run directory")
    parser.add_argument("--input", required=True, metavar="CSV", help="rows to predict")
    parser.add_argument("--output", required=True, metavar="CSV", help="where predictions go")
    parser.set_defaults(handler=cmd_predict)


def cmd_predict(args) -> int:
    from mlkit.config.runs import load_predictor
    from mlkit.train.checkpoint import atomic_write_text

    predictor, _ = load_predictor(args.run_dir)
    X, _ = predictor.read_csv(args.input)
    frame = predictor.frame(X)
    output = Path(args.output)
    if not output.parent.is_dir():
        raise FileNotFoundError(f"the folder of --output {str(output)!r} does not exist; "
                                "create it first")
    atomic_write_text(output, frame.to_csv(index=False))
    _say(f"wrote {len(frame)} predictions to {output}")
    return 0


# ----------------------------------------------------------------------------- gradcheck


def add_gradcheck(subparsers) -> None:
    parser = subparsers.add_parser(
        "gradcheck", help="check a config's gradients against finite differences",
        description="Build CONFIG's model and loss in float64 and compare their gradients at "
                    "initialization with central finite differences, per parameter.")
    parser.add_argument("config", help="YAML config")
    parser.add_argument("overrides", nargs="*", help="key.path=value")
    parser.set_defaults(handler=cmd_gradcheck)


def cmd_gradcheck(args) -> int:
    from mlkit.config import load_config

    return _print_gradcheck(load_config(args.config, args.overrides))


def _print_gradcheck(config) -> int:
    from mlkit.config.runs import gradcheck_config
    from mlkit.train.report import gradcheck_table

    results = gradcheck_config(config)
    _say(gradcheck_table(results))
    failed = [r.name for r in results if not r.ok()]
    if failed:
        _say(f"gradient check FAILED for {', '.join(failed)}")
        return EXIT_FAILED
    _say("gradient check passed")
    return 0


# ----------------------------------------------------------------------------- sweep


def add_sweep(subparsers) -> None:
    parser = subparsers.add_parser(
        "sweep", help="run a grid of training runs, locally or on a Dask cluster",
        description="Run every trial of SWEEP_FILE (a base config, a grid or list of override "
                    "sets, seeds) as an ordinary training run; write results.csv, summary.csv "
                    "and curves.png to the sweep directory printed on the last line. Exits 1 "
                    "only when every trial failed.")
    parser.add_argument("sweep_file", help="e.g. configs/sweeps/optimizers.yaml")
    parser.add_argument("overrides", nargs="*", help="key.path=value for every trial")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="local worker processes (default: one per CPU core)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run the trials on this Dask scheduler instead (mlkit[dask])")
    parser.add_argument("--resume", nargs="?", const=True, metavar="SWEEP_DIR",
                        help="skip trials that finished in SWEEP_DIR (default: this sweep's "
                             "newest directory)")
    parser.set_defaults(handler=cmd_sweep)


def cmd_sweep(args) -> int:
    from mlkit.config import ConfigError, Problem
    from mlkit.experiments import SweepError, load_sweep, run_sweep

    if args.workers is not None and args.workers < 1:
        raise ConfigError("mlkit sweep", [Problem("--workers", "must be at least 1",
                                                  args.workers, "e.g. --workers 2")])
    sweep = load_sweep(args.sweep_file, args.overrides)
    try:
        result = run_sweep(sweep, workers=args.workers, scheduler=args.scheduler,
                           resume=args.resume, say=_say)
    except SweepError as error:
        print(f"mlkit sweep: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FAILED if result.outcomes and result.failed == len(result.outcomes) else 0


# ----------------------------------------------------------------------------- landscape


def add_landscape(subparsers) -> None:
    parser = subparsers.add_parser(
        "landscape", help="optimizers on 2-D test functions: trajectories and steps to converge",
        description="Run the optimizers of a landscape file on its test function; save "
                    "landscape.png (trajectories over contours) and steps.csv, print the table "
                    "of steps to the tolerance.")
    parser.add_argument("config", help="e.g. configs/experiments/rosenbrock.yaml")
    parser.add_argument("overrides", nargs="*", help="key.path=value, e.g. steps=500")
    parser.set_defaults(handler=cmd_landscape)


def cmd_landscape(args) -> int:
    from mlkit.experiments import load_landscape, run_landscape, steps_table, write_landscape

    config = load_landscape(args.config, args.overrides)
    function, trajectories = run_landscape(config)
    table = steps_table(function, trajectories, config)
    path = write_landscape(config, function, trajectories, table)
    _say(f"{function.name} from {config.start}: steps to within {config.tolerance:g} "
         f"({config.criterion}) of the minimum {list(function.minimum)}, budget {config.steps}")
    _say(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    _say(f"landscape directory: {path}")
    return 0


# ----------------------------------------------------------------------------- main

SUBCOMMANDS = [add_train, add_evaluate, add_predict, add_gradcheck, add_sweep, add_landscape]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlkit", description="Train, evaluate and use models from YAML configs.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


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
            print(f"the state after epoch {interrupt.completed} is saved in last.npz; continue "
                  f"with: mlkit train --resume {resume}", file=sys.stderr)
        else:
            print(f"mlkit {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if isinstance(error, _user_errors()):
            print(f"mlkit {args.command}: error: {error}", file=sys.stderr)
            return EXIT_USAGE
        raise


if __name__ == "__main__":
    sys.exit(main())
