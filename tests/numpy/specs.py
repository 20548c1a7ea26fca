"""The op spec table: every differentiable function of mlkit.numpy, its fft namespace and
mlkit.scipy, with the inputs it is defined on, the shapes to try and how far to check it.

One ``Spec`` per function and variant (axis, keepdims, index kind, einsum string ...); the
tests expand each over its shape family (scalars, vectors, matrices, broadcasting pairs,
size-1 axes) and, for ops that take complex values, over complex inputs too.
"""

import dataclasses
import zlib
from collections.abc import Callable

import numpy as onp

import mlkit.numpy as np
from mlkit.scipy import linalg, signal, special, stats


# --- input domains: (rng, shape) -> float64 (or complex128) values --------------------------
def anywhere(rng, shape):
    return rng.standard_normal(shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def unit(rng, shape):
    """Inside (-1, 1), where arcsin, arctanh and erfinv are smooth."""
    return rng.uniform(-0.9, 0.9, shape)


def probability(rng, shape):
    return rng.uniform(0.1, 0.9, shape)


def above_one(rng, shape):
    return rng.uniform(1.2, 3.0, shape)


def away_from_zero(rng, shape):
    """Both signs, but never near 0: clear of the kinks of abs, sign, maximum and friends."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 2.0, shape)


def off_grid(rng, shape):
    """Clear of the integers and half-integers where floor, round and the like jump."""
    return rng.integers(-3, 3, shape) + rng.uniform(0.1, 0.4, shape)


def gamma_poles(rng, shape):
    """The poles of Gamma, 0, -1, ..., -4, and points within 1e-3 of them."""
    return -rng.integers(0, 5, shape) + rng.choice([0.0, 1e-3, -1e-3], shape)


def negative_halves(rng, shape):
    """-0.5, -1.5, -2.5: two of them add up to a pole of Gamma (a zero of Beta)."""
    return -0.5 - rng.integers(0, 3, shape).astype(float)


def deep_poles(rng, shape):
    """The poles -3, -4, -5 of Gamma and points within 1e-3 of them: a + n is a pole too for
    n = 1, 2, 3, so B(a, n) is a finite rational function of a there."""
    return -3.0 - rng.integers(0, 3, shape) + rng.choice([0.0, 1e-3, -1e-3], shape)


def near_poles(rng, shape):
    """Within 0.1 of the poles -2, -3 of Gamma, never on one."""
    return -2.0 - rng.integers(0, 2, shape) + rng.choice([0.04, -0.05, 0.1], shape)


def near_counts(rng, shape):
    """1, 2 (and within 0.02 of them): with near_poles, a + b lands near a pole as well."""
    return 1.0 + rng.integers(0, 2, shape) + rng.choice([0.0, 0.02, -0.01], shape)


def dividend(rng, shape):
    return rng.uniform(2.2, 2.8, shape)


def divisor(rng, shape):
    """With ``dividend``: the quotient stays in (2, 3), clear of mod's jumps."""
    return rng.uniform(1.0, 1.05, shape)


def with_zeros(rng, shape):
    """Exact zeros at fixed places (two in a row, one alone), values elsewhere."""
    x = away_from_zero(rng, shape)
    x[(0, 1, 1), (1, 0, 2)] = 0.0
    return x


def complex_anywhere(rng, shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def complex_right(rng, shape):
    """Complex values in the right half plane, clear of the branch cut of log and sqrt."""
    return rng.uniform(0.5, 2.0, shape) + 1j * rng.uniform(-1.0, 1.0, shape)


# --- shape families (one shape per argument) ------------------------------------------------
UNARY = [((),), ((3,),), ((2, 3),), ((2, 1),)]
BINARY = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)),
          ((2, 3), (2, 1))]
MATRIX = [((2, 3),)]
VECTOR_AND_MATRIX = [((3,),), ((2, 3),)]


@dataclasses.dataclass(frozen=True)
class Spec:
    """How to check one function.

    ``fun`` takes one array per entry of ``domains``; ``names`` are the namespace names it
    exercises (``np.exp``, ``special.expit``, ``fft.rfft``, ``stats.norm.pdf``);
    ``complex_domains`` is set for ops that take complex inputs; ``float32`` is False only for
    ops that are defined to return float64 (numpy.float_power).
    """

    id: str
    fun: Callable
    domains: tuple
    shapes: tuple
    names: tuple
    order: int = 2
    complex_domains: tuple = None
    float32: bool = True

    def cases(self):
        """``(case id, args maker, complex?)`` for each shape (and complex variant)."""
        for shapes in self.shapes:
            label = "x".join(str(list(s)).replace(" ", "") for s in shapes)
            yield f"{self.id}-{label}", shapes, False
            if self.complex_domains is not None:
                yield f"{self.id}-{label}-complex", shapes, True

    def args(self, shapes, complex_=False, case_id=""):
        """Arguments of the given shapes drawn from the domains, reproducibly per case."""
        rng = onp.random.default_rng(zlib.crc32(case_id.encode()))
        domains = self.complex_domains if complex_ else self.domains
        return tuple(_scalar_or_array(domain(rng, shape))
                     for domain, shape in zip(domains, shapes))


def _scalar_or_array(value):
    return onp.asarray(value)[()]


def _spec(id, fun, domains=(anywhere,), shapes=UNARY, names=None, complex_domains=None,
          **options):
    return Spec(id, fun, tuple(domains), tuple(shapes), tuple(names or (f"np.{id}",)),
                complex_domains=None if complex_domains is None else tuple(complex_domains),
                **options)


def bind(fun, **kwargs):
    """``fun`` of the arrays with ``kwargs`` fixed (a named stand-in for functools.partial)."""

    def bound(*arrays):
        return fun(*arrays, **kwargs)

    bound.__name__ = getattr(fun, "__name__", "bound")
    return bound


SPECS = []


def add(*specs):
    SPECS.extend(specs)


# --- elementwise, one argument --------------------------------------------------------------
def _unary(name, domain=anywhere, complex_domain=None, aliases=(), **options):
    fun = getattr(np, name)
    add(_spec(name, fun, (domain,), names=[f"np.{n}" for n in (name, *aliases)],
              complex_domains=None if complex_domain is None else (complex_domain,), **options))


for _name in ("negative", "positive", "exp", "sin", "cos", "sinh", "cosh", "tanh", "square",
              "expm1"):
    _unary(_name, complex_domain=complex_anywhere)
for _name in ("exp2", "arctan", "arcsinh", "sinc", "deg2rad", "rad2deg", "radians",
              "degrees"):
    _unary(_name)
_unary("tan", unit, complex_anywhere)
for _name in ("log", "sqrt", "log1p"):
    _unary(_name, positive, complex_right)
for _name in ("log2", "log10"):
    _unary(_name, positive)
_unary("reciprocal", away_from_zero, complex_right)
_unary("cbrt", away_from_zero)
for _name in ("arcsin", "arccos", "arctanh"):
    _unary(_name, unit)
_unary("arccosh", above_one)
_unary("absolute", away_from_zero, complex_right, aliases=("abs",))
_unary("fabs", away_from_zero)
_unary("angle", anywhere, complex_right)
add(_spec("angle(deg)", lambda z: np.angle(z, deg=True), names=["np.angle"],
          complex_domains=(complex_right,)))
for _name in ("real", "imag"):
    _unary(_name, anywhere, complex_anywhere)
_unary("conj", anywhere, complex_anywhere, aliases=("conjugate",))
for _name in ("sign", "floor", "ceil", "trunc", "rint", "fix", "round"):
    _unary(_name, off_grid)


# --- elementwise, two and three arguments ---------------------------------------------------
def _binary(name, d0=anywhere, d1=anywhere, complex_domains=None, aliases=(), **options):
    fun = getattr(np, name)
    add(_spec(name, fun, (d0, d1), BINARY, [f"np.{n}" for n in (name, *aliases)],
              complex_domains, **options))


_binary("add", complex_domains=(complex_anywhere, complex_anywhere))
_binary("subtract", complex_domains=(complex_anywhere, complex_anywhere))
_binary("multiply", complex_domains=(complex_anywhere, complex_anywhere))
_binary("divide", anywhere, away_from_zero, (complex_anywhere, complex_right),
        aliases=("true_divide",))
_binary("power", positive, anywhere, (complex_right, complex_anywhere))
_binary("float_power", positive, anywhere, float32=False)
for _name in ("maximum", "minimum", "fmax", "fmin", "hypot", "arctan2"):
    _binary(_name, away_from_zero, away_from_zero)
_binary("logaddexp")
_binary("logaddexp2")
_binary("mod", dividend, divisor, aliases=("remainder",))
_binary("fmod", dividend, divisor)
_binary("copysign", away_from_zero, away_from_zero)

_FIRST, _SECOND = onp.array([True, False, False]), onp.array([False, True, False])
add(
    _spec("where", lambda x, y: np.where(x > 0, x, y), (away_from_zero, anywhere), BINARY,
          ["np.where"]),
    _spec("where-scalar-branch", lambda x: np.where(x > 0, x * x, 0.0), (away_from_zero,),
          names=["np.where"]),
    _spec("clip-constants", lambda x: np.clip(x, -0.5, 0.5), (away_from_zero,),
          names=["np.clip"]),
    _spec("clip-traced-bounds", lambda x, lo, hi: np.clip(x, lo, hi),
          (anywhere, lambda r, s: r.uniform(-1.5, -0.5, s), lambda r, s: r.uniform(0.5, 1.5, s)),
          [((2, 3), (), ()), ((2, 3), (3,), (2, 1))], ["np.clip"]),
    _spec("clip-crossed-bounds", lambda x, lo, hi: np.clip(x, lo, hi),
          (anywhere, lambda r, s: r.uniform(0.5, 1.5, s), lambda r, s: r.uniform(-1.5, -0.5, s)),
          [((2, 3), (), ()), ((2, 3), (3,), (2, 1))], ["np.clip"]),
    _spec("clip-one-bound", lambda x, hi: np.clip(x, None, hi),
          (anywhere, lambda r, s: r.uniform(-0.5, 0.5, s)), [((2, 3), ()), ((3,), (3,))],
          ["np.clip"]),
    # clip(x, b, b) is b whatever x is, also where x equals b: x has derivative 0 there
    _spec("clip-equal-bounds", lambda x, b: np.clip(x, b, b),
          (lambda r, s: onp.resize([0.7, 0.2, 1.2], s), lambda r, s: onp.full(s, 0.7)),
          [((2, 3), ()), ((2, 3), (3,)), ((), ())], ["np.clip"]),
    _spec("fmax-fmin-nan", lambda x, y: np.fmax(x, np.where(_FIRST, onp.nan, y))
          + np.fmin(np.where(_SECOND, onp.nan, x), y), (away_from_zero, away_from_zero),
          [((3,), (3,)), ((2, 3), (3,))], ["np.fmax", "np.fmin"]),
    _spec("pow-operator", lambda x, y: x ** y, (positive, anywhere), BINARY[:3], ["np.power"],
          complex_domains=(complex_right, complex_anywhere)),
    _spec("arithmetic-operators", lambda x, y: (-x + y) * x / y - y, (anywhere, away_from_zero),
          BINARY, ["np.add"], complex_domains=(complex_anywhere, complex_right)),
)


