"""numpy with derivatives: ``import mlkit.numpy as np`` and write ordinary numpy code.

Every name here is either differentiable (a primitive with VJP and JVP rules, or a composite of
primitives) or declared non-differentiable (its result is a constant); ``coverage()`` lists
which is which. Each family module lists its public names in its own ``__all__``; this file
gathers them, and ``__all__`` below is their union.
"""

from mlkit.numpy import dtypes as _dtypes
from mlkit.numpy import fft, linalg, random
from mlkit.numpy import utilities as _utilities
from mlkit.numpy.box import ArrayBox, IndexableArrayBox
from mlkit.numpy.coverage import coverage
from mlkit.numpy.dtypes import *
from mlkit.numpy.rules import aliases as _aliases
from mlkit.numpy.rules import arrangement as _arrangement
from mlkit.numpy.rules import base as _base
from mlkit.numpy.rules import construction as _construction
from mlkit.numpy.rules import conversion as _conversion
from mlkit.numpy.rules import differences as _differences
from mlkit.numpy.rules import editing as _editing
from mlkit.numpy.rules import elementwise as _elementwise
from mlkit.numpy.rules import filled as _filled
from mlkit.numpy.rules import floating as _floating
from mlkit.numpy.rules import functional as _functional
from mlkit.numpy.rules import indexing as _indexing
from mlkit.numpy.rules import inverse_trig as _inverse_trig
from mlkit.numpy.rules import joins as _joins
from mlkit.numpy.rules import moments as _moments
from mlkit.numpy.rules import polar as _polar
from mlkit.numpy.rules import polynomials as _polynomials
from mlkit.numpy.rules import powers as _powers
from mlkit.numpy.rules import products as _products
from mlkit.numpy.rules import reductions as _reductions
from mlkit.numpy.rules import selection as _selection
from mlkit.numpy.rules import sets as _sets
from mlkit.numpy.rules import shape as _shape
from mlkit.numpy.rules import statistics as _statistics
from mlkit.numpy.rules import vector_products as _vector_products
from mlkit.numpy.rules.aliases import *
from mlkit.numpy.rules.arrangement import *
from mlkit.numpy.rules.base import *
from mlkit.numpy.rules.base import conj as conjugate
from mlkit.numpy.rules.construction import *
from mlkit.numpy.rules.conversion import *
from mlkit.numpy.rules.differences import *
from mlkit.numpy.rules.editing import *
from mlkit.numpy.rules.elementwise import *
from mlkit.numpy.rules.elementwise import absolute as abs
from mlkit.numpy.rules.filled import *
from mlkit.numpy.rules.floating import *
from mlkit.numpy.rules.functional import *
from mlkit.numpy.rules.indexing import *
from mlkit.numpy.rules.inverse_trig import *
from mlkit.numpy.rules.joins import *
from mlkit.numpy.rules.moments import *
from mlkit.numpy.rules.polar import *
from mlkit.numpy.rules.polynomials import *
from mlkit.numpy.rules.powers import *
from mlkit.numpy.rules.products import *
from mlkit.numpy.rules.reductions import *
from mlkit.numpy.rules.selection import *
from mlkit.numpy.rules.sets import *
from mlkit.numpy.rules.shape import *
from mlkit.numpy.rules.statistics import *
from mlkit.numpy.rules.ufunc_methods import attach_ufunc_methods as _attach_ufunc_methods
from mlkit.numpy.rules.vector_products import *
from mlkit.numpy.utilities import *

# Every public name, by family (a test checks each is differentiable or declared not).
__all__ = [
    # submodules, the array box, and the coverage report
    "fft", "linalg", "random", "ArrayBox", "IndexableArrayBox", "coverage",
    # numpy's scalar types, dtype helpers and constants
    *_dtypes.__all__,
    # primitives the rules are built on: sum, reshape, broadcasting, real and imaginary parts
    *_base.__all__, "conjugate",
    # array construction, casts, constant arrays and non-differentiable queries
    *_construction.__all__, *_conversion.__all__,
    # filled and spaced arrays, counts and unique values, differentiable in their numbers
    *_filled.__all__,
    # elementwise functions
    *_elementwise.__all__, *_powers.__all__, *_polar.__all__, "abs", *_inverse_trig.__all__,
    *_aliases.__all__,
    # parts of a float's representation
    *_floating.__all__,
    # choosing values by condition
    *_selection.__all__,
    # reductions and scans
    *_reductions.__all__,
    # moments over a selection (where=, NaN-ignoring)
    *_moments.__all__,
    # order statistics and NaN-ignoring reductions
    *_statistics.__all__,
    # differences, integrals and cumulative scans along an axis
    *_differences.__all__,
    # products
    *_products.__all__, *_vector_products.__all__,
    # polynomials and 1-d signals
    *_polynomials.__all__,
    # shapes, joins and axes
    *_shape.__all__,
    # joins written as index expressions
    *_joins.__all__,
    # rearranging elements: splits, tiles, sorts, diagonals
    *_arrangement.__all__,
    # selecting, removing, inserting and repeating elements
    *_editing.__all__,
    # set operations on values
    *_sets.__all__,
    # Python functions applied over an array
    *_functional.__all__,
    # functional indexed updates
    *_indexing.__all__,
    # numpy's functions of settings, types, text, files, dates, indices and bits
    *_utilities.__all__,
]

_attach_ufunc_methods()

# numpy's submodules that have no derivatives of mlkit's own (np.testing, np.polynomial, np.ma,
# ...), loaded when first used, as numpy loads them.
_NUMPY_SUBMODULES = frozenset({"char", "ctypeslib", "emath", "exceptions", "lib", "ma",
                               "polynomial", "rec", "strings", "testing", "typing"})


# HIPS autograd's module paths under mlkit.numpy, which autograd's package imports and programs
# reach as attributes (npa.numpy_boxes.ArrayBox); loaded when first used.
_AUTOGRAD_SUBMODULES = frozenset({"numpy_boxes", "numpy_jvps", "numpy_vjps", "numpy_vspaces",
                                  "numpy_wrapper"})


def __getattr__(name):
    if name in _NUMPY_SUBMODULES:
        import numpy

        return getattr(numpy, name)
    if name in _AUTOGRAD_SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'mlkit.numpy' has no attribute {name!r}")
