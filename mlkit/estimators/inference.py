"""Standard errors of a fitted linear model from the engine's exact Hessian, and their table.

The Hessian is ``mlkit.hessian`` of the training objective at the optimum, not an
approximation kept by the solver, so the errors are those of the penalized likelihood.
"""

from __future__ import annotations

import math

import numpy

import mlkit

__all__ = ["coefficient_table", "standard_errors"]


def standard_errors(objective, coef, scale):
    """Square roots of the diagonal of the inverse Hessian of ``scale * objective`` at
    ``coef``, shaped like ``coef`` as a matrix (a column per output)."""
    hessian = numpy.asarray(mlkit.hessian(objective)(coef)) * scale
    size = coef.size
    covariance = numpy.linalg.pinv(hessian.reshape(size, size), hermitian=True)
    errors = numpy.sqrt(numpy.clip(numpy.diag(covariance), 0.0, None)).reshape(coef.shape)
    return errors if errors.ndim == 2 else errors[:, None]


def coefficient_table(coef, errors, names, classes):
    """A DataFrame of coefficients, standard errors, z-scores and two-sided p-values.

    ``coef`` and ``errors`` have a row per output and a column per name; rows are indexed by
    feature, or by (class, feature) when there is more than one output.
    """
    import pandas

    z = coef / numpy.where(errors > 0, errors, numpy.nan)
    p = numpy.array([math.erfc(abs(v) / math.sqrt(2.0)) for v in z.ravel()])
    if len(coef) == 1:
        index = pandas.Index(names, name="feature")
    else:
        index = pandas.MultiIndex.from_product([classes.tolist(), names],
                                               names=["class", "feature"])
    return pandas.DataFrame({"coef": coef.ravel(), "std_err": errors.ravel(),
                             "z": z.ravel(), "p_value": p.reshape(z.shape).ravel()},
                            index=index)
