"""dtypes survive differentiation: float32 in gives float32 values, gradients and forward-mode
tangents out for every op of the spec table (complex64 for complex values), and float64 stays
float64."""

import warnings

import numpy as onp
import pytest
from specs import all_cases

import mlkit.numpy as np
from mlkit import grad, make_jvp

PRECISIONS = {"float32": (onp.float32, onp.complex64), "float64": (onp.float64, onp.complex128)}
# One shape per spec (its last, usually the richest) and per real/complex variant: the dtype
# path of an op does not change with the shape, and every op of the table is still covered.
CASES = list({(case[1].id, case[3]): case for case in all_cases() if case[1].float32}.values())


def _expected(value, real, complex_):
    return complex_ if onp.iscomplexobj(value) else real


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("case_id, spec, shapes, complex_", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_keep_the_input_precision(precision, case_id, spec, shapes,
                                                       complex_):
    real, complex_dtype = PRECISIONS[precision]
    args = tuple(onp.asarray(a).astype(_expected(a, real, complex_dtype))[()]
                 for a in spec.args(shapes, complex_, case_id))
    out = spec.fun(*args)
    assert onp.result_type(out) == _expected(out, real, complex_dtype), f"value of {case_id}"

    def total(*xs):
        return np.sum(np.real(spec.fun(*xs)))

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not depend on its input")
        grads = grad(total, argnum=tuple(range(len(args))))(*args)
    for i, (g, a) in enumerate(zip(grads, args)):
        assert onp.result_type(g) == onp.result_type(a), f"gradient of argument {i}"
        assert onp.shape(g) == onp.shape(a), f"gradient of argument {i}"
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*does not depend on its input")
            tangent = make_jvp(spec.fun, argnum=i)(*args)(onp.ones_like(a))[1]
        assert onp.result_type(tangent) == onp.result_type(out), f"tangent along argument {i}"
