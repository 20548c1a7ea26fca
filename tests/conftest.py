"""Fixtures every test directory shares."""

import fcntl
import json
import os
import runpy
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# One run also shows the gradient check coming before training; the digits MLP's baseline
# (scikit-learn's MLPClassifier, twice as slow as the run itself) is cut to 20 iterations.
# Neither changes what is trained.
SHIPPED_EXTRA = {"logreg": ["--gradcheck"], "mlp": ["baseline.max_iter=20"]}


def _command() -> list[str]:
    script = Path(sys.executable).parent / "mlkit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mlkit.cli"]


def _interrupt_by_default():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="session")
def interruptible():
    """``interruptible(command, **popen_options)``: a child process that Ctrl-C (SIGINT) reaches.
    A shell starts a background job with SIGINT ignored and a child inherits that, so from a
    suite run with ``&`` a plain Popen child would train on past the signal."""
    def start(command, **options):
        return subprocess.Popen(command, preexec_fn=_interrupt_by_default, **options)
    return start


@pytest.fixture(scope="session")
def mlkit_command():
    """The `mlkit` command as an argument list (the installed script, else python -m)."""
    return _command()


@pytest.fixture(scope="session")
def shipped(tmp_path_factory):
    """``shipped(name)``: the finished `mlkit train configs/<name>.yaml` run, trained once per
    session in a real subprocess (``code, out, err, output, runs``, and each run's ``files`` as
    training left them: later tests evaluate into it); pytest-xdist workers share it through a
    locked directory."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shipped"
    root.mkdir(exist_ok=True)

    def train(name):
        record = root / f"{name}.json"
        with open(root / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not record.exists():
                done = subprocess.run(
                    _command() + ["train", f"configs/{name}.yaml", f"output.dir={root / name}",
                                  "--quiet", *SHIPPED_EXTRA.get(name, [])],
                    cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
                runs = sorted(path.parent for path in (root / name).glob("*/*/config.yaml"))
                partial = record.with_suffix(".partial")
                partial.write_text(json.dumps({
                    "code": done.returncode, "out": done.stdout, "err": done.stderr,
                    "output": str(root / name), "runs": [str(run) for run in runs],
                    "files": [sorted(p.name for p in run.iterdir()) for run in runs]}))
                partial.replace(record)
        return json.loads(record.read_text())

    return train


@pytest.fixture(scope="session")
def shipped_run(shipped):
    """``shipped_run(name)``: the directory of the ``shipped(name)`` run, which succeeded."""

    def run_dir(name):
        done = shipped(name)
        assert done["code"] == 0, done["err"]
        (run,) = done["runs"]
        return Path(run)

    return run_dir


@pytest.fixture
def run_file():
    """``run_file(path, as_script=False)``: run a Python file once in this process and return
    the names it bound; ``as_script`` runs it as ``__main__``, its main block included."""

    def run(path, as_script=False):
        return runpy.run_path(str(path), run_name="__main__" if as_script else path.stem)

    return run


@pytest.fixture
def write(tmp_path):
    """``write(text, name="data.csv")``: the path of a new file holding ``text``, in a
    temporary directory."""

    def _write(text, name="data.csv"):
        path = tmp_path / name
        path.write_text(text)
        return path

    return _write


@pytest.fixture
def cli(capsys):
    """``cli(*args)``: run the ``mlkit`` command in this process on ``args`` (paths allowed)
    and return its exit code (argparse's too), stdout and stderr."""
    from mlkit.cli import main

    def run(*args):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit_:
            code = exit_.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