# --- reductions -----------------------------------------------------------------------------
_AXES_2D = [{}, {"axis": 0}, {"axis": -1}, {"axis": (0, 1)}, {"axis": 1, "keepdims": True},
            {"keepdims": True}]


def _label(kwargs):
    return ",".join(f"{k}={v}".replace(" ", "") for k, v in kwargs.items()) or "all"


def _reduction(name, domain=anywhere, variants=_AXES_2D, complex_domain=None, aliases=(),
               fun=None, several=False):
    """``several``: only shapes that reduce more than one element (std is not differentiable
    where the variance is zero, var with ddof=1 not defined)."""
    fun = fun or getattr(np, name)
    for kwargs in variants:
        whole = kwargs.get("axis") is None
        shapes = UNARY[:2] + [((2, 3),)] if whole else [((2, 3),), ((2, 1),)]
        if kwargs.get("axis") == 0:
            shapes = shapes + [((3,),)]
        if several:
            shapes = [s for s in shapes if s[0] not in ((), (2, 1))]
        add(_spec(f"{name}({_label(kwargs)})",
                  lambda x, _kw=kwargs: fun(x, **_kw), (domain,), shapes,
                  [f"np.{n}" for n in (name, *aliases)],
                  None if complex_domain is None else (complex_domain,)))


_reduction("sum", complex_domain=complex_anywhere)
_reduction("mean", complex_domain=complex_anywhere)
_reduction("max", aliases=("amax",))
_reduction("min", aliases=("amin",))
_reduction("nansum")
_reduction("nanmean")
_reduction("var", complex_domain=complex_anywhere)
_reduction("std", positive, several=True)
_reduction("prod", away_from_zero, complex_domain=complex_right)
_reduction("var-ddof1", fun=lambda x, **kw: np.var(x, ddof=1, **kw),
           variants=[{}, {"axis": 0}], several=True)
_reduction("std-ddof1", positive, fun=lambda x, **kw: np.std(x, ddof=1, **kw),
           variants=[{"axis": -1}], several=True)
# where=: every selected group holds two elements (std and ddof=1 need that); max and min
# need initial= with it, as in numpy
_SELECTED = onp.array([True, False, True])
for _name, _domain, _extra, _complex in (
        ("var", anywhere, {}, complex_anywhere), ("std", positive, {}, None),
        ("nanvar", anywhere, {}, None), ("nanstd", positive, {}, None),
        ("nansum", anywhere, {}, None), ("nanmean", anywhere, {}, None),
        ("max", anywhere, {"initial": -9.0}, None), ("min", anywhere, {"initial": 9.0}, None),
        ("prod", away_from_zero, {}, complex_right)):
    for _kwargs in ({}, {"axis": -1}, {"axis": 1, "keepdims": True}, {"axis": -1, "ddof": 1}):
        if "ddof" in _kwargs and "var" not in _name and "std" not in _name:
            continue
        add(_spec(f"{_name}-where({_label(_kwargs)})",
                  bind(getattr(np, _name), where=_SELECTED, **_extra, **_kwargs), (_domain,),
                  [((2, 3),)], [f"np.{_name}"],
                  None if _complex is None else (_complex,)))
for _name in ("prod", "cumprod"):
    _several_axes = ({"axis": (0, 1)},) if _name == "prod" else ()
    for _kwargs in ({}, {"axis": 0}, {"axis": 1}) + _several_axes:
        add(_spec(f"{_name}-at-zeros({_label(_kwargs)})",
                  bind(getattr(np, _name), **_kwargs),
                  (with_zeros,), MATRIX, [f"np.{_name}"],
                  complex_domains=(lambda r, s: with_zeros(r, s) * (1 + 1j),)))
for _name in ("cumsum", "cumprod", "flip"):
    for _kwargs in ({}, {"axis": 0}, {"axis": 1}):
        add(_spec(f"{_name}({_label(_kwargs)})",
                  bind(getattr(np, _name), **_kwargs),
                  (away_from_zero,), [((2, 3),)] + ([((3,),)] if not _kwargs else []),
                  [f"np.{_name}"], complex_domains=(complex_right,)))
_MASK = onp.array([[True, False, True], [False, True, True]])
add(
    _spec("sum(where)", lambda x: np.sum(x, where=_MASK), shapes=MATRIX,
          names=["np.sum"], complex_domains=(complex_anywhere,)),
    _spec("sum(where-broadcast)", lambda x: np.sum(x, where=_MASK[0]),
          shapes=[((2, 3),), ((3,),)], names=["np.sum"]),
    _spec("sum(axis,where)", lambda x: np.sum(x, axis=1, where=_MASK), shapes=MATRIX,
          names=["np.sum"]),
    _spec("mean(axis,where)", lambda x: np.mean(x, axis=0, where=_MASK), shapes=MATRIX,
          names=["np.mean"], complex_domains=(complex_anywhere,)),
    _spec("sum(initial)", lambda x, v: np.sum(x, axis=0, initial=v), (anywhere, anywhere),
          [((2, 3), ()), ((3,), ())], ["np.sum"]),
    _spec("max(initial)", lambda x: np.max(x, axis=1, initial=0.0), (away_from_zero,),
          MATRIX, ["np.max"]),
    _spec("max-min(traced initial)",
          lambda x, v: np.max(x, axis=-1, initial=v) + np.min(x, initial=v, keepdims=True),
          (away_from_zero, away_from_zero), [((2, 3), ()), ((3,), ())], ["np.max", "np.min"]),
)
add(
    _spec("average-weights", lambda x, w: np.average(x, axis=1, weights=w),
          (anywhere, positive), [((2, 3), (3,))], ["np.average"]),
    _spec("average-weights-all", lambda x, w: np.average(x, weights=w), (anywhere, positive),
          [((2, 3), (2, 3))], ["np.average"]),
    _spec("average-returned", lambda x, w: np.multiply(*np.average(x, 1, w, True)),
          (anywhere, positive), [((2, 3), (3,)), ((2, 3), (2, 3))], ["np.average"]),
    _spec("average-plain", lambda x: np.average(x, axis=0), shapes=MATRIX,
          names=["np.average"]),
    _spec("nansum-with-nan", lambda x: np.nansum(np.index_update(x, (Ellipsis, 1), onp.nan)),
          shapes=[((3,),), ((2, 3),)], names=["np.nansum"]),
    _spec("nanmean-with-nan",
          lambda x: np.nanmean(np.index_update(x, (Ellipsis, 1), onp.nan), axis=-1),
          shapes=[((3,),), ((2, 3),)], names=["np.nanmean"]),
)


# --- shape ----------------------------------------------------------------------------------
def _shape_op(id, fun, shapes, names, complex_=True):
    add(_spec(id, fun, (anywhere,), shapes, names,
              (complex_anywhere,) if complex_ else None))


_shape_op("reshape", lambda x: np.reshape(x, (3, 2)), MATRIX, ["np.reshape"])
_shape_op("reshape-method", lambda x: np.reshape(x, (-1,)), [((2, 1, 3),)], ["np.reshape"])
_shape_op("ravel", np.ravel, UNARY, ["np.ravel"])
_shape_op("reshape-F", lambda x: np.reshape(x, (3, 2), order="F"), MATRIX, ["np.reshape"])
_shape_op("ravel-F", lambda x: np.ravel(x, order="F"), [((2, 3),), ((2, 1, 3),)], ["np.ravel"])
_shape_op("transpose", np.transpose, UNARY, ["np.transpose"])
_shape_op("transpose-axes", lambda x: np.transpose(x, (1, 2, 0)), [((2, 3, 1),)],
          ["np.transpose"])
_shape_op("swapaxes", lambda x: np.swapaxes(x, 0, 2), [((2, 3, 1),)], ["np.swapaxes"])
_shape_op("moveaxis", lambda x: np.moveaxis(x, 0, -1), [((2, 3, 1),)], ["np.moveaxis"])
_shape_op("expand_dims", lambda x: np.expand_dims(x, 0), UNARY, ["np.expand_dims"])
_shape_op("expand_dims-1", lambda x: np.expand_dims(x, 1), UNARY[1:], ["np.expand_dims"])
_shape_op("squeeze", np.squeeze, [((2, 1),), ((1, 3, 1),)], ["np.squeeze"])
_shape_op("squeeze-axis", lambda x: np.squeeze(x, axis=0), [((1, 3),)], ["np.squeeze"])
_shape_op("broadcast_to", lambda x: np.broadcast_to(x, (2, 2, 3)), [((),), ((3,),), ((2, 1),)],
          ["np.broadcast_to"])
_shape_op("atleast_1d", np.atleast_1d, UNARY[:2], ["np.atleast_1d"])
_shape_op("atleast_2d", np.atleast_2d, UNARY[:3], ["np.atleast_2d"])
_shape_op("copy", np.copy, UNARY, ["np.copy"])
_shape_op("astype-same", lambda x: np.astype(x, np.result_type(x)), UNARY, ["np.astype"])
add(
    _spec("astype-to-complex", lambda x: np.astype(x, onp.complex128) * (1 + 2j),
          shapes=UNARY[:3], names=["np.astype"], float32=False),
    _spec("concatenate", lambda x, y: np.concatenate([x, y, x]), (anywhere, anywhere),
          [((2,), (3,)), ((2, 3), (1, 3))], ["np.concatenate"],
          complex_domains=(complex_anywhere, complex_anywhere)),
    _spec("concatenate-axis1", lambda x, y: np.concatenate((x, y), axis=1), (anywhere, anywhere),
          [((2, 3), (2, 1))], ["np.concatenate"]),
    _spec("concatenate-axisNone", lambda x, y: np.concatenate((x, y), axis=None),
          (anywhere, anywhere), [((2, 3), (2,))], ["np.concatenate"]),
    _spec("stack", lambda x, y: np.stack([x, y]), (anywhere, anywhere),
          [((), ()), ((3,), (3,)), ((2, 3), (2, 3))], ["np.stack"]),
    _spec("stack-axis-last", lambda x, y: np.stack([x, y], axis=-1), (anywhere, anywhere),
          [((2, 3), (2, 3))], ["np.stack"]),
    _spec("hstack", lambda x, y: np.hstack([x, y]), (anywhere, anywhere),
          [((), (3,)), ((2, 3), (2, 1))], ["np.hstack"]),
    _spec("vstack", lambda x, y: np.vstack([x, y]), (anywhere, anywhere),
          [((3,), (3,)), ((2, 3), (1, 3))], ["np.vstack"]),
)


# --- indexing and functional updates --------------------------------------------------------
_INDICES = {
    "int": 1,
    "negative-int": -1,
    "slice": slice(0, 2),
    "step-slice": slice(None, None, -2),
    "row-col": (1, slice(1, None)),
    "newaxis": (None, Ellipsis, 0),
    "ellipsis": (Ellipsis, -1),
    "fancy-repeats": onp.array([0, 2, 0, 1]),
    "fancy-2d": (onp.array([[0, 1], [1, 0]]), onp.array([[2, 0], [1, 1]])),
    "boolean": onp.array([[True, False, True], [False, True, True]]),
    "boolean-rows": onp.array([True, False]),
    "mixed": (slice(None), onp.array([2, 2, 0])),
}
for _label_, _index in _INDICES.items():
    _shapes = [((4,),)] if _label_ == "fancy-repeats" else [((2, 3),)]
    add(_spec(f"getitem-{_label_}", lambda x, _i=_index: x[_i], (anywhere,), _shapes,
              ["np.getitem"], complex_domains=(complex_anywhere,)))
