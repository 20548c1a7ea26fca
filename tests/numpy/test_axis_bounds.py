"""An axis out of range raises numpy's AxisError, plain or traced, instead of wrapping round to
another axis and computing a number numpy would refuse; in range, negative axes count from the
end as numpy's do."""

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad

X = onp.arange(1.0, 7.0).reshape(2, 3)
CALLS = {  # f(module, x, axis)
    "norm": lambda m, x, a: m.linalg.norm(x, axis=a),
    "norm pair": lambda m, x, a: m.linalg.norm(x, axis=(0, a)),
    "vector_norm": lambda m, x, a: m.linalg.vector_norm(x, axis=(0, a)),
    "stack": lambda m, x, a: m.stack([x, x], axis=a + 1 if a >= 0 else a - 1),
    "unstack": lambda m, x, a: m.unstack(x, axis=a)[0],
    "rollaxis": lambda m, x, a: m.rollaxis(x, a),
    "take_along_axis": lambda m, x, a: m.take_along_axis(x, onp.zeros((2, 3), int), axis=a),
    "take": lambda m, x, a: m.take(x, [0, -1], axis=a),
    "compress": lambda m, x, a: m.compress([True, False], x, axis=a),
    "delete": lambda m, x, a: m.delete(x, 0, axis=a),
    "apply_along_axis": lambda m, x, a: m.apply_along_axis(lambda r: r * r, a, x),
    "apply_over_axes": lambda m, x, a: m.apply_over_axes(m.sum, x, [a]),
    "median": lambda m, x, a: m.median(x, axis=a),
    "quantile": lambda m, x, a: m.quantile(x, 0.3, axis=a),
    "diff": lambda m, x, a: m.diff(x, axis=a),
    "gradient": lambda m, x, a: m.gradient(x, axis=a),
    "trapezoid": lambda m, x, a: m.trapezoid(x, axis=a),
    "roll": lambda m, x, a: m.roll(x, 1, axis=a),
    "repeat": lambda m, x, a: m.repeat(x, 2, axis=a),
    "split": lambda m, x, a: m.split(x, 1, axis=a)[0],
    "accumulate": lambda m, x, a: m.add.accumulate(x, axis=a),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("axis", [2, -3])
def test_an_axis_out_of_range_is_refused_plain_and_traced(name, axis):
    call = CALLS[name]
    with pytest.raises(onp.exceptions.AxisError, match="is out of bounds for array of dimension"):
        call(np, X, axis)
    with pytest.raises(onp.exceptions.AxisError, match="is out of bounds for array of dimension"):
        grad(lambda x: np.sum(call(np, x, axis)))(X)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_negative_axis_in_range_is_numpys(name):
    call = CALLS[name]
    for axis in (-1,) if "pair" in name or name == "vector_norm" else (-1, -2):
        onp.testing.assert_allclose(call(np, X, axis), call(onp, X, axis))


def test_the_norm_of_a_scalar_over_an_axis_is_refused_by_name():
    with pytest.raises(onp.exceptions.AxisError, match="axis 0 is out of bounds for array of "
                                                        "dimension 0"):
        np.linalg.norm(onp.float64(1.5), axis=0)
