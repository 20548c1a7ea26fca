"""A trial or fold whose L-BFGS stalled (no decrease short of its tolerances) is flagged on
screen and in results.csv / folds.csv with the reason its run's summary.json records; one that
converged is not."""

import json
from pathlib import Path

import pandas as pd

from mlkit.cli import main
from mlkit.experiments.cv import folds_text

REPO = Path(__file__).resolve().parents[2]
LOGREG = REPO / "configs" / "logreg.yaml"
LBFGS = ["optimizer.name=lbfgs", "~optimizer.betas", "optimizer.lr=1",
         "optimizer.line_search_fn=strong_wolfe", "training.batch_size=full",
         "training.epochs=40", "~training.early_stopping", "baseline.name=off",
         "output.save_plots=false"]
SWEEP = """\
base: {base}
trials:
  - {{training.dtype: float32, optimizer.tolerance_grad: 1.0e-9,
     optimizer.tolerance_change: 1.0e-14}}
  - {{training.dtype: float64}}
output: {{dir: {out}}}
"""
STALL = "the line search found no decrease: the loss cannot resolve smaller steps in float32"
# a gradient tolerance that neither the float32 loss nor its gradient resolves (raw features)
TOO_FINE = ["training.dtype=float32", "data.standardize=false", "optimizer.tolerance_grad=1e-9",
            "optimizer.tolerance_change=1e-14"]


def _kept_reason(run_dir) -> str:
    return json.loads((Path(run_dir) / "summary.json").read_text())["epochs"]["optimizer_reason"]


def test_sweep_prints_and_records_the_stalled_trial_only(capsys, tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text(SWEEP.format(base=LOGREG, out=tmp_path / "out"))
    code = main(["sweep", str(path), *LBFGS, "--workers", "1"])
    out = capsys.readouterr().out
    assert code == 0
    where = Path(out.strip().splitlines()[-1].removeprefix("sweep directory: "))
    results = pd.read_csv(where / "results.csv", keep_default_na=False).set_index("trial")
    assert list(results["status"]) == ["ok", "ok"]
    assert list(results["stop_reason"]) == ["stalled", "converged"]
    stalled, converged = results.loc["t000"], results.loc["t001"]
    reason = _kept_reason(stalled["run_dir"])
    assert reason.startswith(STALL) and stalled["optimizer_reason"] == reason
    assert converged["optimizer_reason"] == ""
    assert "] t000 stalled training.dtype=float32" in out
    assert "] t001 ok      training.dtype=float64" in out  # labels line up under stalled
    assert "\n1 trial(s) stalled: the optimizer stopped short of its tolerances" in out
    assert f"\n  t000 stalled at epoch {stalled['epochs']}: {reason}\n" in out
    assert "t001 stalled" not in out
    record = json.loads((where / "trials" / "t000.json").read_text())
    assert (record["stop_reason"], record["optimizer_reason"]) == ("stalled", reason)


def test_cv_prints_and_records_each_stalled_fold(capsys, tmp_path):
    def cv(*overrides):
        code = main(["cv", str(LOGREG), *LBFGS, *overrides, "--folds", "2", "--workers", "1",
                     "--output", str(tmp_path)])
        out = capsys.readouterr().out
        assert code == 0
        where = Path(out.strip().splitlines()[-1].removeprefix("cv directory: "))
        return out, pd.read_csv(where / "folds.csv", keep_default_na=False)

    out, folds = cv(*TOO_FINE)
    assert list(folds["stop_reason"]) == ["stalled", "stalled"]
    assert "\n2 fold(s) stalled: the optimizer stopped short of its tolerances" in out
    for fold in folds.itertuples():
        reason = _kept_reason(fold.run_dir)
        assert reason.startswith(STALL) and fold.optimizer_reason == reason
        assert f"\n  fold{fold.fold} stalled at epoch {fold.epochs}: {reason}\n" in out
        assert f"] fold{fold.fold} stalled {fold.test_rows} test rows" in out
    out, folds = cv()
    assert list(folds["stop_reason"]) == ["converged", "converged"]
    assert list(folds["optimizer_reason"]) == ["", ""] and "stalled" not in out


def test_resuming_a_sweep_recorded_before_optimizer_reason_reads_it_from_the_run(capsys, tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text(SWEEP.format(base=LOGREG, out=tmp_path / "out"))
    main(["sweep", str(path), *LBFGS, "--workers", "1"])
    where = Path(capsys.readouterr().out.strip().splitlines()[-1].removeprefix("sweep directory: "))
    record_path = where / "trials" / "t000.json"
    record = json.loads(record_path.read_text())
    del record["optimizer_reason"]  # as versions before the column wrote it
    record_path.write_text(json.dumps(record))
    (where / "trials" / "t001.json").unlink()
    assert main(["sweep", str(path), *LBFGS, "--workers", "1", "--resume", str(where)]) == 0
    out = capsys.readouterr().out
    reason = _kept_reason(record["run_dir"])
    assert reason.startswith(STALL)
    results = pd.read_csv(where / "results.csv", keep_default_na=False).set_index("trial")
    assert results.loc["t000", "optimizer_reason"] == reason
    assert f"\n  t000 stalled at epoch {record['epochs']}: {reason}\n" in out


def test_the_stalled_list_follows_trial_order_after_a_resume(capsys, tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text(SWEEP.format(base=LOGREG, out=tmp_path / "out").replace(
        "{training.dtype: float64}",
        "{training.dtype: float32, optimizer.tolerance_grad: 1.0e-9, "
        "optimizer.tolerance_change: 1.0e-14, training.seed: 1}"))
    main(["sweep", str(path), *LBFGS, "--workers", "1"])
    where = Path(capsys.readouterr().out.strip().splitlines()[-1].removeprefix("sweep directory: "))
    (where / "trials" / "t000.json").unlink()  # t001 is read back, then t000 runs again
    assert main(["sweep", str(path), *LBFGS, "--workers", "1", "--resume", str(where)]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines() if " stalled at epoch " in line]
    assert listed == ["t000", "t001"]


def test_folds_text_reads_a_folds_csv_written_before_stop_reason(capsys, tmp_path):
    code = main(["cv", str(LOGREG), *LBFGS, *TOO_FINE, "--folds", "2", "--workers", "1",
                 "--output", str(tmp_path)])
    where = Path(capsys.readouterr().out.strip().splitlines()[-1].removeprefix("cv directory: "))
    assert code == 0
    folds = pd.read_csv(where / "folds.csv")
    statuses = [line.split()[1] for line in folds_text(folds, ["accuracy"]).splitlines()[2:]]
    assert statuses == ["stalled", "stalled"]
    older = folds.drop(columns=["stop_reason", "optimizer_reason"])
    assert [line.split()[1] for line in folds_text(older, ["accuracy"]).splitlines()[2:]] == \
        ["ok", "ok"]
