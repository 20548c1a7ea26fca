"""Random programs of 2-8 operations over 1-3 arrays (broadcasting, reductions, reshapes and
indexing, joins, products, linear algebra, special functions and densities, ``.at[]`` updates,
integer and boolean arrays, Python control flow, containers and closures): their reverse, forward,
second and third derivatives against finite differences, nested gradients against perturbation
confusion, float32 programs keeping float32 derivatives, the same gradients through argnum tuples,
nested containers and jit, and complex programs in HIPS autograd's convention.

Each operation is drawn among those that apply to the shapes at hand, learnt by running it on
plain arrays while the program is drawn."""

import warnings

import numpy as onp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlkit.numpy as np
from mlkit import grad, holomorphic_grad, jit, make_jvp
from mlkit.scipy import special
from mlkit.scipy.stats import norm, t
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


def _updated(x):
    """``x.at[..., 0].set(...).at[..., -1].add(...)``, which plain arrays have no method for."""
    x = np.index_update(x, (Ellipsis, 0), x[..., -1] * 3.0)
    return np.index_add(x, (Ellipsis, -1), np.sin(x[..., 0]))


def _integers(x):
    """Integer and boolean constants mixed into a float program (int16: float32 stays float32)."""
    k = onp.arange(x.size, dtype=onp.int16).reshape(x.shape)
    return x * (k % 3 - 1) + np.where(k % 2 == 0, np.sin(x), x) + (k > 1) * x ** 2


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
    "gammaln": lambda x: special.gammaln(x * x + 0.5), "erf": special.erf,
    "digamma": lambda x: special.digamma(x * x + 0.5), "expit": special.expit,
    "norm": lambda x: norm.logpdf(x, 0.3, 1.7), "t": lambda x: t.logpdf(x, 3.5, 0.1, 1.3),
    "fancy": lambda x: x[..., [0, -1, 0]], "steps": lambda x: x[..., ::-2] * x[..., -1:],
    "at": _updated, "integers": _integers,
    "empty": lambda x: x + np.sum(np.ravel(x)[:0]) + np.sum(np.zeros((0, 2), np.result_type(x))),
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
    "svd": lambda a: np.linalg.svd(a + onp.diag(onp.arange(a.shape[-1]) * 1.5 + 1.0).astype(
        a.dtype), compute_uv=False),  # distinct singular values
    "einsum": lambda a: np.einsum("...ij,...jk->...ik", a, np.tanh(a)),
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



FEW = settings(PROGRAMS, max_examples=60)


def _third(fun, t0, eps=1e-4):
    """fun'''(t0) analytically and by central differences of fun''."""
    second = grad(grad(fun))
    return grad(second)(t0), (second(t0 + eps) - second(t0 - eps)) / (2 * eps)


