"""Small helpers kept under HIPS autograd's module path ``autograd.util``, so programs that
import them run unchanged."""

import warnings

from mlkit.autodiff.reverse import DeprecatedFormWarning
from mlkit.testing import check_grads

__all__ = ["func", "quick_grad_check"]


def func(f):
    """``f`` itself: the function under a method, as ``defvjp(func(Cls.method), ...)`` writes
    it (in Python 3 a method looked up on its class already is that function)."""
    return f


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