add(
    _spec("iterate", lambda x: np.stack([row * k for k, row in enumerate(x, 1)]),
          shapes=MATRIX, names=["np.getitem"]),
    _spec("index_update-slice", lambda x, v: np.index_update(x, (0, slice(1, None)), v),
          (anywhere, anywhere), [((2, 3), (2,)), ((2, 3), ())], ["np.index_update"],
          complex_domains=(complex_anywhere, complex_anywhere)),
    _spec("index_update-fancy", lambda x, v: np.index_update(x, onp.array([2, 0]), v),
          (anywhere, anywhere), [((4,), (2,)), ((4, 2), (2,))], ["np.index_update"]),
    _spec("index_update-boolean", lambda x, v: np.index_update(x, onp.array([1, 0, 1], bool), v),
          (anywhere, anywhere), [((3,), ()), ((3,), (2,))], ["np.index_update"]),
    _spec("index_add-repeats", lambda x, v: np.index_add(x, onp.array([1, 1, 3]), v),
          (anywhere, anywhere), [((4,), (3,)), ((4,), ()), ((4, 2), (3, 2))], ["np.index_add"],
          complex_domains=(complex_anywhere, complex_anywhere)),
    _spec("index_add-slice", lambda x, v: np.index_add(x, (slice(None), 0), v),
          (anywhere, anywhere), [((2, 3), (2,))], ["np.index_add"]),
)


# --- products -------------------------------------------------------------------------------
_MATMUL = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
           ((2, 2, 3), (3, 4)), ((2, 1, 2, 3), (2, 3, 2))]
_COMPLEX2 = (complex_anywhere, complex_anywhere)
add(
    _spec("matmul", np.matmul, (anywhere, anywhere), _MATMUL, ["np.matmul"],
          complex_domains=_COMPLEX2),
    _spec("matmul-operator", lambda a, b: a @ b, (anywhere, anywhere), _MATMUL[1:4],
          ["np.matmul"]),
    _spec("dot", np.dot, (anywhere, anywhere),
          [((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 2)),
           ((2, 2, 3), (3,)), ((2, 3), (2, 3, 2))], ["np.dot"], complex_domains=_COMPLEX2),
    # A plain list operand is an array to the rules too, of float64 (as numpy converts it).
    _spec("matmul-list-operand", lambda a: (a @ [1.0, -2.0, 0.5])[:, None] * ([[1.0, 2.0]] @ a),
          shapes=[((2, 3),)], names=["np.matmul"], complex_domains=(complex_anywhere,),
          float32=False),
    _spec("dot-list-operand",
          lambda a: np.dot(a, (1.0, -2.0, 0.5))[:, None] + np.dot([2.0, 1.0], a),
          shapes=[((2, 3),)], names=["np.dot"], float32=False),
    _spec("dot-vector-list", lambda a: np.dot(a, [1.0, -2.0, 0.5]), shapes=[((3,),)],
          names=["np.dot"], complex_domains=(complex_anywhere,), float32=False),
    _spec("kron-list-operand",
          lambda a: np.kron(a, [1.0, -2.0])[:, :3] + np.kron([[0.5], [2.0]], a)[:2],
          shapes=[((2, 3),)], names=["np.kron"], float32=False),
    _spec("tensordot-1", lambda a, b: np.tensordot(a, b, axes=1), (anywhere, anywhere),
          [((2, 3), (3, 2))], ["np.tensordot"], complex_domains=_COMPLEX2),
    _spec("tensordot-2", np.tensordot, (anywhere, anywhere), [((2, 2, 3), (2, 3))],
          ["np.tensordot"]),
    _spec("tensordot-pairs", lambda a, b: np.tensordot(a, b, axes=([0, 2], [1, 0])),
          (anywhere, anywhere), [((2, 3, 4), (4, 2, 1))], ["np.tensordot"]),
    _spec("tensordot-0", lambda a, b: np.tensordot(a, b, axes=0), (anywhere, anywhere),
          [((2,), (3,))], ["np.tensordot"]),
    _spec("inner", np.inner, (anywhere, anywhere), [((), (3,)), ((3,), (3,)), ((2, 3), (4, 3))],
          ["np.inner"], complex_domains=_COMPLEX2),
    _spec("outer", np.outer, (anywhere, anywhere), [((3,), (2,)), ((2, 1), (2,))],
          ["np.outer"], complex_domains=_COMPLEX2),
    _spec("vdot", np.vdot, (anywhere, anywhere), [((3,), (3,)), ((2, 3), (3, 2))], ["np.vdot"],
          complex_domains=_COMPLEX2),
)
_EINSUM = {
    "ij,jk->ik": [(2, 3), (3, 4)],
    "ij,jk": [(2, 3), (3, 4)],
    "ij->": [(2, 3)],
    "ij->ji": [(2, 3)],
    "ij->j": [(2, 3)],
    "i,i->": [(3,), (3,)],
    "i,j->ij": [(2,), (3,)],
    "ij,ij->i": [(2, 3), (2, 3)],
    "bij,bjk->bik": [(2, 2, 3), (2, 3, 2)],
    "...ij,...jk->...ik": [(2, 2, 3), (3, 2)],
    "ij,jk,kl->il": [(2, 3), (3, 2), (2, 2)],
    "i,i,i": [(3,), (3,), (3,)],
    "ij,j->ij": [(2, 3), (1,)],
    # An index repeated within one operand: diagonals and traces.
    "ii->i": [(3, 3)],
    "ii": [(3, 3)],
    "iij->j": [(2, 2, 3)],
    "ii,i->i": [(3, 3), (3,)],
    "iji->ij": [(2, 3, 2)],
    "...ii->...i": [(2, 3, 3)],
    "ii,jj->ij": [(2, 2), (3, 3)],
}
for _subscripts, _shapes in _EINSUM.items():
    add(_spec(f"einsum[{_subscripts}]", lambda *ops, _s=_subscripts: np.einsum(_s, *ops),
              (anywhere,) * len(_shapes), [tuple(_shapes)], ["np.einsum"],
              complex_domains=(complex_anywhere,) * len(_shapes)))
# numpy's sublist form: each operand followed by its list of integer indices (or Ellipsis).
_EINSUM_SUBLISTS = {
    "matmul": ([[0, 1], [1, 2]], [0, 2], [(2, 3), (3, 4)]),
    "implicit": ([[0, 1], [1, 2]], None, [(2, 3), (3, 4)]),
    "ellipsis": ([[Ellipsis, 0], [0, Ellipsis]], [Ellipsis], [(2, 3), (3, 2)]),
    "diagonal": ([[0, 0]], [0], [(3, 3)]),
}
for _id, (_sublists, _output, _shapes) in _EINSUM_SUBLISTS.items():
    def _sublist_einsum(*ops, _sublists=_sublists, _output=_output):
        args = [item for pair in zip(ops, _sublists) for item in pair]
        return np.einsum(*args, *([] if _output is None else [_output]))

    add(_spec(f"einsum-sublists[{_id}]", _sublist_einsum, (anywhere,) * len(_shapes),
              [tuple(_shapes)], ["np.einsum"], complex_domains=(complex_anywhere,) * len(_shapes)))


add(_spec("einsum(optimize)", lambda a, b, c: np.einsum("ij,jk,k->i", a, b, c, optimize=True),
          (anywhere,) * 3, [((2, 3), (3, 4), (4,))], ["np.einsum"],
          complex_domains=(complex_anywhere,) * 3),
    _spec("einsum-sublists(optimize)",
          lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2], optimize="greedy"),
          (anywhere, anywhere), [((2, 3), (3, 4))], ["np.einsum"]))


# --- construction ---------------------------------------------------------------------------
add(
    _spec("array-of-traced", lambda x, y: np.array([x * y, y, 2.0 * x]), (anywhere, anywhere),
          [((), ()), ((3,), (3,))], ["np.array"], complex_domains=_COMPLEX2),
    _spec("array-nested", lambda x: np.array([[x[0], x[1]], [x[2], x[0] * x[1]]]),
          shapes=[((3,),)], names=["np.array"]),
    _spec("array-ndmin", lambda x: np.array(x, ndmin=3) * 2.0, shapes=UNARY[:2],
          names=["np.array"]),
    _spec("asarray", lambda x, y: np.asarray([x, y]), (anywhere, anywhere),
          [((), ()), ((2,), (2,))], ["np.asarray"]),
)


# --- arrays built from traced values ---------------------------------------------------------
def zeros(rng, shape):
    """Exactly 0, where x ** y has its kinks."""
    return onp.zeros(shape)


def rank_one(rng, shape):
    """Singular square matrices (rank one; 0 for 1x1): where det(A) A^-T is 0 * inf."""
    column = rng.standard_normal(shape[:-1] + (1,))
    out = column * rng.standard_normal(shape[:-2] + (1, shape[-1]))
    return out * 0 if shape[-1] == 1 else out


def _spaced(id, fun, domains, names, complex_domains=None, **options):
    add(_spec(id, fun, domains, [((), ()), ((3,), ()), ((2, 1), (3,))], names, complex_domains,
              **options))


def _grid_product(x, y, **kwargs):
    a, b = np.meshgrid(x, y, **kwargs)
    return a * b + a


_SPACING = (lambda r, s: r.uniform(0.1, 0.2, s), lambda r, s: r.uniform(0.62, 0.64, s))
_spaced("linspace", lambda a, b: np.linspace(a, b, 5), (anywhere, anywhere), ["np.linspace"],
        _COMPLEX2)
_spaced("linspace(endpoint=False,axis=-1)",
        lambda a, b: np.linspace(a, b, 4, endpoint=False, axis=-1), (anywhere, anywhere),
        ["np.linspace"])
_spaced("linspace(retstep)", lambda a, b: np.linspace(a, b, 3, retstep=True)[1] * 2.0,
        (anywhere, anywhere), ["np.linspace"])
_spaced("logspace", lambda a, b: np.logspace(a, b, 4), (unit, unit), ["np.logspace"])
_spaced("geomspace", lambda a, b: np.geomspace(a, b, 4), (positive, positive),
        ["np.geomspace"], (complex_right, complex_right), float32=False)
_spaced("geomspace-negative", lambda a, b: np.geomspace(-a, -b, 3, axis=-1),
        (positive, positive), ["np.geomspace"], float32=False)
