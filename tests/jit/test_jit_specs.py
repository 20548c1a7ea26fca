"""Every spec of the op table under jit: the value, the reverse and forward derivatives and a
second derivative, recorded at one input and replayed at it and at another, equal eager's bit
for bit (the value on plain arrays too, but for the functions listed that hand plain arrays to
numpy's or scipy's own routine)."""

import sys
import warnings
from pathlib import Path

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad, jit, make_jvp, make_vjp
from mlkit.tree import tree_leaves

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "numpy"))
from specs import SPECS  # noqa: E402


def _cases():
    """One case per spec: its last shape family member (broadcasting, usually), and its
    complex variant if any; scipy.linalg's (slow, matrix functions) at their first shape."""
    cases = []
    for spec in SPECS:
        pick = 0 if spec.id.startswith("scipy.linalg.") else -1
        real = [c for c in spec.cases() if not c[2]][pick]
        cases.append((spec, real[0], real[1], False))
        complex_ = [c for c in spec.cases() if c[2]]
        if complex_:
            cases.append((spec, complex_[pick][0], complex_[pick][1], True))
    return cases


CASES = _cases()

# Rules that call numpy or scipy functions on raw values outside a primitive (scipy.linalg's
# determinants, sorting in quantiles, ...): under jit those values are guarded on, so the numbers
# stay exact but a new input records the program again (bit for bit: the 1x1 singular matrices
# [[0.0]] and [[-0.0]] of linalg.det-singular are two inputs).
GUARDED_ON_VALUES = {
    "arange", "asarray_chkfinite", "geomspace", "geomspace-negative", "interp",
    "interp-complex", "nanquantile", "piecewise", "polydiv", "quantile", "vectorize",
    "real_if_close", "select", "sinc", "sort_complex", "stats.dirichlet.logpdf", "poly",
    "roots", "scipy.linalg.det", "scipy.linalg.norm(nuc)", "scipy.linalg.pinv",
    "slogdet-sign-complex", "linalg.det-singular",
    "stats.dirichlet.pdf", "trim_zeros",
    # values read off the data (value_array): indices, signs, edges
    "histogram_bin_edges", "histogram_bin_edges-one-value",
    "intersect1d", "setdiff1d", "setxor1d", "union1d", "unique", "unique(axis,counts)",
    "unique_all", "unique_counts", "unique_inverse", "unique_values",
    "stats.multivariate_normal.entropy", "stats.multivariate_normal.logpdf",
    "stats.multivariate_normal.pdf",
}

# On plain arrays these run numpy's or scipy's own routine; on traced ones (a recording is one)
# mlkit's formula, whose value can differ from it in the last bits. numpy's linspace, logspace
# and geomspace, arange's and rfftfreq's float steps, polyfit (lstsq, not pinv) and slogdet's
# complex sign (det / |det|) are other formulas; scipy.linalg's cholesky, cho_solve, det, inv,
# solve (assume_a sym, pos, diagonal, transposed), lu_solve (a permutation and two triangular
# solves, not getrs) and solve_continuous_lyapunov are other LAPACK routines than numpy.linalg's
# LU and Cholesky, and solve (assume_a lower triangular) than solve_triangular; eigenvalues and
# singular values without their vectors (eigh(eigvals_only), eigvalsh, svdvals,
# svd(compute_uv=False), norm(nuc), pinv's cutoff) are another LAPACK algorithm than with them,
# which their derivatives need. The traced value, and every derivative, stay bit for bit under
# jit.
OWN_ROUTINE_ON_PLAIN_ARRAYS = {
    "linspace", "linspace(endpoint=False,axis=-1)", "logspace", "geomspace",
    "geomspace-negative", "arange", "fft.rfftfreq", "polyfit", "slogdet-sign-complex",
    "scipy.linalg.cholesky", "scipy.linalg.cho_solve", "scipy.linalg.cho_solve(lower)",
    "scipy.linalg.cho_solve-stack", "scipy.linalg.lu_solve", "scipy.linalg.lu_solve(trans=1)",
    "scipy.linalg.lu_solve(trans=2)",
    "scipy.linalg.det", "scipy.linalg.inv", "scipy.linalg.inv(pos)",
    "scipy.linalg.solve(assume_a=sym,lower=False)", "scipy.linalg.solve(assume_a=sym,lower=True)",
    "scipy.linalg.solve(assume_a=pos,lower=False)", "scipy.linalg.solve(assume_a=pos,lower=True)",
    "scipy.linalg.solve(assume_a=diagonal,lower=False)",
    "scipy.linalg.solve(assume_a=diagonal,lower=True)", "scipy.linalg.solve(transposed)",
    "scipy.linalg.solve(assume_a=lower triangular,lower=False)",
    "scipy.linalg.solve(assume_a=lower triangular,lower=True)",
    "scipy.linalg.solve_continuous_lyapunov", "scipy.linalg.eigh",
    "scipy.linalg.eigh(upper,eigvals_only)", "scipy.linalg.eigvalsh", "scipy.linalg.svdvals",
    "scipy.linalg.svd(compute_uv=False)", "scipy.linalg.norm(nuc)", "scipy.linalg.pinv",
}


def _everything(spec, weights, args, tangent):
    """The spec's value, the gradient and the directional derivative of a real scalar made of
    it, and the derivative of that gradient along ``tangent`` (order 2, reverse over reverse;
    not for a spec of order 1, nor for the matrix functions of scipy.linalg, whose second
    derivatives take seconds)."""

    def loss(xs):
        return sum(np.sum(np.real(leaf * w)) for leaf, w in zip(tree_leaves(spec.fun(*xs)),
                                                                  weights))

    def along(xs):
        return sum(np.sum(np.real(g * onp.conj(t)))
                   for g, t in zip(grad(loss)(xs), tangent))

    first = (spec.fun(*args), grad(loss)(args), make_jvp(loss)(args)(tangent)[1])
    if spec.order < 2 or spec.id.startswith("scipy.linalg."):
        return first
    return (*first, grad(along)(args))


def _traced_value(spec, args):
    """The spec's value as a run with traced arguments computes it."""
    return make_vjp(lambda xs: spec.fun(*xs))(args)[1]


def _assert_same(got, want, bits=True):
    got, want = tree_leaves(got), tree_leaves(want)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert onp.result_type(a) == onp.result_type(b)
        assert onp.shape(a) == onp.shape(b)
        if bits:
            onp.testing.assert_array_equal(a, b)
        else:
            onp.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("spec, case_id, shapes, complex_", CASES, ids=[c[1] for c in CASES])
def test_spec_under_jit_equals_eager(spec, case_id, shapes, complex_):
    first = spec.args(shapes, complex_, case_id)
    second = spec.args(shapes, complex_, case_id + "-again")
    rng = onp.random.default_rng(0)
    own_routine = spec.id in OWN_ROUTINE_ON_PLAIN_ARRAYS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs = tree_leaves(spec.fun(*first))
        weights = tuple(rng.standard_normal(onp.shape(o)) for o in outs)
        tangent = tuple(rng.standard_normal(onp.shape(a)) * (1 + 1j if complex_ else 1)
                        for a in first)
        jitted = jit(lambda xs: _everything(spec, weights, xs, tangent))
        for args in (first, second, first):
            got, want = jitted(args), _everything(spec, weights, args, tangent)
            _assert_same(got[1:], want[1:])
            _assert_same(got[0], _traced_value(spec, args))
            _assert_same(got[0], want[0], bits=not own_routine)
    if spec.id not in GUARDED_ON_VALUES:
        assert jitted.cache_info()["paths"] == [1], "a guard on values made it record again"
