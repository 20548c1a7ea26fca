"""The check of a loaded state: the keys and shapes its owner expects, or an error saying which
differ; the refusal of parameters handed to a constructor; and what a full-batch optimizer
refuses of the loop. (Arguments are checked against their type hints:
:func:`mlkit.options.checked`.)"""

from __future__ import annotations

import numbers

import numpy as np

from mlkit.options import OptionConflict


class BuiltFromOptions:
    """Base of every optimizer: building one as PyTorch's are, from the parameters (a tree, a
    model, an iterator) rather than from its options alone, is a TypeError saying how mlkit's
    optimizers step and how they give parts of a model their own learning rate or weight decay."""

    def __new__(cls, *args, **kwargs):
        _refuse_parameters(cls, args, kwargs)
        return super().__new__(cls)


def _refuse_parameters(cls, args, kwargs) -> None:
    given = kwargs.get("params", args[0] if args else None)
    if "params" not in kwargs and (given is None or isinstance(given, (numbers.Real, str)) or (
            isinstance(given, np.ndarray) and given.ndim == 0)):
        return
    name = cls.__name__
    raise TypeError(
        f"{name} was given the parameters ({type(given).__name__}) as its first argument; "
        f"mlkit optimizers take their options alone, {name}(lr=...), and step a model with "
        "opt.descend(model, closure) (first-order ones also with opt.update(model, grads)). "
        "For parameter groups (per-layer lr or weight decay), give each part its own "
        "optimizer: optim.Groups([('body', SGD(lr=0.1)), (lambda path: True, SGD(lr=0.01))])")


def state_arrays(owner, state, expected):
    """``state`` as arrays with exactly the keys and shapes of ``expected``, or a clear error."""
    arrays = {str(key): np.asarray(value) for key, value in dict(state).items()}
    missing = sorted(set(expected) - set(arrays))
    unexpected = sorted(set(arrays) - set(expected))
    if missing or unexpected:
        raise KeyError(f"{owner}.load_state_dict: missing keys {missing}, unexpected {unexpected}")
    for key, value in expected.items():
        if arrays[key].shape != value.shape:
            raise ValueError(
                f"{owner}.load_state_dict: {key!r} has shape {arrays[key].shape}, expected "
                f"{value.shape}"
            )
    return arrays


def whole_data_conflicts(name: str, batch_size, clip_grad_norm=None,
                         clip_grad_value=None) -> list[OptionConflict]:
    """What a ``full_batch`` optimizer ``name`` (a line search) cannot be given: steps on
    mini-batches (a ``batch_size`` other than None or "full"), or a clipped gradient. The one
    statement of the rule: ``fit`` raises the first, a config reports each at its key."""
    conflicts = []
    if batch_size not in (None, "full"):
        conflicts.append(OptionConflict(name, "batch_size", f"is a mini-batch, but {name} takes "
                                        "whole-data steps", batch_size, "use batch_size 'full'"))
    for option, value in (("clip_grad_norm", clip_grad_norm), ("clip_grad_value",
                                                              clip_grad_value)):
        if value:
            conflicts.append(OptionConflict(name, option, f"cannot be combined with {name}, "
                                            "whose line search needs the true gradient", value,
                                            "remove gradient clipping"))
    return conflicts
