"""Small helpers kept under HIPS autograd's module path ``autograd.util``, so programs that
import them run unchanged."""

import warnings

from mlkit.autodiff.reverse import DeprecatedFormWarning
from mlkit.testing import check_grads

__all__ = ["func", "quick_grad_check", "subval", "subvals"]


def func(f):
    """``f`` itself: the function under a method, as ``defvjp(func(Cls.method), ...)`` writes
    it (in Python 3 a method looked up on its class already is that function)."""
    return f


def subvals(x, ivs):
    """The tuple ``x`` with ``x[i]`` replaced by ``v`` for each pair ``(i, v)`` of ``ivs`` (an
    argument list with some arguments swapped, as rules of one's own build it)."""
    x = list(x)
    for i, v in ivs:
        x[i] = v
    return tuple(x)


def subval(x, i, v):
    """The tuple ``x`` with ``x[i]`` replaced by ``v``."""
    return subvals(x, [(i, v)])


def quick_grad_check(fun, arg0, extra_args=(), kwargs=None, verbose=True, eps=1e-4, rtol=1e-4,
                     atol=1e-6, rs=None):
    """HIPS autograd's deprecated first-order check of ``fun``'s reverse derivative in its first
    argument, kept with a DeprecatedFormWarning; ``mlkit.test_util.check_grads`` is its successor
    (``verbose``, ``eps`` and ``rs`` are accepted and unused, as there)."""
    warnings.warn("quick_grad_check is HIPS autograd's deprecated check; use "
                  "mlkit.test_util.check_grads(fun, modes=['rev'])(x)", DeprecatedFormWarning,
                  stacklevel=2)
    kwargs = kwargs or {}
    check_grads(lambda x: fun(x, *extra_args, **kwargs), modes=["rev"], order=1, rtol=rtol,
                atol=atol)(arg0)
