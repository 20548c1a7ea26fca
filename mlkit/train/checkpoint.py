"""Checkpoints: flat ``{dotted.name: array}`` dicts in ``.npz`` files, written atomically.

A file is first written next to its destination and then renamed over it, so a reader (or a
run killed mid-write) only ever sees the old file or the new one. Files are read with
``allow_pickle=False``: a checkpoint holds plain arrays, never code.

A training checkpoint (``last.npz``) groups its arrays by prefix: ``model.*`` (the model's
``state_dict``), ``optimizer.*``, ``schedule.*``, ``callbacks.<name>.*``, ``history.*``
(one array per metrics column), ``loop.*`` (epoch, step counter, stop reason) and ``rng.*``
(the bit-generator states of the loop's and the model's random generators, as JSON text).
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["CheckpointError", "atomic_write_bytes", "atomic_write_text", "join_prefix",
           "load_arrays", "rng_from_array", "rng_to_array", "save_arrays", "split_prefix"]


class CheckpointError(ValueError):
    """A checkpoint file that is missing, unreadable, or lacks what the caller needs."""


def _atomic(path: Path, write) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    _atomic(Path(path), lambda file: file.write(data))


def atomic_write_text(path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def save_arrays(path, arrays: dict) -> None:
    """Save ``{name: array}`` as an uncompressed ``.npz`` at ``path``, atomically.

    Names are dotted paths such as ``model.layers.0.weight``; object arrays are refused, so
    every file can be loaded back without pickle.
    """
    checked = {}
    for name, value in arrays.items():
        array = np.asarray(value)
        if array.dtype.kind == "O":
            raise CheckpointError(f"cannot save {name!r}: it is an object array "
                                  f"({type(value).__name__}); checkpoints hold plain arrays only")
        checked[str(name)] = array
    _atomic(Path(path), lambda file: np.savez(file, **checked))


def load_arrays(path) -> dict[str, np.ndarray]:
    """Load every array of the ``.npz`` file at ``path`` (``allow_pickle=False``).

    Raises :class:`CheckpointError` naming the file when it is missing, is not an ``.npz``
    archive, is truncated, or holds pickled objects.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {str(path)!r} does not exist"
                              + ("" if path.parent.is_dir() else
                                 f" (nor does its folder {str(path.parent)!r})"))
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as error:
        raise CheckpointError(
            f"checkpoint {str(path)!r} is corrupt or not an mlkit .npz file ({error}); "
            "restore it from a copy or train again") from None


def split_prefix(arrays: dict, prefix: str) -> dict[str, np.ndarray]:
    """The entries named ``<prefix>.<rest>``, keyed by ``rest``."""
    start = prefix + "."
    return {name[len(start):]: value for name, value in arrays.items() if name.startswith(start)}


def join_prefix(prefix: str, arrays: dict) -> dict[str, np.ndarray]:
    """``arrays`` with every name prefixed by ``<prefix>.``."""
    return {f"{prefix}.{name}": value for name, value in arrays.items()}


def rng_to_array(rng: np.random.Generator) -> np.ndarray:
    """A generator's exact bit-generator state as a 0-d text array (JSON; no pickle needed)."""
    return np.array(json.dumps(rng.bit_generator.state))


def rng_from_array(rng: np.random.Generator, array) -> None:
    """Put the state saved by :func:`rng_to_array` back into ``rng``."""
    try:
        state = json.loads(str(np.asarray(array)[()]))
    except (json.JSONDecodeError, IndexError) as error:
        raise CheckpointError(f"saved random state is not a generator's state ({error})") from None
    expected = type(rng.bit_generator).__name__
    if not isinstance(state, dict) or state.get("bit_generator") != expected:
        found = state.get("bit_generator") if isinstance(state, dict) else type(state).__name__
        raise CheckpointError(f"saved random state is for {found}, but the generator is a "
                              f"{expected}")
    try:
        rng.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as error:
        raise CheckpointError(f"saved random state is damaged ({error})") from None
