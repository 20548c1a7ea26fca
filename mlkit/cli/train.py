"""The ``train`` and ``gradcheck`` subcommands (``train --gradcheck`` runs the latter first)."""

from __future__ import annotations

import sys

from mlkit.cli.common import EXIT_FAILED, say, usage_error

# training.jit changes how each step runs, not what it computes.
RESUMABLE = ("training.epochs", "training.early_stopping.patience",
             "training.early_stopping.min_delta", "training.jit", "training.profile",
             "output.save_plots")

# ----------------------------------------------------------------------------- train


def add_train(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="train a model from a YAML config",
        description="Train from CONFIG (overrides: key.path=value), write a run directory, "
                    "and compare with a scikit-learn baseline on the same split.",
        epilog="`mlkit list` prints every model, loss, optimizer, schedule, metric and data "
               "set a config can name, with its options and defaults.")
    parser.add_argument("config", nargs="?", help="YAML config, e.g. configs/logreg.yaml")
    parser.add_argument("overrides", nargs="*", help="key.path=value, e.g. training.epochs=5")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--resume", metavar="RUN_DIR",
                        help="continue RUN_DIR from its last.npz (overrides: training.epochs)")
    parser.add_argument("--gradcheck", action="store_true",
                        help="check gradients against finite differences before training")
    parser.add_argument("--output", metavar="DIR", help="root of run directories (output.dir)")
    parser.add_argument("--profile", action="store_true",
                        help="print where the training steps' time went (training.profile)")
    parser.set_defaults(handler=cmd_train)


def _train_config(args):
    """(config, run or None): a fresh config, or the resumed run's with allowed overrides."""
    from mlkit.config import load_config
    from mlkit.config.runs import check_resumable
    from mlkit.train import RunDir

    if args.resume is None:
        if args.config is None:
            raise usage_error("mlkit train", "", "needs a CONFIG file",
                              hint="e.g. mlkit train configs/logreg.yaml, or --resume RUN_DIR")
        overrides = list(args.overrides) + ([f"output.dir={args.output}"] if args.output else [])
        return load_config(args.config, overrides + _profiled(args), say=say), None
    overrides = list(args.overrides) + _profiled(args)
    if args.config is not None:
        overrides.insert(0, args.config)
    if args.output:
        raise usage_error("mlkit train", "--output", "cannot be used with --resume",
                          hint="a resumed run stays in RUN_DIR")
    run = RunDir.open(args.resume, needs=(RunDir.CONFIG, RunDir.LAST, RunDir.PREPROCESSING))
    run.read_preprocessing()  # resuming keeps it: damaged, evaluate and predict would fail
    saved = load_config(run / RunDir.CONFIG, saved=True)
    config = load_config(run / RunDir.CONFIG, overrides, saved=True, say=say)
    check_resumable(config, saved, str(run / RunDir.CONFIG), RESUMABLE)
    schedule = config.schedule
    spans = schedule.name == "onecycle" or getattr(schedule, "t_max", 0) is None
    if spans and config.training.epochs != saved.training.epochs:
        say(f"note: schedule {schedule.name} spans training.epochs, so raising it from "
             f"{saved.training.epochs} to {config.training.epochs} changes the learning rates "
             "of the remaining epochs (set schedule.t_max to keep them)")
    return config, run


def _remedies(config) -> str:
    """Overrides that may stop a diverging run, leaving out what the config already does
    (and clipping, which L-BFGS's line search refuses); every rate, its groups' own too, is
    lowered at once."""
    from mlkit.registry import OPTIMIZERS

    groups = getattr(config.optimizer, "groups", None) or ()
    found = [" ".join([f"optimizer.lr={config.optimizer.lr / 10:g}"] + [
        f"optimizer.groups.{i}.lr={group.lr / 10:g}" for i, group in enumerate(groups)
        if group.lr is not None])]
    full_batch = OPTIMIZERS[config.optimizer.name].build.full_batch
    if config.training.clip_grad_norm is None and not full_batch:
        found.append("training.clip_grad_norm=1.0")
    if not config.data.standardize:
        found.append("data.standardize=true")
    return ", ".join(found[:-1]) + (" or " if len(found) > 1 else "") + found[-1]


def _profiled(args) -> list[str]:
    return ["training.profile=true"] if args.profile else []


def cmd_train(args) -> int:
    from mlkit.config.build import build_plan
    from mlkit.config.runs import resume_status
    from mlkit.experiments.run import train_run
    from mlkit.train import RunDir, TrainingDiverged, TrainingInterrupted, load_arrays
    from mlkit.train.report import comparison_table, majority_note

    config, run = _train_config(args)
    plan = build_plan(config, str(run / RunDir.CONFIG) if run else args.config)
    if args.gradcheck and _print_gradcheck(config) != 0:
        return EXIT_FAILED
    resume = run is not None
    if resume:
        waiting = resume_status(run, config)
        if waiting:
            say(waiting)
            return 0
    else:
        run = RunDir.create(config.output.dir, config.name)
    say(f"{'resuming' if resume else 'training'} {config.name}: run directory {run.path}")
    for note in plan.notes:
        say(f"note: {config.data.csv.path}: {note}")
    try:
        _, result, baseline = train_run(config, run, plan=plan, resume=resume,
                                        progress=None if not args.quiet else False)
    except TrainingInterrupted as interrupt:
        # Ctrl-C can land after an epoch ends but before its checkpoint is written: report
        # the epoch last.npz really holds.
        interrupt.run_dir = run.path
        if (run / RunDir.LAST).is_file():
            interrupt.saved_epoch = int(load_arrays(run / RunDir.LAST)["loop.epoch"])
        raise
    except TrainingDiverged as error:
        print(f"mlkit train: {error}", file=sys.stderr)
        print(f"the last good state (after epoch {error.epoch - 1}) is kept in "
              f"{run / RunDir.LAST}; for this config try e.g. {_remedies(config)}",
              file=sys.stderr)
        return EXIT_FAILED
    say(comparison_table(plan.head, result, baseline, config.metrics or ()))
    note = None if config.metrics else majority_note(
        plan.head, plan.splits.y_test, result.test, plan.preprocessing.classes,
        plan.splits.w_train is not None or getattr(config.loss, "pos_weight", None) is not None)
    if note:
        say(note)
    if result.history.stop_reason == "stalled":
        say(f"note: {config.optimizer.name} stopped short of its tolerances at epoch "
            f"{len(result.history)}: {plan.optimizer.reason}")
    if result.history.profile is not None:
        print(result.history.profile)
    say(f"run directory: {run.path}")
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

    return _print_gradcheck(load_config(args.config, args.overrides, say=say))


def _print_gradcheck(config) -> int:
    from mlkit.config.runs import gradcheck_config
    from mlkit.train.report import gradcheck_table

    results = gradcheck_config(config)
    say(gradcheck_table(results))
    failed = [r.name for r in results if not r.ok()]
    if failed:
        say(f"gradient check FAILED for {', '.join(failed)}")
        return EXIT_FAILED
    say("gradient check passed")
    return 0
