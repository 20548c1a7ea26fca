"""Fixtures every test directory shares."""

import runpy

import pytest


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
