"""Checkpoint files: atomic writes, no pickle, clear errors for missing or corrupt files."""

import numpy
import pytest

from mlkit.train import CheckpointError, load_arrays, save_arrays
from mlkit.train.checkpoint import rng_from_array, rng_to_array


def test_round_trip_keeps_names_dtypes_and_order(tmp_path):
    arrays = {"model.layers.0.weight": numpy.ones((2, 3), numpy.float32),
              "loop.epoch": numpy.array(4), "loop.stop_reason": numpy.array("running")}
    save_arrays(tmp_path / "c.npz", arrays)
    loaded = load_arrays(tmp_path / "c.npz")
    assert list(loaded) == list(arrays)
    assert loaded["model.layers.0.weight"].dtype == numpy.float32
    assert str(loaded["loop.stop_reason"]) == "running"
    assert [p.name for p in tmp_path.iterdir()] == ["c.npz"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "last.npz"
    save_arrays(path, {"a": numpy.zeros(2)})
    with pytest.raises(CheckpointError, match="object array"):
        save_arrays(path, {"a": numpy.array([{"x": 1}], dtype=object)})
    assert numpy.array_equal(load_arrays(path)["a"], numpy.zeros(2))
    assert [p.name for p in tmp_path.iterdir()] == ["last.npz"]


@pytest.mark.parametrize("content", [b"", b"not a zip file at all", b"PK\x03\x04truncated"])
def test_corrupt_files_raise_checkpoint_error_naming_the_file(tmp_path, content):
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="model.npz.*corrupt"):
        load_arrays(path)


def test_pickled_arrays_are_refused(tmp_path):
    path = tmp_path / "evil.npz"
    numpy.savez(path, a=numpy.array([object()], dtype=object))
    with pytest.raises(CheckpointError, match="corrupt or not an mlkit"):
        load_arrays(path)


def test_missing_file_names_it(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        load_arrays(tmp_path / "nope" / "last.npz")


def test_random_generator_state_round_trips_exactly(tmp_path):
    rng = numpy.random.default_rng(5)
    rng.random(3)
    saved = rng_to_array(rng)
    expected = rng.random(4)
    other = numpy.random.default_rng(99)
    rng_from_array(other, saved)
    assert numpy.array_equal(other.random(4), expected)