add(
    _spec("full", lambda v: np.full((2, 3), v), shapes=[((),), ((3,),), ((2, 1),)],
          names=["np.full"], complex_domains=(complex_anywhere,)),
    _spec("full_like", lambda a, v: np.full_like(a, v), (anywhere, anywhere),
          [((2, 3), ()), ((2, 3), (3,)), ((2, 3), (2, 1))], ["np.full_like"],
          complex_domains=_COMPLEX2),
    _spec("logspace(base)", lambda a, b, base: np.logspace(a, b, 3, base=base),
          (unit, unit, positive), [((), (), ()), ((3,), (), (3,)), ((2, 1), (3,), ())],
          ["np.logspace"]),
    _spec("arange", lambda a, step: np.arange(a, 3.0, step), _SPACING, [((), ())],
          ["np.arange"], float32=False),
    _spec("meshgrid", _grid_product, (anywhere, anywhere), [((2,), (3,)), ((3,), (1,))],
          ["np.meshgrid"], complex_domains=_COMPLEX2),
    _spec("meshgrid(ij,sparse)", bind(_grid_product, indexing="ij", sparse=True),
          (anywhere, anywhere), [((2,), (3,))], ["np.meshgrid"]),
    _spec("bincount", lambda w: np.bincount(onp.array([0, 2, 2, 1]), w, minlength=5),
          shapes=[((4,),)], names=["np.bincount"], float32=False),
    _spec("unique", np.unique, shapes=[((3,),), ((2, 3),)], names=["np.unique"]),
    _spec("unique(axis,counts)", lambda x: np.unique(x, return_counts=True, axis=1)[0],
          shapes=MATRIX, names=["np.unique"]),
    _spec("pad-traced-values",
          lambda x, v: np.pad(x, ((1, 0), (0, 2)), constant_values=v), (anywhere, anywhere),
          [((2, 3), (2, 2)), ((2, 3), (2, 1)), ((2, 3), ())], ["np.pad"],
          complex_domains=_COMPLEX2),
    _spec("sign-complex", np.sign, (away_from_zero,), names=["np.sign"],
          complex_domains=(complex_anywhere,)),
    _spec("slogdet-sign-complex", lambda a: np.linalg.slogdet(a)[0] * 1.0,
          shapes=[((2, 2),), ((2, 3, 3),)], names=["linalg.slogdet"],
          complex_domains=(complex_anywhere,)),
    _spec("linalg.det-singular", np.linalg.det, (rank_one,),
          [((2, 2),), ((3, 3),), ((2, 3, 3),), ((1, 1),)], ["linalg.det"],
          complex_domains=(lambda r, s: rank_one(r, s) * (1 + 0.5j),)),
    _spec("fft.fftfreq", lambda d: np.fft.fftfreq(5, d), (positive,), [((),)],
          ["fft.fftfreq"], float32=False),
    _spec("fft.rfftfreq", lambda d: np.fft.rfftfreq(6, d=d), (positive,), [((),)],
          ["fft.rfftfreq"], float32=False),
    _spec("sinc-at-zero", np.sinc, (zeros,), [((),), ((3,),)], ["np.sinc"], order=4),
    _spec("xlogy-at-zero-x", lambda x, y: special.xlogy(x, y) + special.xlog1py(x, y),
          (zeros, positive), [((), ()), ((3,), (2, 1))], ["special.xlogy", "special.xlog1py"]),
    # x ** y at x == 0 for the exponents where the math is finite (0 ** 0 is flat in x).
    _spec("power-at-zero", lambda x: x ** 0.0 + 3.0 * x ** 1 + x ** 2.0 - x ** 3.0, (zeros,),
          names=["np.power"]),
    _spec("power-array-exponents-at-zero", lambda x: x ** onp.array([0.0, 1.0, 2.0, 3.0]),
          (zeros,), [((4,),), ((2, 4),), ((),)], ["np.power"], float32=False),
    _spec("power-of-zero", lambda y: np.power(0.0, y) + np.float_power(0.0, y), (positive,),
          names=["np.power", "np.float_power"], float32=False),
)


# --- fft ------------------------------------------------------------------------------------
_FFT_SHAPES = [((4,),), ((5,),), ((2, 3),), ((3, 4),)]
_FFT_2D = [((3, 4),), ((2, 3, 2),)]
for _norm in (None, "ortho", "forward"):
    _tag = f"norm={_norm}"
    for _name in ("fft", "ifft"):
        for _n in (None, 3, 6):
            add(_spec(f"fft.{_name}(n={_n},{_tag})",
                      bind(getattr(np.fft, _name), n=_n, norm=_norm),
                      shapes=_FFT_SHAPES, names=[f"fft.{_name}"],
                      complex_domains=(complex_anywhere,)))
    for _name in ("fft2", "ifft2", "fftn", "ifftn"):
        add(_spec(f"fft.{_name}({_tag})",
                  bind(getattr(np.fft, _name), norm=_norm),
                  shapes=_FFT_2D, names=[f"fft.{_name}"], complex_domains=(complex_anywhere,)))
    for _n in (None, 3, 6, 7):
        add(_spec(f"fft.rfft(n={_n},{_tag})",
                  lambda x, _n=_n, _m=_norm: np.fft.rfft(x, n=_n, norm=_m),
                  shapes=_FFT_SHAPES, names=["fft.rfft"]),
            _spec(f"fft.irfft(n={_n},{_tag})",
                  lambda x, _n=_n, _m=_norm: np.fft.irfft(x, n=_n, norm=_m),
                  shapes=_FFT_SHAPES, names=["fft.irfft"], complex_domains=(complex_anywhere,)))
add(
    _spec("fft.fft(axis=0)", lambda x: np.fft.fft(x, axis=0), shapes=[((3, 2),)],
          names=["fft.fft"], complex_domains=(complex_anywhere,)),
    _spec("fft.rfft(axis=0)", lambda x: np.fft.rfft(x, axis=0), shapes=[((4, 2),), ((5, 3),)],
          names=["fft.rfft"]),
    _spec("fft.irfft(axis=0)", lambda x: np.fft.irfft(x, axis=0), shapes=[((3, 2),)],
          names=["fft.irfft"], complex_domains=(complex_anywhere,)),
    _spec("fft.fftn(s,axes)", lambda x: np.fft.fftn(x, s=(2, 5), axes=(0, 2)),
          shapes=[((3, 2, 4),)], names=["fft.fftn"], complex_domains=(complex_anywhere,)),
    _spec("fft.ifft2(s)", lambda x: np.fft.ifft2(x, s=(4, 2)), shapes=[((3, 3),)],
          names=["fft.ifft2"], complex_domains=(complex_anywhere,)),
    _spec("fft.rfftn", np.fft.rfftn, shapes=[((3, 4),), ((2, 3, 2),)], names=["fft.rfftn"]),
    _spec("fft.rfftn(s,axes,ortho)", lambda x: np.fft.rfftn(x, s=(2, 5), axes=(0, 2),
                                                            norm="ortho"),
          shapes=[((3, 2, 4),)], names=["fft.rfftn"]),
    _spec("fft.irfftn", np.fft.irfftn, shapes=[((3, 3),), ((2, 2, 3),)], names=["fft.irfftn"],
          complex_domains=(complex_anywhere,)),
    _spec("fft.irfftn(s,forward)", lambda x: np.fft.irfftn(x, s=(4, 5), norm="forward"),
          shapes=[((3, 3),)], names=["fft.irfftn"], complex_domains=(complex_anywhere,)),
    _spec("fft.rfft2", np.fft.rfft2, shapes=[((3, 4),), ((2, 2, 3),)], names=["fft.rfft2"]),
    _spec("fft.irfft2", lambda x: np.fft.irfft2(x, s=(3, 4)), shapes=[((3, 3),)],
          names=["fft.irfft2"], complex_domains=(complex_anywhere,)),
    _spec("fft.hfft", np.fft.hfft, shapes=_FFT_SHAPES, names=["fft.hfft"],
          complex_domains=(complex_anywhere,)),
    _spec("fft.hfft(n,ortho)", lambda x: np.fft.hfft(x, n=5, norm="ortho"),
          shapes=[((3,),), ((2, 3),)], names=["fft.hfft"], complex_domains=(complex_anywhere,)),
    _spec("fft.ihfft", np.fft.ihfft, shapes=_FFT_SHAPES, names=["fft.ihfft"]),
    _spec("fft.ihfft(n,forward)", lambda x: np.fft.ihfft(x, n=6, axis=0, norm="forward"),
          shapes=[((4, 2),)], names=["fft.ihfft"]),
    _spec("fft.fftshift", np.fft.fftshift, shapes=_FFT_SHAPES, names=["fft.fftshift"],
          complex_domains=(complex_anywhere,)),
    _spec("fft.ifftshift(axes)", lambda x: np.fft.ifftshift(x, axes=0), shapes=[((3, 4),)],
          names=["fft.ifftshift"], complex_domains=(complex_anywhere,)),
)


# --- scipy.special --------------------------------------------------------------------------
def _special(name, domain=anywhere, shapes=UNARY, fun=None, order=3):
    add(_spec(f"special.{name}", fun or getattr(special, name), (domain,), shapes,
              [f"special.{name}"], order=order))


_special("expit")
_special("log_expit")
_special("logit", probability)
_special("erf")
_special("erfc")
_special("erfinv", unit)
_special("erfcinv", probability)
_special("ndtr")
_special("log_ndtr")
_special("ndtri", probability)
_special("gammaln", positive)
_special("digamma", positive)
_special("psi", positive)
_special("entr", positive)
for _n in (0, 1, 2):
    add(_spec(f"special.polygamma({_n})", lambda x, _n=_n: special.polygamma(_n, x),
              (positive,), UNARY, ["special.polygamma"], order=3))
for _name in ("xlogy", "xlog1py"):
    add(_spec(f"special.{_name}", getattr(special, _name), (anywhere, positive), BINARY,
              [f"special.{_name}"]))
_special("gamma", off_grid)
_special("rgamma", off_grid)
# 1/Gamma is entire: finite derivatives of every order at and around Gamma's poles.
add(_spec("special.rgamma(poles)", special.rgamma, (gamma_poles,), UNARY, ["special.rgamma"],
          order=3))
# Holomorphic in complex x, to first order (scipy's polygamma takes no complex values).
for _name in ("gamma", "rgamma"):
    add(_spec(f"special.{_name}(complex)", getattr(special, _name), (positive,), UNARY,
              [f"special.{_name}"], complex_domains=(complex_right,), order=1))
for _name in ("beta", "betaln"):
    add(_spec(f"special.{_name}", getattr(special, _name), (positive, positive), BINARY,
              [f"special.{_name}"]))
# Where a + b is a pole of Gamma and a, b are not, Beta is 0 and smooth.
add(_spec("special.beta(zeros)", special.beta, (negative_halves, negative_halves), BINARY,
          ["special.beta"], order=3))
# B(a, n) = (n - 1)! / (a (a + 1) ... (a + n - 1)) where a and a + n are poles (inf - inf in
# psi(a) - psi(a + n)); in n itself B is infinite beside an integer there, so n is held.
add(_spec("special.beta(pole, n)", lambda a: special.beta(a, 2.0) + special.beta(3.0, a),
          (deep_poles,), UNARY, ["special.beta"], order=3))
# Beside both poles, the terms of size 1 / (a + m) that cancel in psi(a) - psi(a + b).
add(_spec("special.beta(near poles)", special.beta, (near_poles, near_counts), BINARY,
          ["special.beta"], order=3))
add(_spec("special.beta(n, near pole)", special.beta, (near_counts, near_poles), BINARY,
          ["special.beta"], order=3))
