"""A traced boolean mask makes a result as long as its count of true elements: a replay with
another count takes (or records) another path, in every derivative, never a stale shape."""

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad, jacobian, jit, make_jvp

# Three, then one, then no positive elements, then three again (a replay of the first path).
POINTS = [onp.array([1.0, 2.0, -3.0, 4.0]), onp.array([1.0, -2.0, -3.0, -4.0]),
          onp.array([-1.0, -2.0, -3.0, -4.0]), onp.array([4.0, -1.0, 3.0, 0.5])]


def positives(x):
    return x[x > 0] * x[0]


def mean_of_positives(x):
    return np.mean(x[x > 0.5]) * np.sum(x)


DERIVATIVES = {
    "value": lambda f: f,
    "jacobian": jacobian,
    "jvp": lambda f: lambda x: make_jvp(f)(x)(onp.array([0.5, -1.0, 2.0, 3.0])),
    "grad": lambda f: grad(lambda x: np.sum(f(x) ** 2)),
}


@pytest.mark.parametrize("f", [positives, np.nonzero, np.flatnonzero], ids=lambda f: f.__name__)
@pytest.mark.parametrize("derivative", DERIVATIVES)
def test_a_new_count_of_true_elements_never_replays_a_stale_shape(f, derivative):
    if f is not positives:
        f = (lambda selector: lambda x: x[selector(x > 0)] * 2.0)(f)
    eager = DERIVATIVES[derivative](f)
    jitted = jit(eager)
    for x in POINTS:
        want, got = eager(x), jitted(x)
        for w, g in zip(want if type(want) is tuple else (want,),
                        got if type(got) is tuple else (got,)):
            assert onp.shape(g) == onp.shape(w)
            onp.testing.assert_array_equal(g, w)
    assert jitted.cache_info()["paths"] == [3]


def test_the_gradient_of_a_masked_mean_follows_the_count():
    jitted = jit(grad(mean_of_positives))
    for x in POINTS[:3] + POINTS[:1]:
        with onp.errstate(invalid="ignore", divide="ignore"):
            onp.testing.assert_array_equal(jitted(x), grad(mean_of_positives)(x))


@pytest.mark.filterwarnings("ignore:Output seems independent of input")
def test_a_derivative_that_is_all_zeros_still_takes_the_mask_s_count():
    def selected(x, y):  # does not depend on x: its derivatives are zeros of a shape from y
        return y[y > 0] * 2.0

    x = onp.ones(2)
    derivatives = {"jacobian": jacobian(selected),
                   "jvp": lambda x, y: make_jvp(selected)(x, y)(x)[1]}
    for name, eager in derivatives.items():
        jitted = jit(eager)
        for y in (onp.array([1.0, 2.0, 3.0]), onp.array([1.0, -2.0, -3.0])):
            assert jitted(x, y).shape == eager(x, y).shape == (int((y > 0).sum()),) + (
                (2,) if name == "jacobian" else ()), name


def test_a_mask_argument_with_another_count_gives_the_eager_mean():
    def mean_of_selected(x, mask):  # np.size of the selection is a number of the signature
        return np.sum(x[mask] ** 2) / np.size(x[mask])

    jitted, x = jit(mean_of_selected), onp.arange(1.0, 5.0)
    for mask in ([True, True, False, False], [True, False, False, False], [True, True, 0, 0]):
        mask = onp.array(mask, bool)
        assert jitted(x, mask) == mean_of_selected(x, mask) == onp.mean(x[mask] ** 2)
