"""mlkit sweep for real: local processes and a Dask LocalCluster, failures, resume, Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy
import pandas as pd
import pytest

from mlkit.cli import main
from mlkit.experiments import SweepError, load_sweep, run_sweep

BASE = """\
data: {dataset: iris, split: {val: 0.2, test: 0.2, seed: 0}}
model: {name: softmax_regression}
loss: {name: cross_entropy}
optimizer: {name: sgd, lr: 0.1}
training: {epochs: EPOCHS, batch_size: 32}
baseline: {name: "off"}
output: {save_plots: false}
metrics: [log_loss, accuracy, f1_macro]
"""
# Two settings that train, one whose loss overflows (diverges at run time) and one whose
# class weights name a class iris lacks (found when the data is loaded, inside the worker).
SWEEP = """\
base: base.yaml
trials:
  - {optimizer.lr: 0.1}
  - {optimizer.name: adam, optimizer.lr: 0.05}
  - {loss.l2: 1.0e+300}
  - {loss.class_weight: {9: 2.0}}
seeds: [0, 1]
output: {dir: OUT}
"""
METRIC_COLUMNS = ("final_", "best_", "test_")


def write_sweep(directory, sweep=SWEEP, epochs=3):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "base.yaml").write_text(BASE.replace("EPOCHS", str(epochs)))
    path = directory / "sweep.yaml"
    path.write_text(textwrap.dedent(sweep).replace("OUT", str(directory / "out")))
    return path


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The sweep run once on two local worker processes: (sweep, result, printed lines)."""
    sweep = load_sweep(write_sweep(tmp_path_factory.mktemp("local")))
    lines = []
    started = time.perf_counter()
    result = run_sweep(sweep, workers=2, say=lines.append)
    print(f"local sweep of {len(sweep.trials)} trials: {time.perf_counter() - started:.1f}s")
    return sweep, result, "\n".join(lines).splitlines()


def metrics(results):
    columns = [c for c in results.columns if c.startswith(METRIC_COLUMNS)]
    return results.set_index("trial")[["status", *columns]]


def test_every_trial_has_a_row_failures_carry_their_error_and_the_rest_finish(local):
    _sweep, result, lines = local
    results = pd.read_csv(result.path / "results.csv")
    assert results["trial"].tolist() == [f"t{i:03d}" for i in range(8)]
    assert results["status"].tolist() == ["ok"] * 4 + ["failed"] * 4
    diverged, unknown_class = results["error"][4], results["error"][6]
    assert diverged.startswith("TrainingDiverged: training diverged: the loss became inf")
    assert "loss.class_weight: names classes data 'iris' does not have" in unknown_class
    assert results["test_accuracy"][:4].between(0.5, 1.0).all()
    assert results["test_accuracy"][4:].isna().all()
    assert results["epochs"].tolist() == [3] * 4 + [0] * 4
    assert results["training.seed"].tolist() == [0, 1] * 4
    assert (results["seconds"] > 0).all()
    assert lines[-1] == f"sweep directory: {result.path}"
    assert sum(line.startswith("[") for line in lines) == 8
    assert "4 trial(s) failed; see the error column" in "\n".join(lines)
    for trial in results["trial"][:4]:
        run = result.path / "trials" / trial
        assert {"config.yaml", "metrics.csv", "model.npz", "summary.json"} <= {
            p.name for p in run.iterdir()}
    assert (result.path / "curves.png").stat().st_size > 10_000


def test_summary_gives_mean_and_spread_over_seeds(local):
    _, result, lines = local
    results = pd.read_csv(result.path / "results.csv")
    summary = pd.read_csv(result.path / "summary.csv")
    assert summary["group"].tolist() == [
        "optimizer.lr=0.1", "optimizer.name=adam optimizer.lr=0.05", "loss.l2=1.0e+300",
        "loss.class_weight={9: 2.0}"]
    assert summary["ok"].tolist() == [2, 2, 0, 0]
    pair = results["test_log_loss"][:2]
    assert summary["test_log_loss_mean"][0] == pytest.approx(pair.mean())
    assert summary["test_log_loss_std"][0] == pytest.approx(pair.std(ddof=1))
    assert summary["test_log_loss_mean"][2:].isna().all()
    chosen = results["test_f1_macro"][:2]  # a metric of the config's metrics: list
    assert summary["test_f1_macro_mean"][0] == pytest.approx(chosen.mean())
    assert summary["best_val_f1_macro_mean"][0] == pytest.approx(results["best_val_f1_macro"][
        :2].mean())
    assert results["test_f1_macro"][:4].between(0.3, 1.0).all()
    assert any(line.lstrip().startswith("optimizer.lr=0.1") and "2/2" in line and " ± " in line
               for line in lines)


