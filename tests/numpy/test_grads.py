"""Every spec of the op table against finite differences: forward and reverse mode, to the
spec's order (2 unless a spec asks for more), in float64, over its whole shape family."""

import warnings

import pytest
from specs import all_cases

from mlkit.testing import check_grads

CASES = all_cases()


@pytest.mark.parametrize("case_id, spec, shapes, complex_", CASES, ids=[c[0] for c in CASES])
def test_grads_match_finite_differences(case_id, spec, shapes, complex_):
    args = spec.args(shapes, complex_, case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no nan/overflow on the spec's domain
        check_grads(spec.fun, argnum=None, modes=("fwd", "rev"), order=spec.order)(*args)
