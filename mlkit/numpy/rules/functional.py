"""numpy's functions that apply a Python function over an array: apply_along_axis,
apply_over_axes, piecewise, vectorize. The function sees traced slices (or elements), so the
result is differentiable whenever the function is."""

import numpy

from mlkit.autodiff.tracer import any_box, getval
from mlkit.numpy.rules.base import axis_index, broadcast_to, reshape, shape_of
from mlkit.numpy.rules.construction import asarray, astype
from mlkit.numpy.rules.indexing import getitem, index_update
from mlkit.numpy.rules.shape import expand_dims, moveaxis, stack
from mlkit.numpy.wrap import composite

__all__ = ["apply_along_axis", "apply_over_axes", "piecewise", "vectorize"]


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """``func1d`` applied to every 1-d slice of ``arr`` along ``axis``; the dimensions of its
    result take the place of ``axis``."""
    arr = asarray(arr)
    axis = axis_index(axis, len(shape_of(arr)))
    moved = moveaxis(arr, axis, -1)
    rest = tuple(shape_of(moved))[:-1]
    if not rest:
        return asarray(func1d(moved, *args, **kwargs))
    rows = reshape(moved, (-1, shape_of(moved)[-1]))
    results = stack([asarray(func1d(getitem(rows, i), *args, **kwargs))
                     for i in range(shape_of(rows)[0])])
    inner = tuple(shape_of(results))[1:]
    out = reshape(results, rest + inner)
    k = len(inner)
    if k == 0:
        return out
    return moveaxis(out, tuple(range(len(rest), len(rest) + k)), tuple(range(axis, axis + k)))


def apply_over_axes(func, a, axes):
    """``func(a, axis)`` for each axis in turn, keeping the reduced axes (as numpy)."""
    a = asarray(a)
    ndim = len(shape_of(a))
    for axis in numpy.atleast_1d(axes):
        axis = axis_index(axis, ndim)
        result = asarray(func(a, axis))
        if len(shape_of(result)) == ndim - 1:
            result = expand_dims(result, axis)
        elif len(shape_of(result)) != ndim:
            raise ValueError("apply_over_axes: function is not returning an array of the "
                             "correct shape")
        a = result
    return a


def piecewise(x, condlist, funclist, *args, **kw):
    """Elementwise, the function (or constant) of the first condition that holds, evaluated
    only where it holds; 0 where none does (or the extra last function, if given)."""
    x = asarray(x)
    raw = numpy.asarray(getval(x))
    single = numpy.asarray(getval(condlist)) if not isinstance(condlist, list) else None
    if single is not None and single.dtype == bool and single.shape == raw.shape:
        condlist = [single]
    conditions = [numpy.asarray(getval(c), dtype=bool) for c in condlist]
    if len(funclist) == len(conditions) + 1:
        otherwise = numpy.logical_not(numpy.any(conditions, axis=0))
        conditions.append(otherwise)
    elif len(funclist) != len(conditions):
        raise ValueError(f"piecewise: {len(conditions)} conditions need {len(conditions)} or "
                         f"{len(conditions) + 1} functions, got {len(funclist)}")
    if raw.ndim == 0:  # as numpy: a scalar is handled as a 1-element vector
        vector = piecewise(reshape(x, (1,)), [c.reshape(1) for c in conditions], funclist,
                           *args, **kw)
        return reshape(vector, ())
    out = numpy.zeros(raw.shape, raw.dtype)
    for condition, fun in zip(conditions, funclist):
        where = numpy.nonzero(numpy.broadcast_to(condition, raw.shape))
        if not where[0].size:
            continue
        if callable(fun):
            values = fun(getitem(x, where), *args, **kw)
        else:
            values = fun
        values = asarray(values)
        if numpy.result_type(getval(values)) != raw.dtype:
            values = astype(values, raw.dtype)
        out = index_update(out, where, values)
    return out


for _fun in (apply_along_axis, apply_over_axes, piecewise):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy, _fun.__name__))


class vectorize(numpy.vectorize):
    """numpy.vectorize, whose function may also be given traced arrays: it is then called on
    each element in turn (so its branches see one number) and the results are stacked into
    the broadcast shape, differentiable wherever the function is. Untraced calls are numpy's."""

    def __call__(self, *args, **kwargs):
        if not any_box(*args, *kwargs.values()):
            return super().__call__(*args, **kwargs)
        if self.signature is not None:
            raise TypeError("np.vectorize with a signature cannot take traced arrays; apply the "
                            "function to the core slices with np.apply_along_axis or a loop")
        names = [i for i in range(len(args)) if i not in self.excluded]
        names += [k for k in kwargs if k not in self.excluded]
        values = [asarray(args[i] if isinstance(i, int) else kwargs[i]) for i in names]
        shape = numpy.broadcast_shapes(*[shape_of(v) for v in values])
        flat = [reshape(broadcast_to(v, shape), (-1,)) for v in values]
        results = []
        for j in range(int(numpy.prod(shape))):
            call_args, call_kwargs = list(args), dict(kwargs)
            for name, column in zip(names, flat):
                if isinstance(name, int):
                    call_args[name] = getitem(column, j)
                else:
                    call_kwargs[name] = getitem(column, j)
            results.append(self.pyfunc(*call_args, **call_kwargs))
        if not results:  # numpy's rule: the outputs of no call are known from otypes alone
            if not self.otypes:
                raise ValueError("np.vectorize of traced arrays with no elements cannot tell "
                                 "its outputs; give otypes, as numpy asks for size 0 inputs")
            empty = tuple(numpy.zeros(shape, code) for code in self.otypes)
            return empty if len(empty) > 1 else empty[0]
        many = isinstance(results[0], tuple)
        outputs = tuple(reshape(stack([asarray(r[k] if many else r) for r in results]), shape)
                        for k in range(len(results[0]) if many else 1))
        if self.otypes:  # numpy's cast of each output to its type, float32 in: float64 out
            outputs = tuple(out.astype(code) for out, code in zip(outputs, self.otypes))
        return outputs if many else outputs[0]