def test_trials_match_the_same_runs_made_one_by_one_with_mlkit_train(local, tmp_path, capsys):
    sweep, result, _ = local
    for trial in (sweep.trials[1], sweep.trials[2]):
        status = main(["train", str(sweep.base), *trial.overrides, "--quiet",
                       "--output", str(tmp_path)])
        assert status == 0
        run = capsys.readouterr().out.strip().splitlines()[-1].split(": ", 1)[1]
        by_hand = pd.read_csv(f"{run}/metrics.csv").drop(columns="seconds")
        in_sweep = pd.read_csv(result.path / "trials" / trial.id / "metrics.csv")
        pd.testing.assert_frame_equal(by_hand, in_sweep.drop(columns="seconds"))
        test_by_hand = json.loads(Path(run, "summary.json").read_text())["test"]
        assert test_by_hand == json.loads(
            (result.path / "trials" / trial.id / "summary.json").read_text())["test"]
    failing = sweep.trials[4]
    assert main(["train", str(sweep.base), *failing.overrides, "--quiet",
                 "--output", str(tmp_path)]) == 1  # diverges by hand too


def test_the_same_sweep_on_a_dask_local_cluster_gives_the_same_results(local, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    sweep = load_sweep(write_sweep(tmp_path))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        lines = []
        started = time.perf_counter()
        result = run_sweep(sweep, scheduler=cluster.scheduler_address, say=lines.append)
        print(f"dask sweep of {len(sweep.trials)} trials: {time.perf_counter() - started:.1f}s")
    assert "on the Dask cluster at tcp://127.0.0.1:" in lines[0] and "(2 workers)" in lines[0]
    pids = {int(o.worker.rsplit(":", 1)[1]) for o in result.outcomes.values()}
    assert os.getpid() not in pids  # every trial ran in a worker process of the cluster
    ours, theirs = metrics(local[1].results), metrics(result.results)
    pd.testing.assert_frame_equal(ours, theirs)
    assert result.results["error"].tolist() == local[1].results["error"].tolist()


def test_resume_runs_only_the_trials_without_an_ok_outcome(tmp_path):
    path = write_sweep(tmp_path, "base: base.yaml\ngrid: {loss.l2: [0.0, 0.01, 1.0e+300]}\n"
                                 "output: {dir: OUT}\n")
    sweep = load_sweep(path)
    first = run_sweep(sweep, workers=2, say=lambda line: None)
    assert [o.status for _, o in sorted(first.outcomes.items())] == ["ok", "ok", "failed"]
    kept = first.path / "trials" / "t001.json"
    stamp = kept.stat().st_mtime_ns
    (first.path / "trials" / "t000.json").unlink()  # as if t000 had been cancelled
    lines = []
    again = run_sweep(load_sweep(path), workers=2, resume=True, say=lines.append)
    assert again.path == first.path
    assert lines[0] == ("sweep sweep: 3 trials, 1 finished earlier; running 2 on 2 local "
                        "worker processes")
    assert sorted(line.split()[1] for line in lines if line.startswith("[")) == ["t000", "t002"]
    assert kept.stat().st_mtime_ns == stamp
    pd.testing.assert_frame_equal(metrics(first.results), metrics(again.results))
    nothing = []
    run_sweep(load_sweep(path), resume=str(first.path), say=nothing.append)
    assert "running 1 on" in nothing[0]  # only the failing trial is tried again


def test_resume_refuses_a_changed_sweep_or_a_missing_directory(tmp_path):
    path = write_sweep(tmp_path, "base: base.yaml\ngrid: {optimizer.lr: [0.1]}\n"
                                 "output: {dir: OUT}\n")
    with pytest.raises(SweepError, match="no earlier sweep named 'sweep'"):
        run_sweep(load_sweep(path), resume=True)
    with pytest.raises(SweepError, match="not a sweep directory .* has no sweep.json"):
        run_sweep(load_sweep(path), resume=str(tmp_path))
    done = run_sweep(load_sweep(path), workers=1, say=lambda line: None)
    with pytest.raises(SweepError, match=r"trial t000 had overrides \['optimizer.lr=0.1'\], "
                                         r"now \['training.epochs=2', 'optimizer.lr=0.1'\]"):
        run_sweep(load_sweep(path, ["training.epochs=2"]), resume=str(done.path))
    record = done.path / "trials" / "t000.json"
    record.write_text(json.dumps({**json.loads(record.read_text()), "index": "zero"}))
    lines = []
    run_sweep(load_sweep(path), workers=1, resume=str(done.path), say=lines.append)
    assert "running 1 on" in lines[0]  # a damaged trial record counts as unfinished
    (done.path / "sweep.json").write_text('{"trials": 3}')
    with pytest.raises(SweepError, match="sweep.json: key 'trials' must be a list"):
        run_sweep(load_sweep(path), resume=str(done.path))
    (done.path / "sweep.json").write_text("{")
    with pytest.raises(SweepError, match="sweep.json is damaged"):
        run_sweep(load_sweep(path), resume=str(done.path))


def test_ctrl_c_cancels_keeps_finished_trials_and_resume_completes_them(tmp_path, interruptible):
    # t000 and t001 train 3 epochs; t002 and t003 take the base's million (hours), so on one
    # worker Ctrl-C after [2/4] always finds t002 running. The resume re-reads base.yaml,
    # now at 3 epochs, and the trials' overrides are unchanged, so it completes them quickly.
    path = write_sweep(tmp_path, "base: base.yaml\n"
                                 "trials: [{training.epochs: 3}, {optimizer.lr: 0.05}]\n"
                                 "repeats: 2\noutput: {dir: OUT}\n", epochs=1_000_000)
    command = [sys.executable, "-u", "-m", "mlkit.cli", "sweep", str(path), "--workers", "1"]
    process = interruptible(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("[2/4]"):
            process.send_signal(signal.SIGINT)
            break
    out, err = process.communicate(timeout=60)
    lines += out.splitlines()
    assert process.returncode == 130, err
    assert "mlkit sweep: interrupted" in err
    directory = lines[-1].removeprefix("sweep directory: ")
    results = pd.read_csv(f"{directory}/results.csv")
    assert list(results["trial"]) == ["t000", "t001"] and (results["status"] == "ok").all()
    assert any(line.startswith("interrupted: 2 finished trial(s) kept, 2 not run")
               and f"--resume {directory}" in line for line in lines)
    (tmp_path / "base.yaml").write_text(BASE.replace("EPOCHS", "3"))
    resumed = []
    result = run_sweep(load_sweep(path), workers=2, resume=directory, say=resumed.append)
    assert len(result.results) == 4 and (result.results["status"] == "ok").all()
    assert (result.results["epochs"] == 3).all()
    assert "2 finished earlier; running 2 on" in resumed[0]
    again = []
    run_sweep(load_sweep(path), resume=directory, say=again.append)
    assert again[0] == "sweep sweep: 4 trials, 4 finished earlier; nothing left to run"


def test_cli_reports_bad_inputs_before_running_anything(tmp_path, capsys):
    path = write_sweep(tmp_path, "base: base.yaml\ngrid: {optimizer.lrr: [0.1]}\n")
    assert main(["sweep", str(path)]) == 2
    err = capsys.readouterr().err
    assert "optimizer.lrr: 'lrr' is not an option of optimizer 'sgd'" in err
    assert "did you mean 'lr'?" in err and "[in trial t000 (optimizer.lrr=0.1)]" in err
    assert main(["sweep", "configs/sweeps/optimizers.yaml", "--workers", "0"]) == 2
    assert "--workers: must be at least 1 (got 0)" in capsys.readouterr().err
    assert main(["sweep", str(path).replace("sweep.yaml", "base.yaml")]) == 2
    assert "looks like a training config, not a sweep file" in capsys.readouterr().err
    good = write_sweep(tmp_path / "good", "base: base.yaml\ngrid: {optimizer.lr: [0.1]}\n")
    assert main(["sweep", str(good), "--resume", str(tmp_path)]) == 2  # a SweepError
    err = capsys.readouterr().err
    assert err.startswith("mlkit sweep: error: --resume ") and "not a sweep directory" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "runs").exists()


def test_dask_is_imported_only_for_a_scheduler():
    code = ("import sys, mlkit.cli, mlkit.experiments; mlkit.cli.build_parser(); "
            "print('dask' in sys.modules, 'distributed' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]


def test_a_local_worker_that_dies_fails_its_trial_not_the_sweep(tmp_path, monkeypatch):
    # A trial whose worker process is killed (e.g. out of memory) is reported as failed.
    from mlkit.experiments import pools

    sweep = load_sweep(write_sweep(tmp_path, "base: base.yaml\ngrid: {optimizer.lr: [0.1]}\n"
                                             "output: {dir: OUT}\n"))
    monkeypatch.setattr(pools, "run_trial", _die)
    result = run_sweep(sweep, workers=1, say=lambda line: None)
    outcome = result.outcomes[0]
    assert outcome.status == "failed" and "BrokenProcessPool" in outcome.error
    assert numpy.isnan(result.results.get("test_accuracy", pd.Series([numpy.nan]))[0])


def _die(spec):
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or (os.cpu_count() or 1) < 2,
                    reason="needs a machine of two cores to confine the sweep to one")
def test_default_workers_are_the_cores_the_process_may_use(tmp_path):
    # Under taskset (or a container's cpuset) more workers than usable cores only take turns.
    path = write_sweep(tmp_path, "base: base.yaml\ngrid: {optimizer.lr: [0.1, 0.05]}\n"
                                 "output: {dir: OUT}\n", epochs=1)
    core = min(os.sched_getaffinity(0))
    code = (f"import os, sys; os.sched_setaffinity(0, {{{core}}}); from mlkit.cli import main; "
            f"sys.exit(main(['sweep', {str(path)!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first == "sweep sweep: 2 trials; running 2 on 1 local worker process", first
