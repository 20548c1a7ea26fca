"""numpy's where= on var and std (and the NaN-ignoring moments): the values numpy gives for
every mix of axis, ddof, keepdims and dtype, float32 kept float32, and gradients that match
finite differences in both modes."""

import itertools
import warnings

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad
from mlkit.testing import check_grads

RNG = onp.random.default_rng(5)
X = RNG.uniform(-2.0, 2.0, (3, 4))
MASKS = {
    "row": onp.array([True, False, True, True]),  # broadcast over the rows
    "full": onp.array([[True, False, True, True], [False, True, True, False],
                       [True, True, False, True]]),
}
AXES = [None, 0, 1, (0, 1), -1]


def numpy_value(name, x, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return getattr(onp, name)(x, **kwargs)


@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd"])
@pytest.mark.parametrize("mask", sorted(MASKS))
def test_values_match_numpy_for_every_axis_ddof_keepdims_and_dtype(name, mask):
    for axis, ddof, keepdims, (x_type, dtype) in itertools.product(
            AXES, (0, 1), (False, True),
            [(onp.float64, None), (onp.float32, None), (onp.float32, onp.float64)]):
        x = X.astype(x_type)
        kwargs = dict(axis=axis, ddof=ddof, keepdims=keepdims, dtype=dtype, where=MASKS[mask])
        want = numpy_value(name, x, **kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = getattr(np, name)(x, **kwargs)
        assert onp.shape(got) == onp.shape(want), kwargs
        assert onp.result_type(got) == onp.result_type(want), kwargs
        # (numpy's nanvar rounds x - mean to x's float32 even with dtype=float64)
        assert_allclose(got, want, rtol=1e-5 if x_type == onp.float32 else 1e-13,
                        equal_nan=True, err_msg=str(kwargs))


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, False), (0, True), ((0, 1), True)])
@pytest.mark.parametrize("ddof", [0, 1])
@pytest.mark.parametrize("complex_", [False, True], ids=["real", "complex"])
def test_gradients_match_finite_differences(name, axis, keepdims, ddof, complex_):
    # every column/row group holds >= 2 selected elements: std is smooth there. The complex
    # variance is the mean of |x - mean|^2 (HIPS autograd 1.9.1's gradient of it is wrong)
    mask = onp.array([[True, True, True, False], [False, True, True, True],
                      [True, False, True, True]])
    fun = getattr(np, name)
    x = X + 1j * X[::-1, ::-1] if complex_ else X
    check_grads(lambda x: fun(x, axis=axis, ddof=ddof, keepdims=keepdims, where=mask),
                modes=("fwd", "rev"), order=2)(x)


def test_the_gradient_is_the_closed_form_and_zero_off_the_selection():
    # d var / dx_i = 2 (x_i - mean) / (n - ddof) on the selected elements, 0 elsewhere
    mask = MASKS["full"]
    for ddof in (0, 1):
        g = grad(lambda x: np.sum(np.var(x, axis=1, ddof=ddof, where=mask)))(X)
        n = mask.sum(axis=1, keepdims=True)
        mean = numpy_value("mean", X, axis=1, keepdims=True, where=mask)
        assert_allclose(g, onp.where(mask, 2 * (X - mean) / (n - ddof), 0), rtol=1e-13)
    g32 = grad(lambda x: np.sum(np.std(x, axis=1, where=mask)))(X.astype(onp.float32))
    assert g32.dtype == onp.float32
    std = numpy_value("std", X, axis=1, keepdims=True, where=mask)
    assert_allclose(g32, onp.where(mask, (X - mean) / (n * std), 0), rtol=1e-5)


