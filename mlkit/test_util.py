"""``check_grads`` and ``combo_check`` under the module name HIPS autograd's tests import them
from (``autograd.test_util``); they live in :mod:`mlkit.testing`."""

from mlkit.testing import check_grads, combo_check

__all__ = ["check_grads", "combo_check"]