# Incomplete functions and orders of Bessel functions: differentiable in x only (their other
# arguments raise, see tests/scipy/test_special.py), so those are held constant here.
_IN_X = [
    ("betainc(0.7, 2.5, x)", lambda x: special.betainc(0.7, 2.5, x), probability),
    ("betainc(1.0, 3.0, x)", lambda x: special.betainc(1.0, 3.0, x), probability),
    ("gammainc(1.7, x)", lambda x: special.gammainc(1.7, x), positive),
    ("gammaincc(0.6, x)", lambda x: special.gammaincc(0.6, x), positive),
    ("stdtr(3.5, t)", lambda t: special.stdtr(3.5, t), anywhere),
    ("multigammaln(a, 3)", lambda a: special.multigammaln(a, 3), above_one),
    ("multigammaln(a, 1)", lambda a: special.multigammaln(a, 1), positive),
    ("jn(0, x)", lambda x: special.jn(0, x), anywhere),
    ("jn(3, x)", lambda x: special.jn(3, x), anywhere),
    ("yn(2, x)", lambda x: special.yn(2, x), positive),
    ("iv(2, x)", lambda x: special.iv(2, x), anywhere),
    ("iv(0.5, x)", lambda x: special.iv(0.5, x), positive),
    ("ive(1, x)", lambda x: special.ive(1, x), away_from_zero),
    ("ive(2.5, x)", lambda x: special.ive(2.5, x), positive),
]
for _name, _fun in (("jn", lambda x: special.jn(3, x)), ("iv", lambda x: special.iv(2, x))):
    add(_spec(f"special.{_name}(complex)", _fun, (anywhere,), UNARY[:3], [f"special.{_name}"],
              complex_domains=(complex_anywhere,)))
for _call, _fun, _domain in _IN_X:
    add(_spec(f"special.{_call.replace(' ', '')}", _fun, (_domain,), UNARY,
              [f"special.{_call.split('(')[0]}"]))
for _name in ("j0", "j1", "i0", "i1"):
    _special(_name)
for _name in ("y0", "y1"):
    _special(_name, positive)
_LOGSUMEXP = [{}, {"axis": 0}, {"axis": -1, "keepdims": True}, {"axis": (0, 1)}]
for _kwargs in _LOGSUMEXP:
    add(_spec(f"special.logsumexp({_label(_kwargs)})",
              lambda x, _kw=_kwargs: special.logsumexp(x, **_kw), (anywhere,),
              [((2, 3),)] + ([((3,),), ((),)] if not _kwargs else []),
              ["special.logsumexp"], order=3))
add(
    _spec("special.logsumexp(b)", lambda x, b: special.logsumexp(x, axis=1, b=b),
          (anywhere, positive), [((2, 3), (3,)), ((2, 3), (2, 3))], ["special.logsumexp"]),
    _spec("special.logsumexp(b<0, return_sign)",
          lambda x, b: special.logsumexp(x, axis=1, b=-b, return_sign=True)[0],
          (anywhere, positive), [((2, 3), (3,)), ((2, 3), (2, 3))], ["special.logsumexp"]),
    _spec("special.logsumexp-large", lambda x: special.logsumexp(800.0 * x), (away_from_zero,),
          [((3,),)], ["special.logsumexp"], order=2),
)
for _name in ("softmax", "log_softmax"):
    for _kwargs in ({}, {"axis": 0}, {"axis": -1}):
        add(_spec(f"special.{_name}({_label(_kwargs)})",
                  bind(getattr(special, _name), **_kwargs), (anywhere,),
                  [((2, 3),)] + ([((3,),)] if not _kwargs else []), [f"special.{_name}"]))


# --- scipy.stats ----------------------------------------------------------------------------
_LOC_SCALE = [((), (), ()), ((3,), (), ()), ((2, 3), (3,), (2, 1))]
for _method in ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"):
    add(_spec(f"stats.norm.{_method}", getattr(stats.norm, _method),
              (anywhere, anywhere, positive), _LOC_SCALE, [f"stats.norm.{_method}"]),
        _spec(f"stats.norm.{_method}(x)", getattr(stats.norm, _method), (anywhere,), UNARY[:3],
              [f"stats.norm.{_method}"]))
add(_spec("stats.norm.ppf", stats.norm.ppf, (probability, anywhere, positive), _LOC_SCALE,
          ["stats.norm.ppf"]))
for _method in ("pdf", "logpdf"):
    add(_spec(f"stats.t.{_method}", getattr(stats.t, _method),
              (anywhere, above_one, anywhere, positive),
              [((), (), (), ()), ((2, 3), (3,), (2, 1), ())], [f"stats.t.{_method}"]),
        _spec(f"stats.t.{_method}(df=3)", bind(getattr(stats.t, _method), df=3.0),
              (anywhere,), UNARY[:3], [f"stats.t.{_method}"]))

for _method in ("cdf", "logcdf"):
    add(_spec(f"stats.t.{_method}", lambda x, loc, scale, _m=_method: getattr(stats.t, _m)(
        x, 3.5, loc, scale), (anywhere, anywhere, positive), _LOC_SCALE, [f"stats.t.{_method}"]))


def near_zero(rng, shape):
    """A small loc: with ``near_one`` scales, x in (0.1, 0.9) stays inside (0, 1)."""
    return rng.uniform(-0.05, 0.05, shape)


def near_one(rng, shape):
    return rng.uniform(1.0, 1.1, shape)


_SHAPE_LOC_SCALE = [((), (), (), ()), ((2, 3), (3,), (2, 1), ())]
_TWO_SHAPES_LOC_SCALE = [((), (), (), (), ()), ((2, 3), (3,), (2, 1), (), ())]
for _method in ("pdf", "logpdf"):
    add(_spec(f"stats.gamma.{_method}", getattr(stats.gamma, _method),
              (above_one, positive, near_zero, positive), _SHAPE_LOC_SCALE,
              [f"stats.gamma.{_method}"]),
        _spec(f"stats.chi2.{_method}", getattr(stats.chi2, _method),
              (above_one, above_one, near_zero, positive), _SHAPE_LOC_SCALE,
              [f"stats.chi2.{_method}"]),
        _spec(f"stats.beta.{_method}", getattr(stats.beta, _method),
              (probability, positive, positive, near_zero, near_one), _TWO_SHAPES_LOC_SCALE,
              [f"stats.beta.{_method}"]),
        _spec(f"stats.gamma.{_method}(x,a)", getattr(stats.gamma, _method), (positive, positive),
              BINARY[:3], [f"stats.gamma.{_method}"]))
# The cdfs in x, loc and scale (in a shape parameter they raise, see tests/scipy/test_stats.py).
add(_spec("stats.gamma.cdf", lambda x, loc, scale: stats.gamma.cdf(x, 1.7, loc, scale),
          (above_one, near_zero, positive), _LOC_SCALE, ["stats.gamma.cdf"]),
    _spec("stats.chi2.cdf", lambda x, loc, scale: stats.chi2.cdf(x, 3.0, loc, scale),
          (above_one, near_zero, positive), _LOC_SCALE, ["stats.chi2.cdf"]),
    _spec("stats.beta.cdf", lambda x, loc, scale: stats.beta.cdf(x, 1.5, 2.5, loc, scale),
          (probability, near_zero, near_one), _LOC_SCALE, ["stats.beta.cdf"]))
# Poisson in mu (k is a count): at one count, and over counts that broadcast against mu.
for _method in ("pmf", "logpmf", "cdf"):
    add(_spec(f"stats.poisson.{_method}", lambda mu, _m=_method: getattr(stats.poisson, _m)(
        3.0, mu), (positive,), UNARY[:3], [f"stats.poisson.{_method}"]),
        _spec(f"stats.poisson.{_method}(counts)", lambda mu, _m=_method: getattr(
            stats.poisson, _m)(onp.array([0.0, 2.0, 5.0]), mu, loc=-1), (positive,),
              [((),), ((2, 3),)], [f"stats.poisson.{_method}"], float32=False))


def covariance(rng, shape):
    """A well-conditioned symmetric positive definite matrix (a variance vector if 1-d)."""
    if len(shape) < 2:
        return rng.uniform(0.5, 2.0, shape)
    a = rng.standard_normal(shape)
    return a @ a.T / shape[-1] + onp.eye(shape[-1])


def simplex_head(rng, shape):
    """All but the last component of points of the simplex (components on the first axis)."""
    return rng.uniform(0.1, 0.3, shape)


_MVN = [((3,), (3,), (3, 3)), ((4, 3), (3,), (3, 3)), ((2, 2, 2), (2,), (2, 2)),
        ((4, 3), (3,), (3,)), ((2, 3), (3,), ()), ((4,), (), ())]
for _method in ("pdf", "logpdf"):
    add(_spec(f"stats.multivariate_normal.{_method}",
              getattr(stats.multivariate_normal, _method), (anywhere, anywhere, covariance),
              _MVN, [f"stats.multivariate_normal.{_method}"]),
        _spec(f"stats.dirichlet.{_method}", getattr(stats.dirichlet, _method),
              (simplex_head, positive), [((2,), (3,)), ((2, 4), (3,))],
              [f"stats.dirichlet.{_method}"]))
add(_spec("stats.multivariate_normal.entropy", stats.multivariate_normal.entropy,
          (anywhere, covariance), [((3,), (3, 3)), ((2,), (2,))],
          ["stats.multivariate_normal.entropy"]))


# --- joins, differences, vector products and selection (numpy's further names) -------------
_COMPLEX2 = (complex_anywhere, complex_anywhere)
_shape_op("atleast_3d", np.atleast_3d, UNARY[:3] + [((2, 1, 3),)], ["np.atleast_3d"])
_shape_op("atleast_3d-several", lambda x: np.atleast_3d(x, 2 * x)[1], UNARY[1:3],
          ["np.atleast_3d"])
_shape_op("unstack", lambda x: np.stack(np.unstack(x, axis=-1)[::-1]), UNARY[1:3] + [((2, 1),)],
          ["np.unstack"])
_shape_op("matrix_transpose", np.matrix_transpose, [((2, 3),), ((2, 1, 3),)],
          ["np.matrix_transpose"])
_shape_op("permute_dims", lambda x: np.permute_dims(x, (2, 0, 1)), [((2, 3, 1),)],
          ["np.permute_dims"])
_shape_op("rollaxis", lambda x: np.rollaxis(x, 2), [((2, 3, 1),)], ["np.rollaxis"])
_shape_op("rollaxis-start", lambda x: np.rollaxis(x, 0, 2), [((2, 3, 1),)], ["np.rollaxis"])
_shape_op("make_diagonal", np.make_diagonal, UNARY[1:3], ["np.make_diagonal"])
_shape_op("make_diagonal-offset-axes", lambda x: np.make_diagonal(x, -1, -1, -2), UNARY[1:3],
          ["np.make_diagonal"])
_shape_op("diff", np.diff, UNARY[1:3] + [((2, 1),)], ["np.diff"])
_shape_op("diff-n2-axis0", lambda x: np.diff(x, n=2, axis=0), [((3,),), ((4, 2),)], ["np.diff"])
_shape_op("ediff1d", lambda x: np.ediff1d(x, to_begin=-1.0, to_end=[2.0, 3.0]), UNARY[1:3],
          ["np.ediff1d"])
_shape_op("gradient", np.gradient, [((3,),), ((4,),)], ["np.gradient"])
_shape_op("gradient-2d", lambda x: np.stack(np.gradient(x, 0.5)), [((3, 4),)], ["np.gradient"])
_shape_op("gradient-edge2-axis1", lambda x: np.gradient(x, 2.0, axis=1, edge_order=2),
          [((2, 3),), ((1, 4),)], ["np.gradient"])
_shape_op("trapezoid", np.trapezoid, UNARY[1:3], ["np.trapezoid"])
_shape_op("trapezoid-axis0", lambda x: np.trapezoid(x, dx=0.3, axis=0), [((2, 3),)],
          ["np.trapezoid"])
_shape_op("cumulative_sum", lambda x: np.cumulative_sum(x, axis=-1, include_initial=True),
          UNARY[1:3], ["np.cumulative_sum"])
