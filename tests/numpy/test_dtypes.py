"""dtypes survive differentiation: float32 in gives float32 values, gradients and forward-mode
tangents out for every op of the spec table (complex64 for complex values), and float64 stays
float64."""

import warnings

import numpy as onp
import pytest
from numpy.testing import assert_allclose
from specs import all_cases

import mlkit.numpy as np
import mlkit.scipy.stats as stats
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


@pytest.mark.parametrize("name,fun", [
    ("norm scale", lambda s, x: stats.norm.logpdf(x, 0.0, s)),
    ("gamma shape", lambda a, x: stats.gamma.logpdf(x, a)),
    ("beta shape", lambda a, x: stats.beta.logpdf(x, a, 2.0)),
    ("t dof", lambda df, x: stats.t.logpdf(x, df)),
    ("chi2 dof", lambda df, x: stats.chi2.logpdf(x, df)),
])
def test_a_traced_python_float_parameter_keeps_float32_data_float32(name, fun):
    """As untraced (numpy's weak Python scalars), not float64 from arithmetic on the box."""
    x = onp.array([0.25, 0.5], onp.float32)
    value, tangent = make_jvp(lambda p: fun(p, x))(1.5)(1.0)
    assert value.dtype == tangent.dtype == onp.float32 == fun(1.5, x).dtype
    h = 1e-4  # the tangent still is the derivative in the parameter, to float32 rounding
    slope = (fun(1.5 + h, x.astype(float)) - fun(1.5 - h, x.astype(float))) / (2 * h)
    assert_allclose(tangent, slope, rtol=1e-4)


def test_polyval_at_a_traced_python_float_is_float64_as_numpys():
    p = onp.array([1.0, -2.0, 0.5], onp.float32)
    value, tangent = make_jvp(lambda x: np.polyval(p, x))(1.5)(1.0)
    assert value.dtype == tangent.dtype == onp.polyval(p, 1.5).dtype == onp.float64
    assert value == 1.5 ** 2 - 3.0 + 0.5 and tangent == 2 * 1.5 - 2.0


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_and_std_compute_in_the_dtype_asked_for(name):
    """numpy's dtype= is the precision of the result (it was ignored: float32 came back); the
    gradient keeps the input's float32."""
    a = onp.array([0.1, 0.7, 1.3, 2.2], dtype=onp.float32)
    value = getattr(np, name)(a, dtype=onp.float64, ddof=1)
    assert value.dtype == onp.float64
    assert_allclose(value, getattr(onp, name)(a, dtype=onp.float64, ddof=1), rtol=1e-14)
    slope = grad(lambda x: getattr(np, name)(x, dtype=onp.float64))(a)
    centered = a.astype(onp.float64) - a.astype(onp.float64).mean()
    expected = 2 * centered / 4 if name == "var" else centered / 4 / onp.std(
        a.astype(onp.float64))
    assert slope.dtype == onp.float32 and onp.allclose(slope, expected, rtol=1e-6)
