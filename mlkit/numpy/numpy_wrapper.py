"""``mlkit.numpy`` under HIPS autograd's module path ``autograd.numpy.numpy_wrapper``, with
``wrap_namespace``: copies of autograd's scipy wrappers kept inside libraries call it to make
each function of a module a primitive, then give it rules with ``defvjp``."""

import numpy as _onp

from mlkit.extend import notrace_primitive, primitive
from mlkit.numpy import *  # noqa: F403 (the namespace programs reach through this path)
from mlkit.numpy import __all__ as _numpy_names

__all__ = [*_numpy_names, "wrap_namespace"]

_NOT_TRACED = (_onp.ndim, _onp.shape, _onp.iscomplexobj, _onp.result_type)


def wrap_namespace(old, new):
    """Put into the dict ``new`` each function of the dict ``old`` as a primitive (those that only
    describe an array as untraced ones), and its numbers, None and classes unchanged; one object
    under two names becomes one primitive."""
    done = {}
    for name, obj in old.items():
        if id(obj) in done:
            new[name] = done[id(obj)]
        elif callable(obj) and not isinstance(obj, type):
            wrapper = notrace_primitive if obj in _NOT_TRACED else primitive
            new[name] = done[id(obj)] = wrapper(obj)
        elif obj is None or isinstance(obj, (int, float, type)):
            new[name] = obj