_shape_op("cumulative_prod", lambda x: np.cumulative_prod(x, axis=0), UNARY[1:3],
          ["np.cumulative_prod"])
_shape_op("real_if_close", lambda x: np.real_if_close(x) * 1.0, UNARY, ["np.real_if_close"])
add(
    _spec("column_stack", lambda x, y: np.column_stack([x, y, x]), (anywhere, anywhere),
          [((3,), (3,)), ((2, 3), (2, 1)), ((3,), (3, 2))], ["np.column_stack"],
          complex_domains=_COMPLEX2),
    _spec("row_stack", lambda x, y: np.row_stack([x, y]), (anywhere, anywhere),
          [((3,), (3,)), ((2, 3), (3,))], ["np.row_stack"]),
    _spec("dstack", lambda x, y: np.dstack([x, y]), (anywhere, anywhere),
          [((3,), (3,)), ((2, 3), (2, 3)), ((2, 3, 1), (2, 3))], ["np.dstack"],
          complex_domains=_COMPLEX2),
    _spec("append", np.append, (anywhere, anywhere), [((2, 3), (3,)), ((), (2,))],
          ["np.append"], complex_domains=_COMPLEX2),
    _spec("append-axis", lambda x, y: np.append(x, y, axis=1), (anywhere, anywhere),
          [((2, 3), (2, 1))], ["np.append"]),
    _spec("concat", lambda x, y: np.concat([x, y], axis=-1), (anywhere, anywhere),
          [((2, 3), (2, 1))], ["np.concat"]),
    _spec("diff-prepend-append", lambda x, p, a: np.diff(x, prepend=p, append=a),
          (anywhere, anywhere, anywhere), [((3,), (), (2,)), ((2, 3), (2, 1), ())], ["np.diff"],
          complex_domains=(complex_anywhere,) * 3),
    _spec("gradient-coordinates", lambda f, x: np.gradient(f, x), (anywhere, positive),
          [((4,), (4,))], ["np.gradient"]),
    _spec("gradient-coordinates-edge2",
          lambda f, x: np.gradient(f, np.cumsum(x), axis=0, edge_order=2), (anywhere, positive),
          [((4,), (4,)), ((3, 2), (3,))], ["np.gradient"]),
    _spec("trapezoid-x", lambda y, x: np.trapezoid(y, x), (anywhere, anywhere),
          [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (2, 3))], ["np.trapezoid"],
          complex_domains=(complex_anywhere, anywhere)),
    _spec("cross", np.cross, (anywhere, anywhere), [((3,), (3,)), ((2, 3), (3,)),
                                                    ((2, 1, 3), (1, 2, 3))], ["np.cross"],
          complex_domains=_COMPLEX2),
    _spec("cross-axes", lambda a, b: np.cross(a, b, axisa=0, axisb=-1, axisc=0),
          (anywhere, anywhere), [((3, 2), (2, 3))], ["np.cross"]),
    _spec("vecdot", np.vecdot, (anywhere, anywhere), [((3,), (3,)), ((2, 3), (3,))],
          ["np.vecdot"], complex_domains=_COMPLEX2),
    _spec("matvec", np.matvec, (anywhere, anywhere), [((2, 3), (3,)), ((2, 2, 3), (1, 3))],
          ["np.matvec"], complex_domains=_COMPLEX2),
    _spec("vecmat", np.vecmat, (anywhere, anywhere), [((2,), (2, 3)), ((2, 2), (2, 2, 3))],
          ["np.vecmat"], complex_domains=_COMPLEX2),
    _spec("select", lambda x, a, b: np.select([x > 0.5, x < -0.5], [a, b * x], default=x ** 2),
          (anywhere, anywhere, anywhere), [((3,), (3,), (3,)), ((2, 3), (3,), ()),
                                           ((2, 1), (), (1, 3))], ["np.select"]),
    _spec("nan_to_num", lambda x: x * np.nan_to_num(
        np.index_update(np.index_update(x, (Ellipsis, 0), onp.nan), (Ellipsis, -1), -onp.inf),
        nan=-2.0, neginf=-3.0), shapes=[((3,),), ((2, 3),)], names=["np.nan_to_num"]),
    _spec("nan_to_num-finite", np.nan_to_num, shapes=UNARY, names=["np.nan_to_num"],
          complex_domains=(complex_anywhere,)),
    _spec("heaviside", lambda x, h: np.heaviside(np.round(x), h) * h, (anywhere, anywhere),
          BINARY, ["np.heaviside"]),
)
def _with_nan(x):
    return np.index_update(x, (Ellipsis, 1), onp.nan)


_shape_op("ptp", np.ptp, UNARY[1:3], ["np.ptp"], complex_=False)
_shape_op("ptp-axis", lambda x: np.ptp(x, axis=0, keepdims=True), [((2, 3),)], ["np.ptp"],
          complex_=False)
for _name in ("median", "nanmedian"):
    _shape_op(_name, getattr(np, _name), UNARY[1:3], [f"np.{_name}"], complex_=False)
_shape_op("median-axis", lambda x: np.median(x, axis=-1, keepdims=True), [((2, 3),), ((3, 4),)],
          ["np.median"], complex_=False)
for _name in ("nanmax", "nanmin", "nanprod", "nancumsum", "nancumprod", "nanvar", "nanstd",
              "nanmedian"):
    _fun = getattr(np, _name)
    add(_spec(f"{_name}-with-nan", lambda x, _f=_fun: _f(_with_nan(x), axis=-1),
              (positive,), [((3,),), ((2, 4),)], [f"np.{_name}"]))
add(
    _spec("quantile", lambda x, q: np.quantile(x, q), (anywhere, probability),
          [((4,), ()), ((2, 3), (2,))], ["np.quantile"]),
    _spec("quantile-axis-method", lambda x: np.quantile(x, [0.2, 0.5], axis=(0, 2),
                                                        method="midpoint"),
          shapes=[((2, 2, 3),)], names=["np.quantile"]),
    _spec("percentile", lambda x: np.percentile(x, 40.0, axis=1), shapes=[((2, 5),)],
          names=["np.percentile"]),
    _spec("nanquantile", lambda x, q: np.nanquantile(_with_nan(x), q, axis=-1),
          (anywhere, probability), [((4,), ()), ((2, 5), (3,))], ["np.nanquantile"]),
    _spec("nanpercentile", lambda x: np.nanpercentile(_with_nan(x), [25.0, 75.0], axis=-1),
          shapes=[((3, 3),)], names=["np.nanpercentile"]),
    _spec("nanvar-ddof", lambda x: np.nanvar(x, axis=0, ddof=1), shapes=[((3, 2),)],
          names=["np.nanvar"], complex_domains=(complex_anywhere,)),
    _spec("nanstd-all", np.nanstd, (positive,), [((3,),), ((2, 3),)], ["np.nanstd"]),
)
_shape_op("delete", lambda x: np.delete(x, [0, 2], axis=-1), [((3,),), ((2, 4),)], ["np.delete"])
_shape_op("compress", lambda x: np.compress([True, False, True], x, axis=0), [((3,),), ((3, 2),)],
          ["np.compress"])
_shape_op("extract", lambda x: np.extract(onp.arange(6).reshape(2, 3) % 2 == 0, x),
          [((2, 3),)], ["np.extract"])
_shape_op("resize", lambda x: np.resize(x, (2, 4)), UNARY[1:3], ["np.resize"])
_shape_op("trim_zeros", lambda x: np.trim_zeros(np.pad(x, 1)), UNARY[1:3], ["np.trim_zeros"])
add(_spec("sort_complex", np.sort_complex, shapes=[((3,),), ((2, 3),)],  # float32 -> complex128
          names=["np.sort_complex"], complex_domains=(complex_anywhere,), float32=False))
add(
    _spec("insert", lambda x, v: np.insert(x, 1, v, axis=0), (anywhere, anywhere),
          [((3,), ()), ((2, 3), (3,)), ((2, 3), (2, 3))], ["np.insert"],
          complex_domains=_COMPLEX2),
    _spec("insert-flat", lambda x, v: np.insert(x, [0, 2], v), (anywhere, anywhere),
          [((2, 2), (2,))], ["np.insert"]),
    _spec("choose", lambda a, b, c: np.choose(onp.array([[0, 1, 2], [2, 1, 0]]), [a, b, c]),
          (anywhere,) * 3, [((2, 3), (3,), ()), ((2, 1), (1, 3), (2, 3))], ["np.choose"],
          complex_domains=(complex_anywhere,) * 3),
    _spec("block", lambda a, b, c: np.block([[a, b], [c]]), (anywhere,) * 3,
          [((2, 2), (2, 1), (1, 3)), ((1, 1), (1, 2), (1, 3))], ["np.block"],
          complex_domains=(complex_anywhere,) * 3),
    _spec("broadcast_arrays", lambda a, b: np.stack(np.broadcast_arrays(a, b)),
          (anywhere, anywhere), BINARY, ["np.broadcast_arrays"], complex_domains=_COMPLEX2),
)
def _sorted_points(rng, shape):
    return onp.sort(rng.uniform(-2.0, 2.0, shape) + onp.arange(shape[-1]))


def _distinct_roots(rng, shape):
    """Coefficients of a polynomial with well-separated real roots."""
    return onp.poly(onp.arange(shape[0] - 1) * 1.5 + rng.uniform(-0.2, 0.2, shape[0] - 1))


add(
    _spec("polyval", np.polyval, (anywhere, anywhere), [((3,), ()), ((4,), (2, 3))],
          ["np.polyval"], complex_domains=_COMPLEX2),
    _spec("polyadd", np.polyadd, (anywhere, anywhere), [((3,), (2,)), ((2,), (4,))],
          ["np.polyadd"], complex_domains=_COMPLEX2),
    _spec("polysub", np.polysub, (anywhere, anywhere), [((3,), (2,))], ["np.polysub"]),
    _spec("polymul", np.polymul, (anywhere, anywhere), [((3,), (2,)), ((1,), (4,))],
          ["np.polymul"], complex_domains=_COMPLEX2),
    _spec("polydiv", lambda u, v: np.concatenate(np.polydiv(u, v)), (anywhere, away_from_zero),
          [((4,), (2,)), ((3,), (3,))], ["np.polydiv"], float32=False),
    _spec("polyder", lambda p: np.polyder(p, 2), shapes=[((4,),)], names=["np.polyder"],
          float32=False),
    _spec("polyint", lambda p, k: np.polyint(p, 2, k), (anywhere, anywhere),
          [((3,), (2,)), ((2,), ())], ["np.polyint"], float32=False),
    _spec("polyfit", lambda x, y: np.polyfit(x, y, 2), (_sorted_points, anywhere),
          [((5,), (5,)), ((4,), (4, 2))], ["np.polyfit"], float32=False),
    _spec("roots", lambda p: np.real(np.roots(p)), (_distinct_roots,), [((3,),), ((4,),)],
          ["np.roots"]),
    _spec("poly", np.poly, shapes=[((3,),), ((2, 2),)], names=["np.poly"],
          complex_domains=(complex_anywhere,)),
    _spec("vander", lambda x: np.vander(x, 4), shapes=[((3,),)], names=["np.vander"],
          complex_domains=(complex_anywhere,), float32=False),
    _spec("convolve", np.convolve, (anywhere, anywhere), [((3,), (2,)), ((2,), (4,)), ((), (3,))],
          ["np.convolve"], complex_domains=_COMPLEX2),
    _spec("convolve-same", lambda a, v: np.convolve(a, v, "same"), (anywhere, anywhere),
          [((4,), (2,)), ((2,), (5,))], ["np.convolve"]),
    _spec("correlate", np.correlate, (anywhere, anywhere), [((4,), (2,)), ((2,), (3,))],
          ["np.correlate"], complex_domains=_COMPLEX2),
    _spec("correlate-full", lambda a, v: np.correlate(a, v, "full"), (anywhere, anywhere),
          [((3,), (2,))], ["np.correlate"], complex_domains=_COMPLEX2),
    _spec("interp", np.interp, (anywhere, _sorted_points, anywhere),
          [((3,), (4,), (4,)), ((2, 3), (3,), (3,))], ["np.interp"], float32=False),
    _spec("interp-complex", lambda x, xp, fp: np.interp(x, xp, fp, left=0.5, right=-1.0),
          (anywhere, _sorted_points, anywhere), [((5,), (3,), (3,))], ["np.interp"],
          complex_domains=(anywhere, _sorted_points, complex_anywhere), float32=False),
    _spec("unwrap", lambda x: np.unwrap(4 * x), shapes=[((5,),), ((2, 4),)], names=["np.unwrap"]),
)
def _square_rows(row):
    return row * row[::-1]


