"""LoopState: everything the training loop advances, and its exact checkpoint as arrays.

Restoring :meth:`LoopState.arrays` output continues a run bit for bit: model, optimizer,
schedule, callbacks, history, counters and every random generator are included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mlkit.optim.base import trainable
from mlkit.train.checkpoint import (
    CheckpointError,
    join_prefix,
    rng_from_array,
    rng_to_array,
    split_prefix,
)
from mlkit.train.history import History

__all__ = ["LoopState"]


@dataclass
class LoopState:
    """Everything the loop advances, as seen by callbacks; :meth:`arrays` checkpoints it."""

    model: object
    optimizer: object
    schedule: object
    seed: object
    """The loop's random generator, or the seed it is made from at its first use (``rng``)."""
    epochs: int
    steps_per_epoch: int
    callbacks: list = field(default_factory=list)
    history: History = field(default_factory=History)
    epoch: int = 0
    """Epochs completed."""
    step: int = 0
    """Optimizer steps taken."""
    stop: bool = False
    """Set by a callback to end training after the current epoch."""
    _rng: np.random.Generator | None = field(default=None, init=False, repr=False)

    @property
    def rng(self) -> np.random.Generator:
        """The loop's generator (shuffling), made from ``seed`` when first asked for: the same
        draws as one made at the start, and a run that never shuffles never pays for seeding
        it."""
        if self._rng is None:
            self._rng = (self.seed if isinstance(self.seed, np.random.Generator)
                         else np.random.default_rng(self.seed))
        return self._rng

    def arrays(self) -> dict[str, np.ndarray]:
        """The whole state as a flat dict of arrays: restoring it continues bit for bit."""
        out = join_prefix("model", self.model.state_dict())
        out.update(join_prefix("optimizer", self.optimizer.state_dict()))
        if self.schedule is not None:
            out.update(join_prefix("schedule", self.schedule.state_dict()))
        for callback in self.callbacks:
            out.update(join_prefix(f"callbacks.{callback.name}", callback.state_dict()))
        out.update(join_prefix("history", self.history.to_arrays()))
        out["loop.epoch"] = np.array(self.epoch, dtype=np.int64)
        out["loop.step"] = np.array(self.step, dtype=np.int64)
        out["loop.stop_reason"] = np.array(self.history.stop_reason)
        out["rng.loop"] = rng_to_array(self.rng)
        for name, generator in _model_generators(self.model).items():
            out[f"rng.model.{name}"] = rng_to_array(generator)
        return out

    def restore(self, arrays: dict) -> None:
        """Load :meth:`arrays` output back into the model, optimizer, schedule and callbacks."""
        missing = [key for key in ("loop.epoch", "loop.step", "rng.loop") if key not in arrays]
        if missing:
            raise CheckpointError(f"not a training checkpoint: it lacks {missing}; resume "
                                  "from a last.npz written by mlkit's training loop")
        try:
            self.model.load_state_dict(split_prefix(arrays, "model"))
            self.optimizer.load_state_dict(split_prefix(arrays, "optimizer"))
            if hasattr(self.optimizer, "init"):  # check the state against the parameters now
                self.optimizer.init(trainable(self.model))
            if self.schedule is not None:
                self.schedule.load_state_dict(split_prefix(arrays, "schedule"))
            for callback in self.callbacks:
                callback.load_state_dict(split_prefix(arrays, f"callbacks.{callback.name}"))
            rng_from_array(self.rng, arrays["rng.loop"])
            for name, generator in _model_generators(self.model).items():
                if f"rng.model.{name}" in arrays:
                    rng_from_array(generator, arrays[f"rng.model.{name}"])
        except (KeyError, ValueError, TypeError) as error:
            raise CheckpointError("the checkpoint does not match this model and optimizer "
                                  "(resume with the config it was saved with, or train "
                                  f"again): {error}") from None
        reason = str(arrays.get("loop.stop_reason", np.array("completed"))[()])
        self.history = History.from_arrays(split_prefix(arrays, "history"), reason)
        self.epoch = int(arrays["loop.epoch"])
        self.step = int(arrays["loop.step"])


def _model_generators(model) -> dict[str, np.random.Generator]:
    """Random generators held by the model's modules (dropout), by dotted attribute path."""
    found = {}
    named = getattr(model, "named_modules", None)
    for path, module in (named(remove_duplicate=False) if named else []):
        for name, value in vars(module).items():
            if isinstance(value, np.random.Generator):
                found[f"{path}.{name}" if path else name] = value
    return found
