"""The Jacobian, one backward pass per output element, and the Hessian as its square.

Container inputs and outputs are flattened into one matrix and then cut back into blocks
d out_leaf / d in_leaf, shaped like the output with the input's structure inside each leaf.
"""

import functools

import numpy

import mlkit.numpy as mnp
from mlkit.autodiff.entry import unary_of
from mlkit.autodiff.tracer import getval
from mlkit.autodiff.vspace import vspace
from mlkit.operators.argnum import traced
from mlkit.tree import tree_flatten, tree_leaves, tree_unflatten

__all__ = ["hessian", "jacobian"]


def _flat(value):
    """The array leaves of ``value`` as the engine's vector spaces see them (through boxes),
    their shapes, and the structure to rebuild it."""
    leaves, structure = tree_flatten(value, exact=True, look_through=getval)
    return leaves, [vspace(leaf).shape for leaf in leaves], structure


def jacobian(fun, argnum=0):
    """The Jacobian: for array input and output, an array of shape out.shape + in.shape.

    With container inputs or outputs (tuples, lists, dicts, or a tuple ``argnum``) the result
    is shaped like the output, each leaf holding a structure shaped like the input whose
    leaves are the blocks d out_leaf / d in_leaf of shape out_leaf.shape + in_leaf.shape.
    """

    @functools.wraps(fun)
    def jacfun(*args, **kwargs):
        vjp, ans = traced(fun, argnum, args, kwargs)
        _, in_shapes, in_structure = _flat(unary_of(fun, argnum, args, kwargs)[1])
        _, out_shapes, out_structure = _flat(ans)
        rows = [mnp.concatenate([mnp.reshape(leaf, (-1,)) for leaf in
                                 tree_leaves(vjp(e), exact=True, look_through=getval)])
                for e in vspace(ans).standard_basis()]
        matrix = mnp.stack(rows)
        if len(in_shapes) == 1 and len(out_shapes) == 1:
            return mnp.reshape(matrix, tuple(out_shapes[0]) + tuple(in_shapes[0]))
        return _blocks(matrix, in_structure, out_structure, in_shapes, out_shapes)

    return jacfun


def _blocks(matrix, in_structure, out_structure, in_shapes, out_shapes):
    in_sizes = [int(numpy.prod(s)) for s in in_shapes]
    in_starts = numpy.concatenate([[0], numpy.cumsum(in_sizes)]).astype(int)
    out_blocks, row = [], 0
    for out_shape in out_shapes:
        size = int(numpy.prod(out_shape))
        blocks = [mnp.reshape(matrix[row:row + size, start:start + n],
                              tuple(out_shape) + tuple(in_shape))
                  for start, n, in_shape in zip(in_starts, in_sizes, in_shapes)]
        out_blocks.append(tree_unflatten(in_structure, blocks))
        row += size
    return tree_unflatten(out_structure, out_blocks)


def hessian(fun, argnum=0):
    """The Hessian of a scalar function: the Jacobian of its gradient."""
    return jacobian(jacobian(fun, argnum), argnum)