def test_nan_elements_and_unselected_ones_are_left_out_alike():
    x = X.copy()
    x[0, 1] = x[2, 3] = onp.nan
    mask = MASKS["row"]
    for name in ("nanvar", "nanstd", "nansum", "nanmean"):
        want = numpy_value(name, x, axis=1, where=mask)
        assert_allclose(getattr(np, name)(x, axis=1, where=mask), want, rtol=1e-13)
        g = grad(lambda x, _n=name: np.sum(getattr(np, _n)(x, axis=1, where=mask)))(x)
        assert onp.all(g[onp.isnan(x) | ~onp.broadcast_to(mask, x.shape)] == 0)
        assert onp.all(onp.isfinite(g))
    # the variance of the selected, non-NaN elements of row 0 (x00, x02, x03)
    kept = x[0, [0, 2, 3]]
    assert_allclose(np.nanvar(x, axis=1, where=mask)[0], kept.var(), rtol=1e-13)


def test_an_empty_selection_is_nan_and_leaks_nothing_into_other_outputs():
    mask = onp.array([[True, True, False, False], [False] * 4, [True, False, True, False]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = np.var(X, axis=1, where=mask)
        g = grad(lambda x: np.sum(np.var(x, axis=1, where=mask)[[0, 2]]))(X)
    assert onp.isnan(value[1]) and onp.all(onp.isfinite(value[[0, 2]]))
    assert onp.all(g[1] == 0) and onp.all(onp.isfinite(g))


def test_the_other_reductions_keep_taking_where():
    mask = MASKS["full"]
    for name, extra in (("sum", {}), ("mean", {}), ("prod", {}), ("max", {"initial": -9.0}),
                        ("min", {"initial": 9.0}), ("nanmax", {"initial": -9.0}),
                        ("nanmin", {"initial": 9.0}), ("nanprod", {}), ("all", {}),
                        ("any", {})):
        want = numpy_value(name, X, axis=1, where=mask, **extra)
        assert_allclose(getattr(np, name)(X, axis=1, where=mask, **extra), want, rtol=1e-13)


@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd"])
def test_correction_is_numpys_other_name_for_ddof(name):
    """numpy 2's ``correction=``: the same value as numpy's, gradients by finite differences
    in both modes (with and without where=), and ddof and correction together refused."""
    fun = getattr(np, name)
    for where in (True, MASKS["full"]):
        want = numpy_value(name, X, axis=1, correction=1, where=where)
        assert_allclose(fun(X, axis=1, correction=1, where=where), want, rtol=1e-13)
        assert not onp.allclose(want, numpy_value(name, X, axis=1, where=where))
        check_grads(lambda x, w=where: fun(x, axis=1, correction=1, where=w),
                    modes=["fwd", "rev"], order=2)(X)
    with pytest.raises(ValueError, match="ddof and correction"):
        fun(X, ddof=1, correction=1)


@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd"])
def test_a_given_mean_is_used_as_numpys_mean_keyword(name):
    """numpy 2's ``mean=`` (a mean already computed, keepdims-shaped): numpy's value about the
    true mean and about another centre, with and without where=, float32 kept; gradients by
    finite differences in both modes to second order, through ``x`` and the given mean."""
    fun = getattr(np, name)
    shifted = onp.array([[0.5], [-1.0], [0.25]])
    for where, ddof in itertools.product((True, MASKS["full"]), (0, 1)):
        true_mean = onp.mean(X, axis=1, keepdims=True, where=where)
        for centre in (true_mean, shifted):
            want = numpy_value(name, X, axis=1, ddof=ddof, where=where, mean=centre)
            assert_allclose(fun(X, axis=1, ddof=ddof, where=where, mean=centre), want,
                            rtol=1e-13)
        assert not onp.allclose(want, numpy_value(name, X, axis=1, ddof=ddof, where=where))
        check_grads(lambda x, m, w=where, d=ddof: fun(x, axis=1, ddof=d, where=w, mean=m),
                    argnum=(0, 1), modes=["fwd", "rev"], order=2)(X, shifted)
        check_grads(lambda x, w=where: fun(x, axis=1, where=w,
                                           mean=np.mean(x, axis=1, keepdims=True, where=w)),
                    modes=["fwd", "rev"], order=2)(X)
    single = X.astype(onp.float32)
    assert fun(single, axis=0, mean=single.mean(axis=0, keepdims=True)).dtype == onp.float32
    assert grad(lambda x: np.sum(fun(x, mean=0.5)))(single).dtype == onp.float32
