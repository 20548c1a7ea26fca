"""Shape and arrangement: transposes, axis moves, joins and splits of traced arrays.

Functions that take a list of arrays (``concatenate``, ``stack``) pass the arrays as separate
arguments to their primitive, so that each one is traced and gets its own cotangent.
"""

import numpy

from mlkit.autodiff.forward import def_linear
from mlkit.autodiff.reverse import defvjp, defvjp_argnum
from mlkit.numpy.rules.base import axis_index, def_linear_jointly, reshape, shape_of, unbroadcast
from mlkit.numpy.rules.indexing import getitem
from mlkit.numpy.wrap import composite, dispatch_from, wrap

__all__ = ["transpose", "swapaxes", "moveaxis", "expand_dims", "squeeze", "ravel",
           "concatenate", "stack", "hstack", "vstack", "atleast_1d", "atleast_2d",
           "atleast_3d", "column_stack", "row_stack", "dstack", "append", "unstack", "concat",
           "permute_dims", "matrix_transpose", "rollaxis"]

transpose = wrap(numpy.transpose, "transpose")
swapaxes = wrap(numpy.swapaxes, "swapaxes")
moveaxis = wrap(numpy.moveaxis, "moveaxis")
expand_dims = wrap(numpy.expand_dims, "expand_dims")
squeeze = wrap(numpy.squeeze, "squeeze")


def _transpose_vjp(ans, x, axes=None):
    inverse = None if axes is None else tuple(numpy.argsort(axes))
    return lambda g: transpose(g, inverse)


def _back_to_shape(ans, x, *args, **kwargs):
    x_shape = shape_of(x)
    return lambda g: reshape(g, x_shape)


defvjp(transpose, _transpose_vjp)
defvjp(swapaxes, lambda ans, x, axis1, axis2: lambda g: swapaxes(g, axis1, axis2))
defvjp(moveaxis, lambda ans, x, source, destination: lambda g: moveaxis(g, destination, source))
defvjp(expand_dims, _back_to_shape)
defvjp(squeeze, _back_to_shape)
for _fun in (transpose, swapaxes, moveaxis, expand_dims, squeeze):
    def_linear(_fun, argnums=(0,))


def ravel(a, order="C"):
    return reshape(a, (-1,), order=order)


def _concatenate(axis, *arrays, ends):
    """numpy.concatenate; ``ends`` (see _ends) is for the VJP makers."""
    return numpy.concatenate(arrays, axis=axis)


concatenate_arrays = wrap(_concatenate, "concatenate_arrays")


def _ends(axis, arrays):
    """Where each array ends along ``axis`` (of the flattened arrays for None), found once
    per call so that each argument's VJP maker needs only its own two numbers."""
    shapes = [shape_of(a) for a in arrays]  # pieces may be lists (of traced values too)
    sizes = [int(numpy.prod(shape)) if axis is None
             else shape[axis] if -len(shape) <= axis < len(shape) else 0  # numpy will refuse
             for shape in shapes]
    return tuple(numpy.cumsum(sizes, dtype=int).tolist())


def _concatenate_vjp(argnum, ans, args, kwargs):
    axis, ends = args[0], kwargs["ends"]
    start, stop = (ends[argnum - 2] if argnum > 1 else 0), ends[argnum - 1]
    target_shape = shape_of(args[argnum])

    def vjp(g):
        if axis is None:
            return unbroadcast(reshape(getitem(g, slice(start, stop)), target_shape),
                               args[argnum])
        index = [slice(None)] * len(shape_of(g))
        index[axis] = slice(start, stop)
        return unbroadcast(getitem(g, tuple(index)), args[argnum])  # real for a real array

    return vjp


defvjp_argnum(concatenate_arrays, _concatenate_vjp)
def_linear_jointly(concatenate_arrays, first=1)


def concatenate(arrays, axis=0):
    """numpy.concatenate, differentiable in every array of the sequence."""
    return concatenate_arrays(axis, *arrays, ends=_ends(axis, arrays))