def _kinked(a):
    """A scalar function with a branch on its value (np.vectorize calls it per element)."""
    return a * a if a > 0.25 else np.sin(a)


def _pair(a, b):
    return a * b, a - np.exp(b)


add(
    _spec("cov", np.cov, shapes=[((2, 4),), ((4,),)], names=["np.cov"],
          complex_domains=(complex_anywhere,), float32=False),
    _spec("cov-y-weights", lambda x, y, w: np.cov(x, y, rowvar=False, aweights=w),
          (anywhere, anywhere, positive), [((4, 2), (4,), (4,))], ["np.cov"], float32=False),
    _spec("corrcoef", np.corrcoef, shapes=[((2, 4),)], names=["np.corrcoef"], float32=False),
    _spec("corrcoef-pair", np.corrcoef, (anywhere, anywhere), [((4,), (4,))], ["np.corrcoef"],
          float32=False),
    _spec("apply_along_axis", lambda x: np.apply_along_axis(_square_rows, 0, x),
          shapes=[((3,),), ((3, 2),)], names=["np.apply_along_axis"],
          complex_domains=(complex_anywhere,)),
    _spec("apply_along_axis-scalar", lambda x: np.apply_along_axis(np.prod, -1, x),
          shapes=[((2, 3),)], names=["np.apply_along_axis"]),
    _spec("vectorize", lambda x: np.vectorize(_kinked)(x), (off_grid,), UNARY,
          ["np.vectorize"], float32=False),
    _spec("vectorize-pair", lambda x, y: np.prod(np.stack(np.vectorize(_pair)(x, y))),
          (anywhere, anywhere), [((3,), (2, 1))], ["np.vectorize"], float32=False),
    _spec("apply_over_axes", lambda x: np.apply_over_axes(np.sum, x ** 2, [0, 2]),
          shapes=[((2, 3, 2),)], names=["np.apply_over_axes"]),
    _spec("piecewise", lambda x: np.piecewise(x, [x < 0, x > 1], [np.sin, lambda t: t ** 2,
                                                                   np.exp]),
          (off_grid,), UNARY, ["np.piecewise"]),
    _spec("asanyarray", lambda x: np.asanyarray(x) * x, shapes=UNARY, names=["np.asanyarray"],
          complex_domains=(complex_anywhere,)),
    _spec("ascontiguousarray", lambda x: np.ascontiguousarray(x) * x, shapes=UNARY,
          names=["np.ascontiguousarray"]),
    _spec("asfortranarray", lambda x: np.asfortranarray(x) * x, shapes=UNARY,
          names=["np.asfortranarray"]),
    _spec("asarray_chkfinite", lambda x: np.asarray_chkfinite(x) * x, shapes=UNARY,
          names=["np.asarray_chkfinite"]),
    _spec("require", lambda x: np.require(x) * x, shapes=UNARY, names=["np.require"]),
    _spec("ldexp", lambda x: np.ldexp(x, onp.array([2, -1, 0])) * x, shapes=UNARY[1:3],
          names=["np.ldexp"]),
    _spec("frexp", lambda x: np.frexp(x)[0] * x, (away_from_zero,), UNARY, ["np.frexp"]),
    _spec("modf", lambda x: np.modf(x)[0] * x, (off_grid,), UNARY, ["np.modf"]),
    _spec("divmod", lambda x, y: np.divmod(x, y)[1] * x, (dividend, divisor), BINARY,
          ["np.divmod"]),
    _spec("nextafter", lambda x: np.nextafter(x, 5.0) * x, shapes=UNARY, names=["np.nextafter"]),
)
_DISTINCT = [((3,),), ((2, 3),)]  # continuous draws: no ties, so each value moves on its own
add(
    _spec("unique_values", np.unique_values, shapes=_DISTINCT, names=["np.unique_values"]),
    _spec("unique_counts", lambda x: np.unique_counts(x).values * 2.0, shapes=_DISTINCT,
          names=["np.unique_counts"]),
    _spec("unique_inverse", lambda x: np.unique_inverse(x).values, shapes=_DISTINCT,
          names=["np.unique_inverse"]),
    _spec("unique_all", lambda x: np.unique_all(x).values, shapes=_DISTINCT,
          names=["np.unique_all"]),
    _spec("union1d", np.union1d, (anywhere, anywhere), [((3,), (2,))], ["np.union1d"]),
    _spec("intersect1d", lambda x: np.intersect1d(x, x[..., ::2]), shapes=_DISTINCT,
          names=["np.intersect1d"]),
    _spec("setdiff1d", lambda x: np.setdiff1d(x, x[..., :1]), shapes=_DISTINCT,
          names=["np.setdiff1d"]),
    _spec("setxor1d", lambda x, y: np.setxor1d(x, np.concatenate([y, x[:1]])),
          (anywhere, anywhere), [((3,), (2,))], ["np.setxor1d"]),
)
add(_spec("histogram_bin_edges", lambda x: np.histogram_bin_edges(x, 4), shapes=_DISTINCT,
          names=["np.histogram_bin_edges"]),
    _spec("histogram_bin_edges-one-value", lambda x: np.histogram_bin_edges(x, "sturges"),
          shapes=[((),)], names=["np.histogram_bin_edges"]))
for _alias, _name in (("acos", "arccos"), ("asin", "arcsin"), ("atanh", "arctanh")):
    _unary(_alias, unit)
for _alias in ("atan", "asinh"):
    _unary(_alias)
_unary("acosh", above_one)
_binary("atan2", away_from_zero, away_from_zero)
_binary("pow", positive, anywhere, (complex_right, complex_anywhere))
add(_spec("around", lambda x: np.around(x, 1), (off_grid,), UNARY, ["np.around"]))


# --- scipy.signal ---------------------------------------------------------------------------
_CONVOLVE = {
    "full": [((4,), (3,)), ((2,), (5,)), ((3, 2), (2, 3))],
    "valid": [((5,), (3,)), ((2,), (4,)), ((4, 3), (2, 2))],
    "same": [((5,), (2,)), ((2,), (5,)), ((3, 4), (2, 3))],
}
for _mode, _shapes in _CONVOLVE.items():
    add(_spec(f"signal.convolve({_mode})", bind(signal.convolve, mode=_mode),
              (anywhere, anywhere), _shapes, ["signal.convolve"], complex_domains=_COMPLEX2),
        _spec(f"signal.convolve({_mode},axes,dot_axes)",
              bind(signal.convolve, axes=([1], [0]), dot_axes=([2], [1]), mode=_mode),
              (anywhere, anywhere), [((2, 5, 3), (3, 3, 2))], ["signal.convolve"]),
        _spec(f"signal.convolve({_mode},2-axes)",
              bind(signal.convolve, axes=([0, 2], [2, 0]), mode=_mode),
              (anywhere, anywhere), [((4, 2, 3), (2, 3, 2))], ["signal.convolve"]))


# --- scipy.linalg ---------------------------------------------------------------------------
def well_conditioned(rng, shape):
    """Square matrices near 3 I: invertible, no eigenvalue near a branch cut or near the
    negative of another matrix's (for Sylvester equations)."""
    return rng.standard_normal(shape) + 3 * onp.eye(shape[-1])


def symmetric_positive(rng, shape):
    m = rng.standard_normal(shape)
    return m @ onp.swapaxes(m, -1, -2) / shape[-1] + onp.eye(shape[-1])


def small(rng, shape):
    return 0.3 * rng.standard_normal(shape)


def complex_well_conditioned(rng, shape):
    return complex_anywhere(rng, shape) + 3 * onp.eye(shape[-1])


def _banded(upper):
    """Band storage with a dominant main diagonal (row ``upper``)."""
    def domain(rng, shape):
        ab = rng.standard_normal(shape)
        ab[..., upper, :] += 4.0
        return ab

    return domain


_SOLVE_SHAPES = [((3, 3), (3,)), ((3, 3), (3, 2))]
for _trans in (0, "T", 2):
    for _lower in (False, True):
        add(_spec(f"scipy.linalg.solve_triangular(trans={_trans},lower={_lower})",
                  bind(linalg.solve_triangular, trans=_trans, lower=_lower),
                  (well_conditioned, anywhere), _SOLVE_SHAPES, ["scipy.linalg.solve_triangular"],
                  complex_domains=(complex_well_conditioned, complex_anywhere)))
for _lower in (False, True):
    add(_spec(f"scipy.linalg.solve_triangular(unit_diagonal,lower={_lower})",
              bind(linalg.solve_triangular, lower=_lower, unit_diagonal=True, trans=1),
              (well_conditioned, anywhere), _SOLVE_SHAPES, ["scipy.linalg.solve_triangular"]))
_STACKED_SOLVE_SHAPES = [((2, 3, 3), (3,)), ((2, 3, 3), (2, 3, 2)), ((3, 3), (2, 3, 1)),
                        ((2, 1, 3, 3), (3, 3, 2))]
for _trans, _lower in ((0, False), ("T", True), (2, False)):
    add(_spec(f"scipy.linalg.solve_triangular(trans={_trans},lower={_lower})-stack",
              bind(linalg.solve_triangular, trans=_trans, lower=_lower),
              (well_conditioned, anywhere), _STACKED_SOLVE_SHAPES,
              ["scipy.linalg.solve_triangular"],
              complex_domains=(complex_well_conditioned, complex_anywhere)))


def _pivots(lu):
    """LAPACK row interchanges for each matrix of ``lu`` (each row i swapped with a later row)."""
    n = onp.shape(lu)[-1]
    later = onp.maximum(onp.arange(n), n - 1 - onp.arange(n) % 2)
    return onp.broadcast_to(later, onp.shape(lu)[:-1])


for _l, _u in ((1, 1), (2, 0), (0, 1)):
    add(_spec(f"scipy.linalg.solve_banded(({_l},{_u}))",
              lambda ab, b, _lu=(_l, _u): linalg.solve_banded(_lu, ab, b),
              (_banded(_u), anywhere), [((_l + _u + 1, 4), (4,)), ((_l + _u + 1, 4), (4, 2))],
              ["scipy.linalg.solve_banded"]))
