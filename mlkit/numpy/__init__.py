"""numpy with derivatives: ``import mlkit.numpy as np`` and write ordinary numpy code.

Every name here is either differentiable (a primitive with VJP and JVP rules, or a composite of
primitives) or declared non-differentiable (its result is a constant); ``coverage()`` lists
which is which.
"""

from numpy import (e, euler_gamma, inf, nan, newaxis, pi, ndarray, dtype, float16, float32,
                   float64, complex64, complex128, int8, int16, int32, int64, uint8, bool_,
                   integer, floating, complexfloating, finfo, iinfo)

from mlkit.numpy.rules.base import sum, reshape, broadcast_to, real, imag, conj
from mlkit.numpy.rules.elementwise import (
    negative, positive, exp, exp2, expm1, log, log2, log10, log1p, sqrt, cbrt, square,
    reciprocal, sin, cos, tan, arcsin, arccos, arctan, sinh, cosh, tanh, arcsinh, arccosh,
    arctanh, sinc, deg2rad, rad2deg, radians, degrees, absolute, fabs, angle, sign, floor, ceil,
    trunc, rint, fix, round, add, subtract, multiply, divide, true_divide, power, float_power,
    maximum, minimum, fmax, fmin, logaddexp, logaddexp2, hypot, arctan2, mod, remainder, fmod,
    copysign, where, clip, isfinite, isnan, isinf, greater, greater_equal, less, less_equal,
    equal, not_equal, logical_and, logical_or, logical_not, logical_xor, signbit)
from mlkit.numpy.rules.reductions import (mean, prod, max, min, amax, amin, var, std, cumsum,
                                          cumprod, nansum, nanmean, average, flip)
from mlkit.numpy.rules.shape import (transpose, swapaxes, moveaxis, expand_dims, squeeze, ravel,
                                     concatenate, stack, hstack, vstack, atleast_1d, atleast_2d)
from mlkit.numpy.rules.indexing import index_update, index_add
from mlkit.numpy.rules.products import matmul, dot, tensordot, einsum, inner, outer, vdot
from mlkit.numpy.rules.construction import (
    array, asarray, astype, copy, zeros, ones, empty, full, zeros_like, ones_like, empty_like,
    full_like, eye, identity, arange, linspace, logspace, geomspace, meshgrid, indices, tri,
    shape, ndim, size, result_type, iscomplexobj, isrealobj, iscomplex, isreal, isscalar, argmax,
    argmin, argsort, argpartition, argwhere, nonzero, flatnonzero, searchsorted, unique,
    count_nonzero, allclose, isclose, array_equal, any, all, floor_divide, bincount, digitize,
    histogram)
from mlkit.numpy.rules.arrangement import (
    split, array_split, hsplit, vsplit, dsplit, tile, repeat, roll, pad, take, take_along_axis,
    sort, partition, diag, diagflat, diagonal, tril, triu, trace, kron, fliplr, flipud, rot90)
from mlkit.numpy.box import ArrayBox
from mlkit.numpy import random
from mlkit.numpy import fft
from mlkit.numpy import linalg
from mlkit.numpy.coverage import coverage

abs = absolute
conjugate = conj

__all__ = [name for name in dir() if not name.startswith("_") and name not in ("rules", "box",
           "wrap", "vspaces")]