def stack(arrays, axis=0):
    arrays = list(arrays)
    if not arrays:
        raise ValueError("need at least one array to stack")
    axis = axis_index(axis, len(shape_of(arrays[0])) + 1)
    return concatenate([expand_dims(a, axis) for a in arrays], axis=axis)


def _one_or_all(fun, arrays):
    """numpy's atleast_*d convention: one array in, one out; several in, a tuple out."""
    results = tuple(fun(a) for a in arrays)
    return results[0] if len(results) == 1 else results


def _at_least_1d(x):
    return reshape(x, (1,)) if len(shape_of(x)) == 0 else x


def _at_least_2d(x):
    shape = tuple(shape_of(x))
    if len(shape) >= 2:
        return x
    return reshape(x, (1,) + shape if shape else (1, 1))


def _at_least_3d(x):
    """A scalar becomes (1, 1, 1), a vector (1, n, 1), a matrix (m, n, 1), as in numpy."""
    shape = tuple(shape_of(x))
    if len(shape) >= 3:
        return x
    return reshape(x, {0: (1, 1, 1), 1: (1,) + shape + (1,), 2: shape + (1,)}[len(shape)])


def atleast_1d(*arrays):
    return _one_or_all(_at_least_1d, arrays)


def atleast_2d(*arrays):
    return _one_or_all(_at_least_2d, arrays)


def atleast_3d(*arrays):
    return _one_or_all(_at_least_3d, arrays)


def hstack(tup):
    arrays = [atleast_1d(a) for a in tup]
    return concatenate(arrays, axis=0 if len(shape_of(arrays[0])) == 1 else 1)


def vstack(tup):
    return concatenate([atleast_2d(a) for a in tup], axis=0)


def dstack(tup):
    return concatenate([atleast_3d(a) for a in tup], axis=2)


def column_stack(tup):
    """Vectors become the columns of a matrix; arrays of two or more axes join along axis 1."""
    columns = [atleast_1d(a) for a in tup]
    columns = [reshape(a, (-1, 1)) if len(shape_of(a)) < 2 else a for a in columns]
    return concatenate(columns, axis=1)


def append(arr, values, axis=None):
    """``values`` after ``arr``: both flattened when axis is None, else joined along ``axis``."""
    if axis is None:
        return concatenate([ravel(arr), ravel(values)])
    return concatenate([arr, values], axis=axis)


def unstack(x, axis=0):
    """The slices of ``x`` along ``axis``, as a tuple (the inverse of ``stack``)."""
    axis = axis_index(axis, len(shape_of(x)))
    return tuple(getitem(x, (slice(None),) * axis + (i,)) for i in range(shape_of(x)[axis]))


def matrix_transpose(x):
    if len(shape_of(x)) < 2:
        raise ValueError("matrix_transpose needs an array of at least two axes, got shape "
                         f"{tuple(shape_of(x))}")
    return swapaxes(x, -1, -2)


def rollaxis(a, axis, start=0):
    """numpy.rollaxis: move ``axis`` to sit before position ``start`` (prefer ``moveaxis``)."""
    ndim = len(shape_of(a))
    axis = axis_index(axis, ndim)
    start = start + ndim if start < 0 else start
    if not 0 <= start <= ndim:
        raise ValueError(f"rollaxis: start={start} is out of range for an array of {ndim} axes")
    destination = start - 1 if axis < start else start
    return moveaxis(a, axis, destination)


row_stack = vstack
dispatch_from(vstack, getattr(numpy, "row_stack", None))
concat = concatenate
permute_dims = transpose


for _name in ("ravel", "atleast_1d", "atleast_2d", "atleast_3d", "append", "unstack",
              "matrix_transpose", "rollaxis"):
    globals()[_name] = composite(globals()[_name], getattr(numpy, _name))
# Each takes a sequence of separate arrays (of different shapes, possibly): not one array.
for _name in ("concatenate", "stack", "hstack", "vstack", "dstack", "column_stack"):
    composite(globals()[_name], getattr(numpy, _name), pack_sequences=False)
