"""The Jacobian, one backward pass per output element, and the Hessian as its square.

Container inputs and outputs are flattened into one matrix and then cut back into blocks
d out_leaf / d in_leaf, shaped like the output with the input's structure inside each leaf.
"""

import functools

import numpy

import mlkit.numpy as mnp
from mlkit.autodiff.entry import derivative_of, unary_of
from mlkit.autodiff.tracer import getval, rawval
from mlkit.autodiff.vspace import vspace
from mlkit.operators.argnum import traced
from mlkit.operators.complex_outputs import complex_derivative
from mlkit.tree import tree_flatten, tree_leaves, tree_unflatten

__all__ = ["hessian", "jacobian"]


def _spaces(value):
    """The vector spaces of ``value``'s array leaves and the structure to rebuild it. Through
    every box, a recording trace's too: under jit a returned tuple is one recorded value, and
    only its leaves' shapes are wanted here."""
    leaves, structure = tree_flatten(value, exact=True, look_through=rawval)
    return [vspace(leaf) for leaf in leaves], structure


def jacobian(fun, argnum=0):
    """The Jacobian: for array input and output, an array of shape out.shape + in.shape.

    A complex output has a complex Jacobian: exact for a real input, and for a complex input
    where ``fun`` is holomorphic (d out / d z); a function that is not holomorphic in a
    complex input has none, and raises ValueError.

    With container inputs or outputs (tuples, lists, dicts, or a tuple ``argnum``) the result
    is shaped like the output, each leaf holding a structure shaped like the input whose
    leaves are the blocks d out_leaf / d in_leaf of shape out_leaf.shape + in_leaf.shape.
    """

    @derivative_of(fun, "jacobian", argnum)
    def jacfun(*args, **kwargs):
        vjp, ans = traced(fun, argnum, args, kwargs)
        in_spaces, in_structure = _spaces(unary_of(fun, argnum, args, kwargs)[1])
        out_spaces, out_structure = _spaces(ans)
        space = vspace(ans)
        derivative = (functools.partial(complex_derivative, vjp, fun=fun, operator="jacobian")
                      if space.iscomplex else vjp)
        basis = list(space.entry_basis())
        rows = [mnp.concatenate([mnp.reshape(leaf, (-1,)) for leaf in
                                 tree_leaves(derivative(e), exact=True, look_through=getval)])
                for e in basis or [space.zeros()]]
        matrix = mnp.stack(rows) if basis else _no_rows(rows[0], space.iscomplex)
        if in_structure is None and out_structure is None:  # an array to an array
            return mnp.reshape(matrix, tuple(out_spaces[0].shape) + tuple(in_spaces[0].shape))
        return _blocks(matrix, in_structure, out_structure, in_spaces, out_spaces)

    return jacfun


def _no_rows(row, complex_output):
    """The (0, n) Jacobian of an empty output, from the zero cotangent's ``row`` (which gives
    the input's dtype), complex where the output is."""
    empty = mnp.stack([row])[:0]
    return empty * 1j if complex_output else empty


def _blocks(matrix, in_structure, out_structure, in_spaces, out_spaces):
    """The blocks of ``matrix``, each real where its output and input are (a complex output
    elsewhere makes the whole matrix complex)."""
    in_sizes = [space.entries for space in in_spaces]
    in_starts = numpy.concatenate([[0], numpy.cumsum(in_sizes)]).astype(int)
    out_blocks, row = [], 0
    for out_space in out_spaces:
        blocks = []
        for start, n, in_space in zip(in_starts, in_sizes, in_spaces):
            block = mnp.reshape(matrix[row:row + out_space.entries, start:start + n],
                                tuple(out_space.shape) + tuple(in_space.shape))
            real = not (out_space.iscomplex or in_space.iscomplex)
            blocks.append(mnp.real(block) if real and numpy.iscomplexobj(getval(block))
                          else block)
        out_blocks.append(tree_unflatten(in_structure, blocks))
        row += out_space.entries
    return tree_unflatten(out_structure, out_blocks)


def hessian(fun, argnum=0):
    """The Hessian of a scalar function: the Jacobian of its gradient."""
    return derivative_of(fun, "hessian", argnum)(jacobian(jacobian(fun, argnum), argnum))
