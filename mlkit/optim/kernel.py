"""Optimizer updates written once, run as one compiled pass over memory or as numpy.

Each optimizer writes its update once, as a loop ``for i in elements(param)`` over flat
vectors. numba compiles it, for float32 and float64 vectors of at least ``COMPILED_FROM``
entries, into one vectorised pass that reads and writes each array once, where numpy's
whole-array operations make a dozen passes and keep temporaries. Run by Python, the same loop
takes one index, ``...``, so each line is one numpy operation on whole vectors: smaller
vectors, which would not repay the compiler's start (about 0.2 s once per process), and other
dtypes run so. Both do the operations of the formula in its order, each rounded to the
parameters' dtype (no fast-math; numpy's error model: a division by zero gives inf or nan), so
they give the same bits. numba is imported when a loop is first compiled, so a process that
never needs it does not pay its import either.
"""

from __future__ import annotations

import functools

import numpy as np

COMPILED_FROM = 1 << 15  # entries of a vector from which its update runs compiled
_COMPILED = (np.dtype(np.float32), np.dtype(np.float64))


def elements(vector):
    """The indices an update loop runs over: as Python, one index taking every entry at once."""
    return (Ellipsis,)


def signed(param, grad, maximize, weight_decay):
    """The gradient the update follows: ``±grad + weight_decay * param`` (``-`` if maximize)."""
    if weight_decay != 0.0:
        decayed = param * weight_decay
        return decayed - grad if maximize else decayed + grad
    return -grad if maximize else grad


class element_loop:  # noqa: N801 (a decorator)
    """Decorator: an update loop ``loop(*vectors, *constants)`` for :func:`run`, which runs
    ``py_func`` (the loop itself) as numpy or ``compiled()``."""

    def __init__(self, loop):
        functools.update_wrapper(self, loop)
        self.py_func = loop
        self._compiled = None

    def compiled(self):
        """The loop compiled by numba (for each dtype at its first call; cached on disk)."""
        if self._compiled is None:
            self._compiled = _numba_njit()(nogil=True, cache=True,
                                           error_model="numpy")(self.py_func)
        return self._compiled


@functools.cache
def _numba_njit():
    """numba's ``njit``, once ``elements`` and ``signed`` are taught to it."""
    from numba import njit
    from numba.extending import overload, register_jitable

    def compiled_elements(vector):
        return lambda vector: range(vector.shape[0])

    overload(elements, inline="always")(compiled_elements)
    register_jitable(signed)
    return njit


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
    if param.size >= COMPILED_FROM and param.dtype in _COMPILED:
        loop.compiled()(*vectors, *scalars)
        return
    with np.errstate(all="ignore"):  # as the compiled loop: nan and inf, no warnings
        loop.py_func(*vectors, *scalars)


def _vector(array):
    """A one-dimensional view of ``array``, which the loop writes through."""
    if not array.flags.c_contiguous:
        raise ValueError("optimizer updates write parameter and state arrays in place, so "
                         "these must be C-contiguous")
    return array.reshape(-1)

