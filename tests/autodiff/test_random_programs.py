"""Random programs of 2-8 operations over 1-3 arrays (broadcasting, reductions, reshapes and
indexing, joins, products, linear algebra, Python control flow, containers and closures): their
reverse, forward and second derivatives against finite differences, nested gradients against
perturbation confusion, and float32 programs keeping float32 derivatives.

Each operation is drawn among those that apply to the shapes at hand, learnt by running it on
plain arrays while the program is drawn."""

import warnings

import numpy as onp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlkit.numpy as np
from mlkit import grad, make_jvp
from mlkit.scipy import special
from mlkit.testing import check_grads

PROGRAMS = settings(max_examples=350, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
SHAPES = [(), (1,), (3,), (2, 3), (3, 3), (2, 1), (1, 2, 3), (2, 2, 2)]


def _container(x):
    def inner(d):
        a, (b,) = d["pair"]
        return [a * b, np.tanh(d["items"][1])]

    first, second = inner({"pair": (x, [x * 0.5]), "items": [x, x + 1.0]})
    return first + second


def _closure(x):
    c = np.tanh(x) * 2.0
    return (lambda z: z * c + np.sin(c))(x)


def _branch(x):
    if np.sum(x) > 0:  # Python control flow on a traced value
        return np.sin(x) * 2.0
    return np.cos(x) - 1.0


def _loop(x):
    for _ in range(2):
        x = x * 0.8 + np.sin(x) * 0.3
    return x


def _spd(x):
    n = x.shape[-1]
    return np.matmul(x, np.swapaxes(x, -1, -2)) + n * np.eye(n, dtype=x.dtype)


def _built(x):
    flat = np.ravel(x)
    pieces = [flat[i:i + 1] * (i + 1.0) for i in range(flat.shape[0])]
    return np.concatenate(pieces) + np.array([flat[-1 - i] for i in range(flat.shape[0])])


UNARY = {
    "sin": np.sin, "tanh": np.tanh, "exp": lambda x: np.exp(np.tanh(x)),
    "log": lambda x: np.log(x * x + 1.0), "sqrt": lambda x: np.sqrt(x * x + 0.5),
    "square": np.square, "recip": lambda x: 1.0 / (x * x + 1.0), "cube": lambda x: x ** 3,
    "pow": lambda x: (x * x + 1.0) ** 1.5, "arctan": np.arctan, "expm1": np.expm1,
    "arcsin": lambda x: np.arcsin(np.tanh(x) * 0.9), "sinc": np.sinc,
    "complex": lambda x: np.abs(np.exp((x * (1.0 + 0.5j) + 0.2j) * 0.5)),
    "branch": _branch, "loop": _loop, "container": _container, "closure": _closure,
    "T": lambda x: x.T, "ravel": np.ravel, "flip": lambda x: x[..., ::-1],
    "expand": lambda x: np.expand_dims(x, 0), "tile": lambda x: np.tile(x, 2),
    "float64": lambda x: x * onp.float64(1.5),  # promotes a float32 value; not its gradient
}
WITH_AXIS = {  # f(x, axis) for an axis of x
    "sum": lambda x, a: np.sum(x, axis=a, keepdims=True), "mean": lambda x, a: np.mean(x, a),
    "prod": lambda x, a: np.prod(x, axis=a), "max": lambda x, a: np.max(x, axis=a),
    "std": lambda x, a: np.std(x, axis=a), "logsumexp": lambda x, a: special.logsumexp(x, a),
    "norm": lambda x, a: np.linalg.norm(x, axis=a), "cumsum": lambda x, a: np.cumsum(x, a),
    "cumprod": lambda x, a: np.cumprod(x, a), "sort": lambda x, a: np.sort(x, a),
    "roll": lambda x, a: np.roll(x, 1, a), "split": lambda x, a: np.split(x, [1], a)[-1] * 2.0,
    "stack": lambda x, a: np.stack([x, np.sin(x)], a), "concat": lambda x, a: np.concatenate(
        [x, x * 2.0], a), "index": lambda x, a: np.take(x, [0, -1, 0], axis=a),
}
BINARY = {  # f(x, y) for x, y that broadcast
    "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
    "div": lambda x, y: x / (y * y + 1.0), "pow": lambda x, y: (x * x + 1.0) ** y,
    "arctan2": lambda x, y: np.arctan2(x, y + 3.0), "logaddexp": np.logaddexp,
    "hypot": lambda x, y: np.hypot(x, y + 2.0), "where": lambda x, y: np.where(x > y, x, y * 2.0),
}
SQUARE = {  # f(a) for a stack of square matrices a
    "solve": lambda a: np.linalg.solve(_spd(a), a), "inv": lambda a: np.linalg.inv(_spd(a)),
    "det": lambda a: np.linalg.det(_spd(a)) * 0.1,
    "cholesky": lambda a: np.linalg.cholesky(_spd(a)),
    "slogdet": lambda a: np.linalg.slogdet(_spd(a))[1],
    "eigh": lambda a: np.linalg.eigh(_spd(a))[0],
    "matmul": lambda a: a @ a, "diag": lambda a: np.diagonal(a, axis1=-2, axis2=-1),
}
PRODUCTS = {  # f(x, y) for x, y of one shape
    "dot_T": lambda x, y: np.dot(x, y.T), "einsum": lambda x, y: np.einsum("...i,...i->...", x, y),
    "tensordot": lambda x, y: np.tensordot(x, y, np.ndim(x)), "outer": lambda x, y: np.outer(x, y),
    "transpose": lambda x, y: np.transpose(x) * np.transpose(y),
    "mask": lambda x, y: x[..., onp.arange(x.shape[-1]) % 2 == 0] + y[..., :1],
}


def _apply(step, values):
    kind, name, args, extra = step
    operands = [values[i] for i in args]
    table = {"unary": UNARY, "axis": WITH_AXIS, "binary": BINARY, "square": SQUARE,
             "product": PRODUCTS}[kind]
    return table[name](*operands, *extra)


def _run(program, inputs):
    """Every step's output, so that no step is dead code."""
    values = list(inputs)
    for step in program:
        values.append(_apply(step, values))
    return values[len(inputs):]


def _draw_step(draw, values):
    i = draw(st.integers(0, len(values) - 1))
    x = values[i]
    kind = draw(st.sampled_from(["unary", "unary", "axis", "binary", "square", "product"]))
    if kind == "axis" and onp.ndim(x) > 0:
        return kind, draw(st.sampled_from(sorted(WITH_AXIS))), (i,), (
            draw(st.integers(-onp.ndim(x), onp.ndim(x) - 1)),)
    if kind == "binary":
        j = draw(st.integers(0, len(values) - 1))
        return kind, draw(st.sampled_from(sorted(BINARY))), (i, j), ()
    if kind == "square" and onp.ndim(x) >= 2 and x.shape[-1] == x.shape[-2]:
        return kind, draw(st.sampled_from(sorted(SQUARE))), (i,), ()
    if kind == "product" and onp.ndim(x) > 0:
        same = [j for j, y in enumerate(values) if onp.shape(y) == onp.shape(x)]
        return kind, draw(st.sampled_from(sorted(PRODUCTS))), (i, draw(st.sampled_from(same))), ()
    return "unary", draw(st.sampled_from(sorted(UNARY))), (i,), ()


@st.composite
def programs(draw):
    """(program, inputs): 1-3 float64 inputs, the later ones broadcasting against the first."""
    first = draw(st.sampled_from(SHAPES))
    shapes = [first] + [tuple(1 if draw(st.booleans()) else n for n in first)[
        draw(st.integers(0, len(first))):] for _ in range(draw(st.integers(0, 2)))]
    rng = onp.random.default_rng(draw(st.integers(0, 2 ** 16)))
    values = [onp.asarray(rng.standard_normal(s) * 0.8) for s in shapes]
    inputs, program = list(values), []
    length = draw(st.integers(2, 8))
    for _ in range(length * 3):  # attempts: some steps do not apply here
        step = _draw_step(draw, values)
        try:
            with onp.errstate(all="raise"), warnings.catch_warnings():
                warnings.simplefilter("error")
                out = onp.asarray(_apply(step, values))
        except (ValueError, FloatingPointError, IndexError, onp.linalg.LinAlgError, Warning):
            continue
        if 0 < out.size <= 24 and onp.all(onp.abs(out) < 1e3):
            program.append(step)
            values.append(out)
        if len(program) == length:
            break
    return program, inputs


def _loss(program):
    def loss(*inputs):
        return sum(np.sum(np.tanh(out) + 0.1 * out * out) for out in _run(program, inputs))
    return loss


def _fd_grad(fun, x, eps=1e-6):
    x = onp.asarray(x, float)
    g = onp.zeros_like(x)
    for index in onp.ndindex(x.shape):
        step = onp.zeros_like(x)
        step[index] = eps
        g[index] = (fun(x + step) - fun(x - step)) / (2 * eps)
    return g


@PROGRAMS
@given(programs())
def test_random_programs_have_the_derivatives_of_finite_differences(case):
    program, inputs = case
    if not program:
        return
    loss = _loss(program)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # outputs independent of an input are fine here
        for argnum in range(len(inputs)):
            check_grads(lambda *xs: _run(program, xs), argnum=argnum, modes=["fwd", "rev"],
                        order=2)(*inputs)
        # Nested gradients: the inner function closes over the outer one's traced variable.
        x, rest = inputs[0], inputs[1:]

        def along_t(y):
            return grad(lambda t: loss(y * t, *rest))(1.3)

        analytic = grad(along_t)(x)
        numeric = _fd_grad(lambda y: (loss(y * (1.3 + 1e-5), *rest)
                                      - loss(y * (1.3 - 1e-5), *rest)) / 2e-5, x, 1e-4)
        onp.testing.assert_allclose(analytic, numeric, rtol=1e-3,
                                    atol=1e-3 * max(1.0, onp.max(onp.abs(numeric))))


@PROGRAMS
@given(programs())
def test_float32_programs_keep_float32_values_and_derivatives(case):
    program, inputs = case
    if not program:
        return
    inputs = [x.astype(onp.float32) for x in inputs]
    loss = _loss(program)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        promoted = any(step[1] == "float64" for step in program)
        assert onp.result_type(loss(*inputs)) == (onp.float64 if promoted else onp.float32)
        for argnum in range(len(inputs)):
            assert onp.result_type(grad(loss, argnum)(*inputs)) == onp.float32
        if not promoted:
            tangent = onp.ones_like(inputs[0])
            assert onp.result_type(make_jvp(loss)(*inputs)(tangent)[1]) == onp.float32

