"""The Jacobian, one backward pass per output element, and the Hessian as its square.

Container inputs and outputs are flattened into one matrix and then cut back into blocks
d out_leaf / d in_leaf, shaped like the output with the input's structure inside each leaf.
"""

import functools

import numpy

import mlkit.numpy as mnp
from mlkit.autodiff.containers import ContainerVSpace
from mlkit.autodiff.vspace import vspace
from mlkit.operators.argnum import traced, unary_of

__all__ = ["hessian", "jacobian"]


def _leaves(value, space):
    """The array leaves of ``value`` (raw or traced) in the order of ``space``."""
    if not isinstance(space, ContainerVSpace):
        return [value]
    out = []
    for key, sub in zip(space.keys, space.spaces):
        out.extend(_leaves(value[key], sub))
    return out


def _shapes(space):
    if not isinstance(space, ContainerVSpace):
        return [space.shape]
    return [s for sub in space.spaces for s in _shapes(sub)]


def _rebuild(space, leaves):
    """A value shaped like ``space`` from an iterator of leaves."""
    if not isinstance(space, ContainerVSpace):
        return next(leaves)
    return space.build([_rebuild(sub, leaves) for sub in space.spaces])


def jacobian(fun, argnum=0):
    """The Jacobian: for array input and output, an array of shape out.shape + in.shape.

    With container inputs or outputs (tuples, lists, dicts, or a tuple ``argnum``) the result
    is shaped like the output, each leaf holding a structure shaped like the input whose
    leaves are the blocks d out_leaf / d in_leaf of shape out_leaf.shape + in_leaf.shape.
    """

    @functools.wraps(fun)
    def jacfun(*args, **kwargs):
        vjp, ans = traced(fun, argnum, args, kwargs)
        in_space, out_space = vspace(unary_of(fun, argnum, args, kwargs)[1]), vspace(ans)
        rows = [mnp.concatenate([mnp.reshape(leaf, (-1,)) for leaf in _leaves(vjp(e), in_space)])
                for e in out_space.standard_basis()]
        matrix = mnp.stack(rows)
        in_shapes, out_shapes = _shapes(in_space), _shapes(out_space)
        if len(in_shapes) == 1 and len(out_shapes) == 1:
            return mnp.reshape(matrix, tuple(out_shapes[0]) + tuple(in_shapes[0]))
        return _blocks(matrix, in_space, out_space, in_shapes, out_shapes)

    return jacfun


def _blocks(matrix, in_space, out_space, in_shapes, out_shapes):
    in_sizes = [int(numpy.prod(s)) for s in in_shapes]
    in_starts = numpy.concatenate([[0], numpy.cumsum(in_sizes)]).astype(int)
    out_blocks, row = [], 0
    for out_shape in out_shapes:
        size = int(numpy.prod(out_shape))
        blocks = [mnp.reshape(matrix[row:row + size, start:start + n],
                              tuple(out_shape) + tuple(in_shape))
                  for start, n, in_shape in zip(in_starts, in_sizes, in_shapes)]
        out_blocks.append(_rebuild(in_space, iter(blocks)))
        row += size
    return _rebuild(out_space, iter(out_blocks))


def hessian(fun, argnum=0):
    """The Hessian of a scalar function: the Jacobian of its gradient."""
    return jacobian(jacobian(fun, argnum), argnum)
