"""Matrix functions and the Sylvester equation, with derivatives.

``solve_sylvester(a, b, q)`` solves A X + X B = Q; differentiating that equation gives every
rule: each derivative is one more Sylvester solve. ``sqrtm`` is its special case X X = A, so
dX solves X dX + dX X = dA.

The other matrix functions (``expm``, ``logm``, ``cosm``, ``signm``, ``A ** p`` ...) share
one rule: for f analytic, f([[A, E], [0, A]]) = [[f(A), L], [0, f(A)]] where L is the
derivative of f at A along E (Higham, Functions of Matrices, 3.2); the cotangent is that
derivative at A's transpose along the output's cotangent. Both are f itself, so higher
derivatives follow.
"""

import numpy
import scipy.linalg

import mlkit.numpy as mnp
from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval, is_box
from mlkit.numpy.rules.base import is_complex
from mlkit.numpy.rules.linalg import transposed
from mlkit.numpy.wrap import composite, holds_complex, wrap

__all__ = ["coshm", "cosm", "expm", "fractional_matrix_power", "logm", "signm", "sinhm", "sinm",
           "solve_sylvester", "sqrtm", "tanhm", "tanm"]


def _real_for(x, a):
    """``x`` without its imaginary part when ``a`` is real (the cotangent of a real input)."""
    return mnp.real(x) if is_complex(x) and not is_complex(a) else x


# --- Sylvester equation ---------------------------------------------------------------------
solve_sylvester = wrap(scipy.linalg.solve_sylvester, "solve_sylvester")


def _q_bar(a, b, g):
    return solve_sylvester(transposed(a), transposed(b), g)


defvjp(solve_sylvester,
       lambda ans, a, b, q: lambda g: -mnp.matmul(_q_bar(a, b, g), transposed(ans)),
       lambda ans, a, b, q: lambda g: -mnp.matmul(transposed(ans), _q_bar(a, b, g)),
       lambda ans, a, b, q: lambda g: _q_bar(a, b, g))
defjvp(solve_sylvester,
       lambda t, ans, a, b, q: solve_sylvester(a, b, -mnp.matmul(t, ans)),
       lambda t, ans, a, b, q: solve_sylvester(a, b, -mnp.matmul(ans, t)))
def_linear(solve_sylvester, argnums=(2,))


# --- square root ----------------------------------------------------------------------------
def _sqrtm(A, *args, **kwargs):
    return scipy.linalg.sqrtm(A, *args, **kwargs)


_sqrtm_of_matrix = wrap(_sqrtm, "sqrtm")
defvjp(_sqrtm_of_matrix, lambda ans, A, *args, **kwargs: lambda g: _real_for(
    solve_sylvester(transposed(ans), transposed(ans), g), A))
defjvp(_sqrtm_of_matrix, lambda t, ans, A, *args, **kwargs: solve_sylvester(ans, ans, t))


def _one_number(A):
    """True for a traced 0-d or one-element 1-D ``A``, which scipy takes as a 1x1 matrix."""
    return is_box(A) and numpy.ndim(getval(A)) < 2 and numpy.size(getval(A)) == 1


def sqrtm(A, *args, **kwargs):
    """The principal square root of a square matrix (or a stack of them)."""
    if _one_number(A):
        raise ValueError("sqrtm: scipy 1.17 answers exp(a), not the square root, for a 0-d or "
                         "one-element 1-D a; pass a 1x1 matrix (a.reshape(1, 1)) instead")
    return _holding_complex(_sqrtm_of_matrix(A, *args, **kwargs))


def _holding_complex(out):
    """``out``, whose dtype scipy chose from the values (complex for a real matrix with a
    negative eigenvalue): a guard under mlkit.jit."""
    holds_complex(out)
    return out


# --- analytic matrix functions by the block-triangular identity -----------------------------
def _frechet(fun, a, e, *args, **kwargs):
    """The derivative of ``fun`` at matrix ``a`` along ``e``, from one evaluation of size 2n
    (``args`` are fun's further, non-differentiated arguments)."""
    n = a.shape[-1]
    zeros = mnp.zeros_like(a)
    big = mnp.concatenate([mnp.concatenate([a, e], axis=-1),
                           mnp.concatenate([zeros, a], axis=-1)], axis=-2)
    return fun(big, *args, **kwargs)[..., :n, n:]


def _matrix_function(raw, name):
    """A primitive of scipy's matrix function ``raw`` with its rules."""
    def call(A, *args, **kwargs):
        return raw(A, *args, **kwargs)

    fun = wrap(call, name)
    defvjp(fun, lambda ans, A, *args, **kwargs: lambda g: _real_for(
        _frechet(fun, transposed(A), g, *args, **kwargs), A))
    defjvp(fun, lambda dA, ans, A, *args, **kwargs: _frechet(fun, A, dA, *args, **kwargs))
    return fun


_expm_of_matrix = _matrix_function(scipy.linalg.expm, "expm")


def expm(A):
    """The matrix exponential; a 0-d or one-element 1-D ``A`` is a 1x1 matrix whose result is
    in double precision, as scipy's."""
    if _one_number(A):
        A = mnp.reshape(A, (1, 1))
        return _expm_of_matrix(mnp.astype(A, numpy.result_type(getval(A), numpy.float64)))
    return _expm_of_matrix(A)


_logm_of_matrix = _matrix_function(scipy.linalg.logm, "logm")


def logm(A, *args, **kwargs):
    """The principal logarithm of a square matrix (or a stack of them)."""
    return _holding_complex(_logm_of_matrix(A, *args, **kwargs))


cosm = _matrix_function(scipy.linalg.cosm, "cosm")
sinm = _matrix_function(scipy.linalg.sinm, "sinm")
tanm = _matrix_function(scipy.linalg.tanm, "tanm")
coshm = _matrix_function(scipy.linalg.coshm, "coshm")
sinhm = _matrix_function(scipy.linalg.sinhm, "sinhm")
tanhm = _matrix_function(scipy.linalg.tanhm, "tanhm")
signm = _matrix_function(scipy.linalg.signm, "signm")
_power_of_matrix = _matrix_function(scipy.linalg.fractional_matrix_power,
                                    "fractional_matrix_power")


def fractional_matrix_power(A, t):
    """``A ** t`` for a real power ``t`` (not differentiated), the principal branch."""
    return _holding_complex(_power_of_matrix(A, t))


sqrtm = composite(sqrtm)
expm = composite(expm)
logm = composite(logm)
fractional_matrix_power = composite(fractional_matrix_power)
