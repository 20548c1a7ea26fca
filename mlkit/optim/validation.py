"""The check of a loaded state: the keys and shapes its owner expects, or an error saying which
differ. (Arguments are checked against their type hints: :func:`mlkit.options.checked`.)"""

from __future__ import annotations

import numpy as np


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

