"""Run directories whose files no longer fit each other: `mlkit train --resume`, `evaluate`
and `predict` refuse them with the file, the mismatch and the fix, and change nothing."""

import shutil
from pathlib import Path

import numpy

REPO = Path(__file__).resolve().parents[1]


def _copy(shipped_run, tmp_path, name="softmax") -> Path:
    return Path(shutil.copytree(shipped_run(name), tmp_path / "run"))


def _drop_key(path: Path, key: str) -> None:
    with numpy.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files if name != key}
    numpy.savez(path, **arrays)


def test_resume_from_a_checkpoint_that_does_not_fit_keeps_the_saved_config(
        cli, tmp_path, shipped_run):
    run = _copy(shipped_run, tmp_path)
    _drop_key(run / "last.npz", "model.weight")
    saved = {path.name: path.read_bytes() for path in run.iterdir() if path.is_file()}
    code, out, err = cli("train", "--resume", run, "training.epochs=60", "--quiet")
    assert code == 2 and "Traceback" not in err
    assert f"resuming from {run / 'last.npz'}: the checkpoint does not match" in err
    assert "resume with the config it was saved with" in err and "missing: ['weight']" in err
    assert {path.name: path.read_bytes() for path in run.iterdir() if path.is_file()} == saved


def test_best_weights_that_do_not_fit_the_config_say_how_to_recover(cli, tmp_path,
                                                                    shipped_run):
    run = _copy(shipped_run, tmp_path)
    _drop_key(run / "model.npz", "bias")
    code, _, err = cli("evaluate", run)
    assert code == 2 and "Traceback" not in err
    assert f"{run / 'model.npz'} does not fit the model of {run / 'config.yaml'}" in err
    assert "restore the two as training saved them, or train again" in err


def test_a_file_with_a_header_and_no_rows_is_named_as_such(cli, tmp_path, shipped_run):
    empty = tmp_path / "empty.csv"
    empty.write_text((REPO / "datasets" / "penguins.csv").read_text().splitlines()[0] + "\n")
    for args in (["predict", shipped_run("csv"), "--input", empty, "--output",
                  tmp_path / "out.csv"], ["evaluate", shipped_run("csv"), "--data", empty]):
        code, _, err = cli(*args)
        assert code == 2 and "Traceback" not in err and not (tmp_path / "out.csv").exists()
        assert f"'{empty}' has a header but no data rows; add the rows to score." in err


def test_resume_refuses_a_damaged_preprocessing_file_it_would_keep(cli, tmp_path, shipped_run):
    run = _copy(shipped_run, tmp_path)
    (run / "preprocessing.json").write_text("{not json")
    saved = (run / "last.npz").read_bytes()
    code, _, err = cli("train", "--resume", run, "training.epochs=60", "--quiet")
    assert code == 2 and "Traceback" not in err
    assert "preprocessing.json" in err and "not valid JSON" in err
    assert (run / "last.npz").read_bytes() == saved
