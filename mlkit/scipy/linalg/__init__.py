"""``mlkit.scipy.linalg``: scipy.linalg with derivatives where mlkit has them.

Differentiable in both modes, to any order: the solvers ``solve_triangular``, ``solve_banded``,
``solve_sylvester``, ``solve_continuous_lyapunov``, ``solve``, ``cho_solve``, ``lu_solve`` (in
lu and b; ``lu_factor`` itself has no rule yet), the matrix functions ``sqrtm``, ``expm``,
``logm``, ``cosm``, ``sinm``, ``tanm``, ``coshm``, ``sinhm``, ``tanhm``, ``signm``,
``fractional_matrix_power``, the decompositions ``cholesky`` (upper factor by default, as
scipy), ``cho_factor``, ``eigh``, ``eigvalsh``, ``svd``, ``svdvals``, ``qr``, and ``inv``,
``det``, ``pinv``, ``norm``, ``toeplitz``, ``hankel``, ``circulant``, ``block_diag``,
``diagsvd``.

Traced calls take the shapes scipy 1.17 takes and answer in its shapes and dtypes: stacks of
matrices or vectors (leading axes broadcast where scipy batches), numbers as 1x1 matrices
where scipy reads them so (``cholesky``, ``solve``, ``expm`` ...).

Functions of integers or of structure only (``hilbert``, ``bandwidth`` ...) are constants.
Every other name computes scipy's value but has no derivative rule yet: differentiating through
it raises an error naming it (``coverage(mlkit.scipy.linalg)`` lists which is which).
"""

import scipy.linalg
from scipy.linalg import LinAlgError, LinAlgWarning

from mlkit.numpy.wrap import nondifferentiable, wrap
from mlkit.scipy.linalg.adapters import (
    cho_factor,
    cho_solve,
    cholesky,
    det,
    eigh,
    eigvalsh,
    inv,
    lu_solve,
    norm,
    pinv,
    qr,
    solve,
    solve_continuous_lyapunov,
    svd,
    svdvals,
)
from mlkit.scipy.linalg.banded import solve_banded
from mlkit.scipy.linalg.matfuncs import (
    coshm,
    cosm,
    expm,
    fractional_matrix_power,
    logm,
    signm,
    sinhm,
    sinm,
    solve_sylvester,
    sqrtm,
    tanhm,
    tanm,
)
from mlkit.scipy.linalg.special_matrices import block_diag, circulant, diagsvd, hankel, toeplitz
from mlkit.scipy.linalg.triangular import solve_triangular

_CONSTANT = ("bandwidth", "dft", "find_best_blas_type", "get_blas_funcs", "get_lapack_funcs",
             "hadamard", "helmert", "hilbert", "invhilbert", "invpascal", "ishermitian",
             "issymmetric", "pascal")
_WITHOUT_RULES = (
    "cdf2rdf", "cho_solve_banded", "cholesky_banded", "clarkson_woodruff_transform",
    "companion", "convolution_matrix", "cossin", "eig", "eig_banded", "eigh_tridiagonal",
    "eigvals", "eigvals_banded", "eigvalsh_tridiagonal", "expm_cond", "expm_frechet", "fiedler",
    "fiedler_companion", "funm", "hessenberg", "khatri_rao", "ldl", "leslie", "lstsq", "lu",
    "lu_factor", "matmul_toeplitz", "matrix_balance", "null_space", "ordqz", "orth",
    "orthogonal_procrustes", "pinvh", "polar", "qr_delete", "qr_insert", "qr_multiply",
    "qr_update", "qz", "rq", "rsf2csf", "schur", "solve_circulant", "solve_continuous_are",
    "solve_discrete_are", "solve_discrete_lyapunov", "solve_toeplitz", "solveh_banded",
    "subspace_angles")
for _name in _CONSTANT:
    globals()[_name] = nondifferentiable(getattr(scipy.linalg, _name))
for _name in _WITHOUT_RULES:
    globals()[_name] = wrap(getattr(scipy.linalg, _name), _name)
solve_lyapunov = solve_continuous_lyapunov

__all__ = ["LinAlgError", "LinAlgWarning", "block_diag", "cho_factor", "cho_solve", "cholesky",
           "circulant", "coshm", "cosm", "det", "diagsvd", "eigh", "eigvalsh", "expm",
           "fractional_matrix_power", "hankel", "inv", "logm", "lu_solve", "norm", "pinv", "qr",
           "signm", "sinhm", "sinm", "solve", "solve_banded", "solve_continuous_lyapunov",
           "solve_lyapunov", "solve_sylvester", "solve_triangular", "sqrtm", "svd", "svdvals",
           "tanhm", "tanm", "toeplitz"]
__all__ += list(_CONSTANT) + list(_WITHOUT_RULES)