@FEW
@given(programs())
def test_argnum_tuples_containers_third_derivatives_and_jit_agree(case):
    program, inputs = case
    if not program:
        return
    loss, n = _loss(program), len(inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        each = [grad(loss, i)(*inputs) for i in range(n)]
        for got, want in zip(grad(loss, tuple(range(n)))(*inputs), each):
            onp.testing.assert_allclose(got, want, rtol=1e-12)
        rest = n - 1 - (n == 3)
        params = {"a": inputs[0],
                  "rest": [tuple(inputs[1:1 + rest]), {"c": list(inputs[1 + rest:])}]}
        tree = grad(lambda p: loss(p["a"], *p["rest"][0], *p["rest"][1]["c"]))(params)
        assert isinstance(tree["rest"][0], tuple) and isinstance(tree["rest"][1]["c"], list)
        flat = [tree["a"], *tree["rest"][0], *tree["rest"][1]["c"]]
        for got, want in zip(flat, each, strict=True):
            onp.testing.assert_allclose(got, want, rtol=1e-12)
        fast = jit(grad(loss, tuple(range(n))))
        for scale in (1.0, 0.7):
            scaled = [x * scale for x in inputs]
            for got, want in zip(fast(*scaled), grad(loss, tuple(range(n)))(*scaled)):
                onp.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
        direction = onp.cos(onp.arange(inputs[0].size)).reshape(inputs[0].shape)
        analytic, numeric = _third(lambda s: loss(inputs[0] + s * direction, *inputs[1:]), 0.3)
        onp.testing.assert_allclose(analytic, numeric, rtol=1e-3,
                                    atol=1e-3 * max(1.0, abs(numeric)))


HOLOMORPHIC = {
    "sin": lambda z: np.sin(z * 0.5), "exp": lambda z: np.exp(z * 0.3), "cube": lambda z: z ** 3,
    "log": lambda z: np.log(z * z + 2.0 + 1.0j), "sqrt": lambda z: np.sqrt(z * z + 1.5 + 0.5j),
    "recip": lambda z: 1.0 / (z * z + 3.0), "tanh": lambda z: np.tanh(z * 0.5),
    "flip": lambda z: z[..., ::-1], "tile": lambda z: np.tile(z, 2), "cumsum": np.cumsum,
    "fancy": lambda z: z[..., [0, -1, 0]], "prod": lambda z: np.prod(z * 0.5, axis=-1),
    "stack": lambda z: np.stack([z, z * z]), "where": lambda z: np.where(
        onp.arange(z.size).reshape(z.shape) % 2 == 0, z * z, z),
    "inv": lambda z: np.linalg.inv(z + 3 * np.eye(z.shape[-1])),
    "det": lambda z: np.linalg.det(z + 3 * np.eye(z.shape[-1])),
    "einsum": lambda z: np.einsum("...i,...i->...", z, z * 1j),
}
NOT_HOLOMORPHIC = {
    "abs": lambda z: np.abs(z + 0.1 + 0.1j), "conj": np.conj, "real": np.real, "imag": np.imag,
    "angle": lambda z: np.angle(z + 2.0), "norm": lambda z: np.linalg.norm(z, axis=-1),
    "mixed": lambda z: np.abs(z) ** 2 + np.real(z) * 1j,
    "vdot": lambda z: np.vdot(z, z * 0.5 + 1.0),
    "cholesky": lambda z: np.linalg.cholesky(z @ np.conj(np.swapaxes(z, -1, -2)) + 2 * np.eye(
        z.shape[-1])),
    "slogdet": lambda z: np.linalg.slogdet(z + 3 * np.eye(z.shape[-1]))[0] * z,
    "svd": lambda z: np.linalg.svd(z, compute_uv=False),
}
COMPLEX_SHAPES = [(), (2,), (3,), (2, 2), (3, 3), (2, 3)]


@st.composite
def complex_programs(draw, tables):
    """(program, z): a chain of 1-4 operations on one complex array, each drawn where it applies."""
    rng = onp.random.default_rng(draw(st.integers(0, 2 ** 16)))
    shape = draw(st.sampled_from(COMPLEX_SHAPES))
    value = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * 0.7
    z, program = value, []
    for _ in range(draw(st.integers(1, 4)) * 3):
        table = draw(st.sampled_from(tables))
        name = draw(st.sampled_from(sorted(table)))
        try:
            with onp.errstate(all="raise"), warnings.catch_warnings():
                warnings.simplefilter("error")
                out = onp.asarray(table[name](value))
        except (ValueError, FloatingPointError, IndexError, TypeError, Warning,
                onp.linalg.LinAlgError):
            continue
        if 0 < out.size <= 12 and onp.all(onp.abs(out) < 1e2) and out.ndim <= 2:
            program.append(table[name])
            value = out
        if len(program) == 4:
            break
    return program, z


def _chain(program):
    def run(z):
        for op in program:
            z = op(z)
        return z
    return run


@PROGRAMS
@given(complex_programs([HOLOMORPHIC, NOT_HOLOMORPHIC, NOT_HOLOMORPHIC]))
def test_complex_programs_have_autograds_complex_derivatives(case):
    """grad of a real loss is dL/dx - i dL/dy (HIPS autograd's convention); every rule agrees
    with finite differences in both modes to second order."""
    program, z = case
    if not program:
        return
    run = _chain(program)

    def loss(w):
        out = run(w)
        return np.sum(0.1 * np.abs(out) ** 2 + np.real(out) - 0.3 * np.imag(out))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grads(run, modes=["fwd", "rev"], order=2)(z)
        real = _fd_grad(lambda x: loss(x + 1j * z.imag), z.real)
        imaginary = _fd_grad(lambda y: loss(z.real + 1j * y), z.imag)
        onp.testing.assert_allclose(grad(loss)(z), real - 1j * imaginary, rtol=1e-5, atol=1e-6)


@FEW
@given(complex_programs([HOLOMORPHIC]))
def test_holomorphic_programs_have_their_complex_derivative(case):
    program, z = case
    if not program:
        return
    run = _chain(program)
    total = lambda w: np.sum(run(w))  # noqa: E731
    step = 1e-6 * (0.6 + 0.8j)
    derivative = holomorphic_grad(total)(z)
    for index in onp.ndindex(z.shape):
        bump = onp.zeros_like(z)
        bump[index] = step
        numeric = (total(z + bump) - total(z - bump)) / (2 * step)
        onp.testing.assert_allclose(derivative[index], numeric, rtol=1e-5, atol=1e-6)
