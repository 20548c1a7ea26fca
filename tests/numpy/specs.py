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
add(
    _spec("average-weights", lambda x, w: np.average(x, axis=1, weights=w),
          (anywhere, positive), [((2, 3), (3,))], ["np.average"]),
    _spec("average-weights-all", lambda x, w: np.average(x, weights=w), (anywhere, positive),
          [((2, 3), (2, 3))], ["np.average"]),
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
}
for _subscripts, _shapes in _EINSUM.items():
    add(_spec(f"einsum[{_subscripts}]", lambda *ops, _s=_subscripts: np.einsum(_s, *ops),
              (anywhere,) * len(_shapes), [tuple(_shapes)], ["np.einsum"],
              complex_domains=(complex_anywhere,) * len(_shapes)))


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
_LOGSUMEXP = [{}, {"axis": 0}, {"axis": -1, "keepdims": True}, {"axis": (0, 1)}]
for _kwargs in _LOGSUMEXP:
    add(_spec(f"special.logsumexp({_label(_kwargs)})",
              lambda x, _kw=_kwargs: special.logsumexp(x, **_kw), (anywhere,),
              [((2, 3),)] + ([((3,),), ((),)] if not _kwargs else []),
              ["special.logsumexp"], order=3))
add(
    _spec("special.logsumexp(b)", lambda x, b: special.logsumexp(x, axis=1, b=b),
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
        ab[upper] += 4.0
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
for _l, _u in ((1, 1), (2, 0), (0, 1)):
    add(_spec(f"scipy.linalg.solve_banded(({_l},{_u}))",
              lambda ab, b, _lu=(_l, _u): linalg.solve_banded(_lu, ab, b),
              (_banded(_u), anywhere), [((_l + _u + 1, 4), (4,)), ((_l + _u + 1, 4), (4, 2))],
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
    _spec("scipy.linalg.inv", linalg.inv, (well_conditioned,), [((3, 3),)], ["scipy.linalg.inv"],
          complex_domains=(complex_well_conditioned,)),
    _spec("scipy.linalg.inv(pos)", bind(linalg.inv, assume_a="pos"), (symmetric_positive,),
          [((3, 3),)], ["scipy.linalg.inv"]),
    _spec("scipy.linalg.det", linalg.det, (well_conditioned,), [((3, 3),), ((2, 3, 3),)],
          ["scipy.linalg.det"],
          float32=False),  # scipy's det answers in float64
    _spec("scipy.linalg.pinv", linalg.pinv, shapes=[((3, 2),), ((2, 3),)],
          names=["scipy.linalg.pinv"]),
    _spec("scipy.linalg.norm", linalg.norm, (away_from_zero,), [((3,),), ((2, 3),)],
          ["scipy.linalg.norm"]),
    _spec("scipy.linalg.norm(nuc)", bind(linalg.norm, ord="nuc"), shapes=[((3, 2),)],
          names=["scipy.linalg.norm"]),
    _spec("scipy.linalg.svdvals", linalg.svdvals, shapes=[((3, 2),)],
          names=["scipy.linalg.svdvals"]),
    _spec("scipy.linalg.eigh", lambda a: linalg.eigh(a)[1] ** 2 + linalg.eigh(a)[0],
          (symmetric_positive,), [((3, 3),)], ["scipy.linalg.eigh"]),
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
    _spec("scipy.linalg.qr(r)", lambda a: linalg.qr(a, mode="r")[0], shapes=[((3, 3),)],
          names=["scipy.linalg.qr"]),
    _spec("scipy.linalg.toeplitz", linalg.toeplitz, (anywhere, anywhere),
          [((3,), (4,)), ((1,), (2,))], ["scipy.linalg.toeplitz"],
          complex_domains=_COMPLEX2),
    _spec("scipy.linalg.toeplitz(c)", linalg.toeplitz, shapes=[((3,),)],
          names=["scipy.linalg.toeplitz"], complex_domains=(complex_anywhere,)),
    _spec("scipy.linalg.hankel", linalg.hankel, (anywhere, anywhere), [((3,), (4,))],
          ["scipy.linalg.hankel"]),
    _spec("scipy.linalg.hankel(c)", linalg.hankel, shapes=[((3,),)],
          names=["scipy.linalg.hankel"]),
    _spec("scipy.linalg.circulant", linalg.circulant, shapes=[((3,),), ((1,),)],
          names=["scipy.linalg.circulant"], complex_domains=(complex_anywhere,)),
    _spec("scipy.linalg.block_diag", linalg.block_diag, (anywhere, anywhere, anywhere),
          [((), (2,), (2, 1))], ["scipy.linalg.block_diag"]),
    _spec("scipy.linalg.diagsvd", bind(linalg.diagsvd, M=4, N=2), shapes=[((2,),)],
          names=["scipy.linalg.diagsvd"]),
)
for _name in ("expm", "cosm", "sinm", "tanm", "coshm", "sinhm", "tanhm"):
    add(_spec(f"scipy.linalg.{_name}", getattr(linalg, _name), (small,), [((3, 3),), ((2, 2, 2),)],
              [f"scipy.linalg.{_name}"], complex_domains=(lambda r, s: small(r, s) * (1 + 1j),)))
for _assume in (None, "sym", "pos", "diagonal", "upper triangular", "lower triangular"):
    for _lower in (False, True):
        add(_spec(f"scipy.linalg.solve(assume_a={_assume},lower={_lower})",
                  bind(linalg.solve, assume_a=_assume, lower=_lower),
                  (well_conditioned, anywhere), _SOLVE_SHAPES, ["scipy.linalg.solve"]))
add(_spec("scipy.linalg.solve(transposed)", bind(linalg.solve, transposed=True),
          (well_conditioned, anywhere), _SOLVE_SHAPES, ["scipy.linalg.solve"]))


def covered_names():
    """Every namespace name some spec exercises."""
    return {name for spec in SPECS for name in spec.names}


def all_cases():
    """``(case id, spec, shapes, complex?)`` for the whole table."""
    return [(case_id, spec, shapes, complex_) for spec in SPECS
            for case_id, shapes, complex_ in spec.cases()]
