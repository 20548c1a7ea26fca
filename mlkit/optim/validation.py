"""The check of a loaded state: the keys and shapes its owner expects, or an error saying which
differ; and the refusal of parameters handed to a constructor. (Arguments are checked against
their type hints: :func:`mlkit.options.checked`.)"""

from __future__ import annotations

import numbers

import numpy as np


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

