"""np.vectorize on traced arrays: the function runs per element, so its branches see numbers
and the derivative is that of the branch each element takes."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import mlkit.numpy as np
from mlkit import grad, make_jvp


def branchy(a):
    return a * a if a > 0 else -3.0 * a


def test_each_element_takes_its_own_branch_in_both_modes():
    x = onp.array([[0.5, -2.0], [3.0, -0.1]])
    f = np.vectorize(branchy)
    assert_allclose(f(x), [[0.25, 6.0], [9.0, 0.3]], rtol=1e-15)
    assert_allclose(grad(lambda x: np.sum(f(x)))(x), [[1.0, -3.0], [6.0, -3.0]], rtol=1e-15)
    _, tangent = make_jvp(f)(x)(onp.ones((2, 2)))
    assert_allclose(tangent, [[1.0, -3.0], [6.0, -3.0]], rtol=1e-15)


def test_broadcasting_excluded_arguments_and_tuple_outputs():
    power = np.vectorize(lambda a, n: a ** n, excluded={1})
    assert_allclose(grad(lambda a: np.sum(power(a, 3)))(onp.array([1.0, 2.0])), [3.0, 12.0])
    both = np.vectorize(lambda a, b: (a * b, a - b))
    grads = grad(lambda a: np.sum(both(a, onp.array([[1.0], [2.0]]))[0]))(onp.array([1.0, 4.0]))
    assert_allclose(grads, [3.0, 3.0])  # each a meets b = 1 and b = 2


def test_untraced_calls_are_numpys_and_a_signature_is_refused_on_traced_values():
    out = np.vectorize(lambda a: a + 1)(onp.arange(3))
    assert out.dtype == onp.arange(3).dtype
    assert_array_equal(out, [1, 2, 3])
    rows = np.vectorize(lambda r: r.sum(), signature="(n)->()")
    with pytest.raises(TypeError, match="signature"):
        grad(lambda m: np.sum(rows(m)))(onp.ones((2, 3)))


def test_no_elements_give_otypes_empty_outputs_and_without_otypes_an_error():
    # numpy returns empty outputs of otypes for size 0 inputs; traced, this raised "no outputs".
    empty = onp.zeros((0, 3), onp.float32)
    f = np.vectorize(branchy, otypes=[onp.float32])
    assert grad(lambda x: np.sum(f(x)) + np.sum(x))(empty).shape == (0, 3)
    both = np.vectorize(lambda a: (a, 2 * a), otypes=[float, int])
    with pytest.warns(UserWarning, match="independent of input"):
        out = make_jvp(lambda x: both(x)[0] + both(x)[1])(empty)(empty)[0]
    assert out.shape == (0, 3) and out.dtype == onp.float64
    with pytest.raises(ValueError, match="give otypes"):
        grad(lambda x: np.sum(np.vectorize(branchy)(x)))(empty)


def test_otypes_cast_each_output_as_numpy_does_and_the_gradient_keeps_the_input_dtype():
    x = onp.array([1.5, -2.0, 3.0], dtype=onp.float32)
    pair = np.vectorize(lambda a: (a * a, 2.0 * a), otypes=[float, onp.float32])
    value, tangent = make_jvp(lambda x: pair(x)[0])(x)(onp.ones(3, onp.float32))
    assert value.dtype == onp.float64 and pair(x)[1].dtype == onp.float32  # numpy's casts
    assert_allclose(tangent, [3.0, -4.0, 6.0], rtol=1e-15)
    slope = grad(lambda x: np.sum(pair(x)[0]) + np.sum(pair(x)[1]))(x)
    assert slope.dtype == onp.float32
    assert_allclose(slope, [5.0, -2.0, 8.0], rtol=1e-7)
    whole = np.vectorize(lambda a: a * a, otypes=[int])  # an integer output holds no slope
    assert whole(x).dtype == onp.dtype(int)
    with pytest.warns(UserWarning, match="does not depend on its input"):
        assert_array_equal(grad(lambda x: np.sum(whole(x) * 1.0))(x), [0.0, 0.0, 0.0])
