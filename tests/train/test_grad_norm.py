"""The reported gradient norm is the same number whatever BLAS's thread count."""

import numpy as np
from threadpoolctl import threadpool_limits

from mlkit.train.epoch import _global_norm


def test_gradient_norm_does_not_depend_on_blas_threads():
    # BLAS's dot product of a vector this long is split between threads (last bits differ).
    rng = np.random.default_rng(0)
    grads = {"w": rng.standard_normal((128, 160)), "b": rng.standard_normal(160)}
    with threadpool_limits(1):
        alone = [_global_norm(grads) for _ in range(3)]
    assert alone == [_global_norm(grads)] * 3
    expected = np.sqrt(sum(np.sum(g.astype(np.longdouble) ** 2) for g in grads.values()))
    np.testing.assert_allclose(alone[0], float(expected), rtol=1e-14)
