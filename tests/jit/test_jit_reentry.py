"""A function whose code hands a value being recorded back to numpy, which dispatches it to the
same function again, is refused by name when jit records it, never left to recurse."""

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad, jit
from mlkit.autodiff.tracer import getval
from mlkit.numpy import wrap


def _loops(x):
    """A rule written wrongly: numpy called on the raw value, which under jit is still a box."""
    return onp.diff(getval(x))


@pytest.fixture
def looping_diff(monkeypatch):
    monkeypatch.setitem(wrap._wrapped_for_raw, onp.diff, _loops)


@pytest.mark.parametrize("wrapper", [lambda f: f, grad], ids=["value", "grad"])
def test_reentry_through_numpys_dispatch_is_a_type_error_naming_the_function(
        looping_diff, wrapper):
    jitted = jit(wrapper(lambda x: np.sum(onp.diff(x) ** 2)))
    with pytest.raises(TypeError, match=r"cannot record .*_loops: its code calls numpy's diff"):
        jitted(onp.array([1.0, 3.0, 6.0]))


def test_reentry_is_refused_only_while_recording(looping_diff):
    x = onp.array([1.0, 3.0, 6.0])
    onp.testing.assert_array_equal(grad(lambda x: np.sum(onp.diff(x) ** 2) * 0 + np.sum(x))(x),
                                   onp.ones(3))


def test_a_refused_recording_leaves_nothing_behind(looping_diff, monkeypatch):
    with pytest.raises(TypeError):
        jit(lambda x: onp.diff(x))(onp.array([1.0, 2.0]))
    monkeypatch.undo()
    x = onp.array([1.0, 3.0, 6.0])
    onp.testing.assert_array_equal(jit(lambda x: onp.diff(x))(x), onp.diff(x))
