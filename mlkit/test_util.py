"""The checks of :mod:`mlkit.testing` under the module name HIPS autograd's tests import them
from (``autograd.test_util``)."""

from mlkit.testing import (
    check_equivalent,
    check_grads,
    check_jvp,
    check_vjp,
    combo_check,
    make_numerical_jvp,
    scalar_close,
)

__all__ = ["check_equivalent", "check_grads", "check_jvp", "check_vjp", "combo_check",
           "make_numerical_jvp", "scalar_close"]