add(_spec("scipy.linalg.solve_banded((1,1))-stack",
          lambda ab, b: linalg.solve_banded((1, 1), ab, b), (_banded(1), anywhere),
          [((2, 3, 4), (4,)), ((2, 1, 3, 4), (3, 4, 2)), ((3, 4), (2, 4, 1))],
          ["scipy.linalg.solve_banded"]))
add(
    _spec("scipy.linalg.solve_sylvester", linalg.solve_sylvester,
          (well_conditioned, well_conditioned, anywhere), [((3, 3), (2, 2), (3, 2))],
          ["scipy.linalg.solve_sylvester"],
          complex_domains=(complex_well_conditioned, complex_well_conditioned,
                           complex_anywhere)),
    _spec("scipy.linalg.solve_continuous_lyapunov", linalg.solve_continuous_lyapunov,
          (well_conditioned, anywhere), [((3, 3), (3, 3))],
          ["scipy.linalg.solve_continuous_lyapunov", "scipy.linalg.solve_lyapunov"]),
    _spec("scipy.linalg.sqrtm", linalg.sqrtm, (symmetric_positive,), [((3, 3),), ((2, 3, 3),)],
          ["scipy.linalg.sqrtm"]),
    _spec("scipy.linalg.sqrtm-nonsymmetric", linalg.sqrtm, (well_conditioned,), [((2, 2),)],
          ["scipy.linalg.sqrtm"]),
    _spec("scipy.linalg.logm", linalg.logm, (symmetric_positive,), [((3, 3),), ((2, 2, 2),)],
          ["scipy.linalg.logm"],
          float32=False),  # scipy's logm answers in float64 or complex128
    _spec("scipy.linalg.cholesky", linalg.cholesky, (symmetric_positive,),
          [((3, 3),), ((2, 3, 3),)],
          ["scipy.linalg.cholesky"]),
    _spec("scipy.linalg.cholesky(lower)", bind(linalg.cholesky, lower=True), (symmetric_positive,),
          [((3, 3),)], ["scipy.linalg.cholesky"]),
    _spec("scipy.linalg.cho_factor", lambda a: linalg.cho_factor(a)[0], (symmetric_positive,),
          [((3, 3),)], ["scipy.linalg.cho_factor"]),
    _spec("scipy.linalg.cho_solve", lambda c, b: linalg.cho_solve((c, False), b),
          (well_conditioned, anywhere), _SOLVE_SHAPES, ["scipy.linalg.cho_solve"]),
    _spec("scipy.linalg.cho_solve(lower)", lambda a, b: linalg.cho_solve(linalg.cho_factor(
        a, lower=True), b), (symmetric_positive, anywhere), _SOLVE_SHAPES,
          ["scipy.linalg.cho_solve"]),
    _spec("scipy.linalg.cho_solve-stack", lambda c, b: linalg.cho_solve((c, True), b),
          (well_conditioned, anywhere), _STACKED_SOLVE_SHAPES, ["scipy.linalg.cho_solve"]),
    _spec("scipy.linalg.lu_solve", lambda lu, b: linalg.lu_solve((lu, _pivots(lu)), b),
          (well_conditioned, anywhere), _SOLVE_SHAPES + _STACKED_SOLVE_SHAPES,
          ["scipy.linalg.lu_solve"],
          complex_domains=(complex_well_conditioned, complex_anywhere)),
    _spec("scipy.linalg.lu_solve(trans=1)",
          lambda lu, b: linalg.lu_solve((lu, _pivots(lu)), b, trans=1),
          (well_conditioned, anywhere), _SOLVE_SHAPES, ["scipy.linalg.lu_solve"]),
    _spec("scipy.linalg.lu_solve(trans=2)",
          lambda lu, b: linalg.lu_solve((lu, _pivots(lu)), b, trans=2),
          (well_conditioned, anywhere), _SOLVE_SHAPES, ["scipy.linalg.lu_solve"],
          complex_domains=(complex_well_conditioned, complex_anywhere)),
    _spec("scipy.linalg.inv", linalg.inv, (well_conditioned,), [((3, 3),)], ["scipy.linalg.inv"],
          complex_domains=(complex_well_conditioned,)),
    _spec("scipy.linalg.inv(pos)", bind(linalg.inv, assume_a="pos"), (symmetric_positive,),
          [((3, 3),)], ["scipy.linalg.inv"]),
    _spec("scipy.linalg.det", linalg.det, (well_conditioned,), [((3, 3),), ((2, 3, 3),)],
          ["scipy.linalg.det"],
          float32=False),  # scipy's det answers in float64
    _spec("scipy.linalg.pinv", linalg.pinv, shapes=[((3, 2),), ((2, 3),), ((2, 3, 2),)],
          names=["scipy.linalg.pinv"]),
    _spec("scipy.linalg.norm", linalg.norm, (away_from_zero,), [((3,),), ((2, 3),)],
          ["scipy.linalg.norm"]),
    _spec("scipy.linalg.norm(nuc)", bind(linalg.norm, ord="nuc"), shapes=[((3, 2),)],
          names=["scipy.linalg.norm"]),
    _spec("scipy.linalg.svdvals", linalg.svdvals, shapes=[((3, 2),)],
          names=["scipy.linalg.svdvals"]),
    _spec("scipy.linalg.eigh", lambda a: linalg.eigh(a)[1] ** 2 + linalg.eigh(a)[0][..., None, :],
          (symmetric_positive,), [((3, 3),), ((2, 3, 3),)], ["scipy.linalg.eigh"]),
    _spec("scipy.linalg.eigh(upper,eigvals_only)",
          bind(linalg.eigh, lower=False, eigvals_only=True),
          (anywhere,), [((3, 3),)], ["scipy.linalg.eigh"]),
    _spec("scipy.linalg.eigvalsh", linalg.eigvalsh, (anywhere,), [((3, 3),)],
          ["scipy.linalg.eigvalsh"]),
)
add(
    _spec("scipy.linalg.signm", linalg.signm,
          (lambda r, s: 0.3 * r.standard_normal(s) + onp.diag([2.0, -2.0, 3.0]),), [((3, 3),)],
          ["scipy.linalg.signm"]),
    _spec("scipy.linalg.fractional_matrix_power", bind(linalg.fractional_matrix_power, t=0.7),
          (symmetric_positive,), [((3, 3),)], ["scipy.linalg.fractional_matrix_power"],
          float32=False),  # scipy answers in float64
    _spec("scipy.linalg.svd", lambda a: linalg.svd(a, full_matrices=False)[0] ** 2,
          shapes=[((3, 2),)], names=["scipy.linalg.svd"]),
    _spec("scipy.linalg.svd(compute_uv=False)", bind(linalg.svd, compute_uv=False),
          shapes=[((3, 2),), ((2, 3),)], names=["scipy.linalg.svd"]),
    _spec("scipy.linalg.qr(economic)", lambda a: linalg.qr(a, mode="economic")[1],
          shapes=[((3, 2),), ((3, 3),)], names=["scipy.linalg.qr"]),
    _spec("scipy.linalg.qr(r)", lambda a: linalg.qr(a, mode="r")[0],
          shapes=[((3, 3),), ((3, 2),)], names=["scipy.linalg.qr"]),
    _spec("scipy.linalg.qr(r)-stack", lambda a: linalg.qr(a, mode="r"), shapes=[((2, 3, 2),)],
          names=["scipy.linalg.qr"]),
    _spec("scipy.linalg.toeplitz", linalg.toeplitz, (anywhere, anywhere),
          [((3,), (4,)), ((1,), (2,)), ((), ()), ((2, 3), (4,)), ((2, 1, 3), (3, 2))],
          ["scipy.linalg.toeplitz"], complex_domains=_COMPLEX2),
    _spec("scipy.linalg.toeplitz(c)", linalg.toeplitz, shapes=[((3,),), ((2, 3),)],
          names=["scipy.linalg.toeplitz"], complex_domains=(complex_anywhere,)),
    _spec("scipy.linalg.hankel", linalg.hankel, (anywhere, anywhere), [((3,), (4,))],
          ["scipy.linalg.hankel"]),
    _spec("scipy.linalg.hankel(c)", linalg.hankel, shapes=[((3,),)],
          names=["scipy.linalg.hankel"]),
    _spec("scipy.linalg.circulant", linalg.circulant, shapes=[((3,),), ((1,),), ((),), ((2, 3),),
                                                            ((2, 1, 2),)],
          names=["scipy.linalg.circulant"], complex_domains=(complex_anywhere,)),
    _spec("scipy.linalg.block_diag", linalg.block_diag, (anywhere, anywhere, anywhere),
          [((), (2,), (2, 1)), ((2, 2, 2), (3,), (1, 1, 2)), ((2, 1, 2, 2), (3, 1, 1), ())],
          ["scipy.linalg.block_diag"]),
    _spec("scipy.linalg.diagsvd", bind(linalg.diagsvd, M=4, N=2), shapes=[((2,),), ((3, 2),)],
          names=["scipy.linalg.diagsvd"], complex_domains=(complex_anywhere,)),
)
for _name in ("expm", "cosm", "sinm", "tanm", "coshm", "sinhm", "tanhm"):
    add(_spec(f"scipy.linalg.{_name}", getattr(linalg, _name), (small,), [((3, 3),), ((2, 2, 2),)],
              [f"scipy.linalg.{_name}"], complex_domains=(lambda r, s: small(r, s) * (1 + 1j),)))
for _assume in (None, "sym", "pos", "diagonal", "upper triangular", "lower triangular"):
    for _lower in (False, True):
        add(_spec(f"scipy.linalg.solve(assume_a={_assume},lower={_lower})",
                  bind(linalg.solve, assume_a=_assume, lower=_lower),
                  (well_conditioned, anywhere), _SOLVE_SHAPES, ["scipy.linalg.solve"]))
add(
    _spec("scipy.linalg.cholesky-number", linalg.cholesky, (positive,), [((),), ((1,),)],
          ["scipy.linalg.cholesky"]),
    _spec("scipy.linalg.cho_factor-number", lambda a: linalg.cho_factor(a)[0], (positive,),
          [((),)], ["scipy.linalg.cho_factor"]),
    _spec("scipy.linalg.solve-number", linalg.solve, (away_from_zero, anywhere),
          [((), ()), ((), (3,)), ((), (2, 3)), ((1, 1), (3,))], ["scipy.linalg.solve"]),
    _spec("scipy.linalg.solve_continuous_lyapunov-number", linalg.solve_continuous_lyapunov,
          (positive, anywhere), [((), ()), ((1, 1), ())],
          ["scipy.linalg.solve_continuous_lyapunov"]),
    _spec("scipy.linalg.expm-number", linalg.expm, (anywhere,), [((),), ((1,),)],
          ["scipy.linalg.expm"], complex_domains=(complex_anywhere,),
          float32=False),  # scipy answers a number's exponential in double precision
)
add(_spec("scipy.linalg.solve(transposed)", bind(linalg.solve, transposed=True),
          (well_conditioned, anywhere), _SOLVE_SHAPES, ["scipy.linalg.solve"]))


def covered_names():
    """Every namespace name some spec exercises."""
    return {name for spec in SPECS for name in spec.names}


def all_cases():
    """``(case id, spec, shapes, complex?)`` for the whole table."""
    return [(case_id, spec, shapes, complex_) for spec in SPECS
            for case_id, shapes, complex_ in spec.cases()]
