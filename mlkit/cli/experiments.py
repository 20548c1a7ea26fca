"""The ``sweep``, ``cv`` and ``landscape`` subcommands: many runs, locally or on a Dask
cluster."""

from __future__ import annotations

from mlkit.cli.common import EXIT_FAILED, say, usage_error

# ----------------------------------------------------------------------------- where runs go


def _add_workers(parser, runs: str) -> None:
    """--workers and --scheduler: local processes or a Dask cluster for a command's runs."""
    parser.add_argument("--workers", type=int, metavar="N",
                        help="local worker processes (default: one per CPU core it may use)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help=f"run the {runs} on this Dask scheduler instead (mlkit[dask])")


def _check_workers(command: str, workers) -> None:
    if workers is not None and workers < 1:
        raise usage_error(command, "--workers", "must be at least 1", workers, "e.g. --workers 2")

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
    _add_workers(parser, "trials")
    parser.add_argument("--resume", nargs="?", const=True, metavar="SWEEP_DIR",
                        help="skip trials that finished in SWEEP_DIR (default: this sweep's "
                             "newest directory)")
    parser.set_defaults(handler=cmd_sweep)


def cmd_sweep(args) -> int:
    from mlkit.experiments import load_sweep, run_sweep

    _check_workers("mlkit sweep", args.workers)
    sweep = load_sweep(args.sweep_file, args.overrides)
    result = run_sweep(sweep, workers=args.workers, scheduler=args.scheduler,
                       resume=args.resume, say=say)
    return EXIT_FAILED if result.outcomes and result.failed == len(result.outcomes) else 0


# ----------------------------------------------------------------------------- cv


def add_cv(subparsers) -> None:
    parser = subparsers.add_parser(
        "cv", help="k-fold cross-validation of a config, mlkit against the baseline",
        description="Cut CONFIG's rows into K folds (stratified by class when "
                    "data.split.stratify, seeded by data.split.seed) and train one run per "
                    "fold, testing on that fold: fold i is exactly `mlkit train CONFIG "
                    "data.split.folds=K data.split.fold=i`, with validation rows taken from "
                    "the other folds (data.split.val of them) and the scikit-learn baseline "
                    "fitted on the same rows. Prints each test metric's mean and standard "
                    "deviation over the folds; writes folds.csv and summary.csv to the cv "
                    "directory printed on the last line. Exits 1 when a fold failed.")
    parser.add_argument("config", help="YAML config, e.g. configs/csv.yaml")
    parser.add_argument("overrides", nargs="*", help="key.path=value, as for mlkit train")
    parser.add_argument("--folds", type=int, metavar="K",
                        help="number of folds (default: data.split.folds, else 5)")
    _add_workers(parser, "folds")
    parser.add_argument("--output", metavar="DIR", help="root of the cv directory (output.dir)")
    parser.set_defaults(handler=cmd_cv)


def cmd_cv(args) -> int:
    from mlkit.experiments.cv import run_cv

    _check_workers("mlkit cv", args.workers)
    overrides = list(args.overrides) + ([f"output.dir={args.output}"] if args.output else [])
    result = run_cv(args.config, overrides, folds=args.folds, workers=args.workers,
                    scheduler=args.scheduler, say=say)
    return EXIT_FAILED if result.failed else 0


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
    say(f"{function.name} from {config.start}: steps to within {config.tolerance:g} "
         f"({config.criterion}) of the minimum {list(function.minimum)}, budget {config.steps}")
    say(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    say(f"landscape directory: {path}")
    return 0
