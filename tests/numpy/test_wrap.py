"""Lists and tuples of traced values given to mlkit.numpy functions: packed into one traced
array before the function runs, as np.array would, in every wrapped primitive and composite."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, hessian
from mlkit.testing import check_grads

# Each function takes two traced values a, b (scalars, or rows of equal length).
ON_LISTS = {
    "mean": lambda a, b: np.mean([a, b]),
    "sum": lambda a, b: np.sum([a, b, 1.0]) if np.ndim(a) == 0 else np.sum([a, b]),
    "prod": lambda a, b: np.prod([a, b]),
    "max": lambda a, b: np.max([a, b]),
    "min-axis": lambda a, b: np.sum(np.min([a, b], axis=0)),
    "var": lambda a, b: np.var([a, b]),
    "std": lambda a, b: np.std([a, b]),
    "dot": lambda a, b: np.sum(np.dot([a, b], np.transpose([b, a]))),
    "dot-array": lambda a, b: np.sum(np.dot([a, b], np.array([1.5, -0.5])))
    if np.ndim(a) == 0 else np.sum(np.dot(np.ones(2), [a, b])),
    "matmul": lambda a, b: np.sum(np.matmul([[a, b]], [[b], [a]])) if np.ndim(a) == 0
    else np.sum(np.matmul([a, b], np.transpose([b, a, b]))),
    "concatenate": lambda a, b: np.sum(np.concatenate([[a, b], [b]]) ** 2),
    "concatenate-constant": lambda a, b: np.sum(np.concatenate([[1.0, 2.0], [b, a]]) ** 3)
    if np.ndim(a) == 0 else np.sum(np.concatenate([onp.ones((1, 3)), [a, b]]) ** 3),
    "stack": lambda a, b: np.sum(np.stack([a, b]) ** 3),
    "hstack": lambda a, b: np.sum(np.hstack([a, [b]]) ** 3) if np.ndim(a) == 0
    else np.sum(np.hstack([a, b]) ** 3),
    "norm": lambda a, b: np.linalg.norm([a, b]),
    "exp": lambda a, b: np.sum(np.exp([a, b])),
    "add": lambda a, b: np.sum(np.add([a, b], [[1.0], [2.0]]) ** 2),
    "where": lambda a, b: np.sum(np.where([True, False], [a, b], [b, a]) ** 2)
    if np.ndim(a) == 0 else np.sum(np.where(True, [a, b], 0.0) ** 2),
    "cumsum": lambda a, b: np.sum(np.cumsum([a, b]) ** 2),
    "outer": lambda a, b: np.sum(np.outer([a, b], [b, a])),
    "einsum": lambda a, b: np.einsum("i,i", np.ravel([a, b]), np.ravel([b, a])),
    "sort": lambda a, b: np.sum(np.sort([b, a], axis=0) * np.arange(1.0, 3.0).reshape(
        (2,) + (1,) * np.ndim(a))),
    "average": lambda a, b: np.average([a, b], axis=0, weights=np.array([1.0, 3.0])).sum(),
    "logsumexp": lambda a, b: np.sum(np.log(np.sum(np.exp([a, b]), axis=0))),
    "tuple": lambda a, b: np.sum(np.square((a, b))),
    "nested": lambda a, b: np.sum(np.array([[a, b], [b, a]]) @ np.array([1.0, 2.0]))
    if np.ndim(a) == 0 else np.sum(np.tanh([[a, b], [b, a]])),
    "operator": lambda a, b: np.sum(np.array([a, b]) * [b, a] + [a, b]),
    "trace": lambda a, b: np.trace([[a, b], [b, a]]) if np.ndim(a) == 0
    else np.sum(np.trace([[a, b], [b, a]])),
}


@pytest.mark.parametrize("name", sorted(ON_LISTS))
@pytest.mark.parametrize("size", [0, 3])
def test_functions_of_lists_of_traced_values_trace_them(name, size):
    fun = ON_LISTS[name]
    rng = onp.random.default_rng(len(name))
    point = rng.uniform(0.5, 1.5, (2,) if size == 0 else (2, size))
    point[1] += 0.3  # a and b distinct: max, min and sort are smooth here

    def of_point(p):
        return fun(p[0], p[1])

    # The same function on an array built by numpy gives the value to match.
    assert_allclose(of_point(point), fun(*point))
    check_grads(of_point, modes=("fwd", "rev"), order=2)(point)


def test_lists_mixing_traces_and_constants_are_packed_outermost_first():
    def inner(x, y):
        return np.sum(np.mean([x, y, 2.0]) * np.array([x, y]))

    def outer(x):
        return grad(inner, 1)(x, 0.7) * x

    # d/dy mean([x, y, 2]) * (x + y) = (x + y) / 3 + mean;  times x, differentiated in x.
    def expected(x):
        return ((x + 0.7) / 3 + (x + 0.7 + 2.0) / 3) * x

    h = 1e-6
    assert_allclose(grad(outer)(1.3), (expected(1.3 + h) - expected(1.3 - h)) / (2 * h),
                    rtol=1e-6)
    assert_allclose(hessian(lambda p: np.prod([p[0], p[1], p[0]]))(onp.array([2.0, 3.0])),
                    [[6.0, 4.0], [4.0, 0.0]])


def test_sequences_without_traced_values_and_index_tuples_are_left_alone():
    x = onp.arange(6.0).reshape(2, 3)
    assert grad(lambda x: np.sum(np.reshape(x, (3, 2)) * [1.0, 2.0]))(x).shape == (2, 3)
    assert_allclose(grad(lambda x: np.sum(x[(0, 1), (2, 0)]))(x), [[0, 0, 1], [1, 0, 0]])
    # Arrays of different lengths stay separate pieces of concatenate.
    assert_allclose(grad(lambda x: np.sum(np.concatenate([x[0], x[1, :2], [x[1, 2]]])))(x),
                    onp.ones((2, 3)))


@pytest.mark.parametrize("join", ["stack", "stack-axis-1", "vstack", "hstack", "constant-row"])
def test_joining_nested_lists_of_traced_values_and_constants(join):
    weights = onp.arange(1.0, 5.0).reshape(2, 2)
    joins = {
        "stack": lambda p: np.stack([[p[0], p[1]], [p[1], 1.0]]),
        "stack-axis-1": lambda p: np.stack([[p[0], p[1]], [p[1], 1.0]], axis=1),
        "vstack": lambda p: np.vstack([[p[0], p[1]], [2.0, 1.0]]),
        "hstack": lambda p: np.reshape(np.hstack([[p[0], p[1]], [2.0, 1.0]]), (2, 2)),
        "constant-row": lambda p: np.stack([[1.0, 2.0], p]),
    }
    point = onp.array([0.4, -1.2])
    reference = {"stack": [[0.4, -1.2], [-1.2, 1.0]], "stack-axis-1": [[0.4, -1.2], [-1.2, 1.0]],
                 "vstack": [[0.4, -1.2], [2.0, 1.0]], "hstack": [[0.4, -1.2], [2.0, 1.0]],
                 "constant-row": [[1.0, 2.0], [0.4, -1.2]]}[join]
    assert_allclose(joins[join](point), onp.array(reference).T if join == "stack-axis-1"
                    else reference)
    check_grads(lambda p: np.sum(joins[join](p) ** 3 * weights), modes=("fwd", "rev"),
                order=2)(point)


# Each binary elementwise function with a constant list operand, on either side.
CONSTANT_LIST_OPERAND = {
    "divide-by": lambda x: x / [2.0, -4.0, 0.5],
    "divide-into": lambda x: [2.0, -4.0, 0.5] / (x * x + 1.0),
    "power-list-exponent": lambda x: np.power(x * x + 1.0, [2.0, 0.5, 3.0]),
    "power-list-base": lambda x: np.power([2.0, 0.5, 3.0], x),
    "arctan2": lambda x: np.arctan2(x, [1.0, -2.0, 0.5]) + np.arctan2((-3.0, 1.0, 2.0), x),
    "hypot": lambda x: np.hypot(x, [1.0, -2.0, 0.5]),
    "mod": lambda x: np.mod([7.0, 5.0, 3.0], x * x + 1.0),
    "maximum": lambda x: np.maximum(x, [0.0, 0.0, 0.0]) * x,
    "chi-square-terms": lambda x: ((x - [0.1, 0.2, 0.3]) / [0.5, 0.25, 2.0]) ** 2,
}


@pytest.mark.parametrize("name", CONSTANT_LIST_OPERAND)
def test_a_constant_list_operand_differentiates_as_its_array(name):
    """A plain list given to a binary function is the array numpy makes of it, in the rules too
    (a list divisor once failed in the rule, as 1 / [2.0, ...])."""
    fun = CONSTANT_LIST_OPERAND[name]
    x = onp.array([0.7, -1.3, 2.1])
    check_grads(lambda x: np.sum(fun(x)), modes=("fwd", "rev"), order=2)(x)


def test_a_chi_square_with_errors_in_a_list_has_its_hessian():
    """The fit pattern: residuals divided by a plain list of errors, then the Hessian."""
    x, y, errors = onp.array([1.0, 2.0]), [1.0, 2.5], [0.1, 0.2]
    chi2 = lambda p: np.sum(((y - (p[0] + p[1] * x)) / errors) ** 2)  # noqa: E731
    weights = 2 / onp.square(errors)
    expected = [[onp.sum(weights), onp.sum(weights * x)],
                [onp.sum(weights * x), onp.sum(weights * x * x)]]
    assert_allclose(hessian(chi2)(onp.array([0.5, 1.0])), expected, rtol=1e-14)
