"""``r_`` and ``c_``: numpy's joins written as index expressions, with traced pieces.

numpy's own objects decide the result's layout (the directive string, slices as ranges,
``ndmin`` and where 1-d pieces go); they are run once on the raw values, for the dtype, and
once on pieces replaced by the positions of their elements, which says which element of which
piece lands where. The result is then gathered from the pieces with ``getitem``, so its
derivative flows back to every traced piece.
"""

import numpy

from mlkit.autodiff.tracer import Box, getval
from mlkit.numpy.rules.base import reshape
from mlkit.numpy.rules.construction import astype
from mlkit.numpy.rules.indexing import getitem
from mlkit.numpy.rules.shape import concatenate

__all__ = ["r_", "c_"]


class _Joiner:
    """Index with pieces (arrays, scalars, slices and an optional directive string) to join
    them as ``numpy_joiner`` does."""

    def __init__(self, numpy_joiner, name):
        self._numpy = numpy_joiner
        self._name = name

    def __len__(self):
        return 0

    def __getitem__(self, key):
        items = key if isinstance(key, tuple) else (key,)
        if not any(issubclass(type(item), Box) for item in items):
            return self._numpy[key]
        values = self._numpy[tuple(getval(item) for item in items)]
        if isinstance(values, numpy.matrix):
            raise TypeError(f"np.{self._name} with the 'r' or 'c' directive builds a "
                            "numpy.matrix, which cannot carry derivatives; use a plain array "
                            "(drop the directive) and np.atleast_2d where a matrix shape is "
                            "needed")
        pieces, positions, offset = [], [], 1
        for item in items:
            if isinstance(item, str):
                positions.append(item)
                continue
            piece = numpy.r_[item] if isinstance(item, slice) else item
            size = int(numpy.size(getval(piece)))
            positions.append(numpy.arange(offset, offset + size, dtype=numpy.float64)
                             .reshape(numpy.shape(getval(piece))))
            pieces.append(piece)
            offset += size
        where = numpy.asarray(self._numpy[tuple(positions)]).astype(numpy.intp) - 1
        flat = concatenate([reshape(_as_dtype(p, values.dtype), (-1,)) for p in pieces])
        return getitem(flat, where)


def _as_dtype(piece, dtype):
    if issubclass(type(piece), Box):
        return piece if getval(piece).dtype == dtype else astype(piece, dtype)
    return numpy.asarray(piece, dtype=dtype)


r_ = _Joiner(numpy.r_, "r_")
c_ = _Joiner(numpy.c_, "c_")
