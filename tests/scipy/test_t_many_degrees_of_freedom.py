"""Student's t with many degrees of freedom: its constant log Gamma((df + 1) / 2) - log
Gamma(df / 2) was a difference of two large gammaln values, which cost the value and every
derivative in df a relative 3e-6 at df = 1e5 in float64, and every derivative in x 4e-3 in
float32. The numbers are mpmath's."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

from mlkit import deriv, grad
from mlkit.scipy import special, stats


def test_t_logpdf_slopes_in_df_at_df_1e5():
    f = lambda df: stats.t.logpdf(2.0, df)
    assert_allclose(f(1e5), -2.9189210338713180342, rtol=1e-15)
    assert_allclose(grad(f)(1e5), -1.7498666730788850786e-10, rtol=1e-8)
    assert_allclose(deriv(f)(1e5), -1.7498666730788850786e-10, rtol=1e-8)
    assert_allclose(grad(grad(f))(1e5), 3.4996000256485920717e-15, rtol=1e-8)
    assert_allclose(deriv(grad(f))(1e5), 3.4996000256485920717e-15, rtol=1e-8)


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_t_density_at_df_1e5_keeps_its_precision(dtype):
    x, df = dtype(2.0), dtype(1e5)
    density = 0.053991911327375994191
    rtol = 1e-6 if dtype == onp.float32 else 1e-13
    for got in (stats.t.pdf(x, df), grad(stats.t.cdf)(x, df), deriv(stats.t.cdf)(x, df),
                grad(lambda t: special.stdtr(df, t))(x)):
        assert onp.asarray(got).dtype == dtype
        assert_allclose(got, density, rtol=rtol)
