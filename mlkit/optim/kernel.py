"""Optimizer updates as one compiled pass over memory.

Each optimizer writes its update once, as a loop over the elements of flat vectors. numba
compiles the loop for float32 and float64 into one vectorised pass that reads and writes each
array once, where numpy's whole-array operations would make a dozen passes and keep
temporaries. The compiled loop does the operations of the formula in its order, rounding each
to the parameter's dtype, with no fast-math and numpy's error model (a division by zero gives
inf or nan instead of raising), so it gives the bits numpy's operations give. Other float
dtypes (float16, longdouble) run the same loop as Python.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.extending import register_jitable

_COMPILED = (np.dtype(np.float32), np.dtype(np.float64))


def element_loop(loop):
    """Decorator: ``loop(*vectors, *constants)`` compiled, run by :func:`run`."""
    return njit(nogil=True, cache=True, error_model="numpy")(loop)


def run(loop, param, grad, states, constants):
    """Run ``loop(param, grad, *states, *constants)`` over the arrays flattened, moving
    ``param`` and ``states`` in place. Python floats among ``constants`` become scalars of the
    parameter's dtype, as numpy's own operations would take them; a state given as ``None``
    (one the options leave out) becomes an empty vector that the loop does not touch."""
    empty = param.reshape(-1)[:0]
    vectors = [_vector(param)] + [empty if s is None else _vector(s) for s in states]
    vectors.insert(1, np.ascontiguousarray(grad).reshape(-1))
    kind = param.dtype.type
    scalars = [kind(c) if type(c) is float else c for c in constants]
    (loop if param.dtype in _COMPILED else loop.py_func)(*vectors, *scalars)


def _vector(array):
    """A one-dimensional view of ``array``, which the loop writes through."""
    if not array.flags.c_contiguous:
        raise ValueError("optimizer updates write parameter and state arrays in place, so "
                         "these must be C-contiguous")
    return array.reshape(-1)


@register_jitable
def signed(param, grad, maximize, weight_decay):
    """The gradient the update follows: ``±grad + weight_decay * param`` (``-`` if maximize)."""
    if weight_decay != 0.0:
        decayed = param * weight_decay
        return decayed - grad if maximize else decayed + grad
    return -grad if maximize else grad
