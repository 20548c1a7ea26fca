"""What kind of work a recorded call does: GEMM, elementwise, reduction, data movement, other.

numpy's own routines are classified by what they are (a ufunc is elementwise, ``matmul`` and
``einsum`` contract, a ufunc's ``reduce`` reduces, ``reshape`` moves data). A Python function
(a fused kernel such as a layer's ``x @ W + b``, or a thin wrapper around a numpy routine) is
classified by what its code contains: the heaviest kind among the operators it applies
(``@`` contracts, subscripting moves data) and the numpy routines it names, directly or
through its closure. A kernel that contains a matrix product is GEMM, since that dominates it.
"""

import dis
import functools
import operator
import types

import numpy

__all__ = ["KINDS", "kind_of"]

# From the heaviest to the lightest: a function doing several kinds of work takes the first.
KINDS = ("GEMM", "reduction", "elementwise", "data movement", "other")
GEMM, REDUCTION, ELEMENTWISE, MOVEMENT, OTHER = range(len(KINDS))

_BY_NAME = {}
for _kind, _names in (
        (GEMM, "matmul dot vdot inner tensordot einsum multi_dot"),
        (REDUCTION, "sum prod mean std var max min amax amin argmax argmin any all nansum "
                    "nanprod nanmean nanstd nanvar nanmax nanmin ptp cumsum cumprod median "
                    "average count_nonzero trace norm logsumexp reduce accumulate reduceat"),
        (MOVEMENT, "reshape transpose swapaxes moveaxis rollaxis squeeze expand_dims "
                   "broadcast_to broadcast_arrays ravel flatten concatenate stack hstack vstack "
                   "dstack column_stack split array_split take take_along_axis put "
                   "put_along_axis getitem setitem flip fliplr flipud roll rot90 pad tile "
                   "repeat copy astype asarray array empty zeros ones full empty_like "
                   "zeros_like ones_like full_like diagonal diag tril triu T"),
        (ELEMENTWISE, "where clip nan_to_num real imag conj angle round around fix")):
    _BY_NAME.update(dict.fromkeys(_names.split(), _kind))

# Bytecode operators that do work of their own: ``a @ b``, ``a[i]``, ``a[i] = b``.
_MATMUL_OP = "@"
_SUBSCRIPT_OPS = frozenset(("BINARY_SUBSCR", "STORE_SUBSCR", "BINARY_SLICE", "STORE_SLICE"))


def kind_of(fun):
    """The index in ``KINDS`` of the work a call of ``fun`` does (asked once per step, when a
    program's timed twin is compiled)."""
    return _kind(fun, depth=0)


def _kind(fun, depth):
    if isinstance(fun, functools.partial):  # the function, or a kernel handed to it
        return min([_kind(fun.func, depth)] + [_kind(arg, depth + 1) for arg in fun.args
                                               if callable(arg) and not isinstance(arg, type)])
    if isinstance(fun, numpy.ufunc):
        if fun.signature is None:
            return ELEMENTWISE
        return GEMM if fun.__name__ in _BY_NAME else OTHER
    owner = getattr(fun, "__self__", None)
    if isinstance(owner, numpy.ufunc):  # a ufunc's method: reduce, accumulate, outer, at
        return _BY_NAME.get(fun.__name__, ELEMENTWISE)
    if fun is operator.getitem:
        return MOVEMENT
    name = getattr(fun, "__name__", "") or ""
    code = getattr(fun, "__code__", None)
    if type(code) is not types.CodeType or (getattr(fun, "__module__", None) or "").startswith(
            "numpy"):  # numpy's own routines by name, not by how numpy implements them
        return _BY_NAME.get(name.lstrip("_"), OTHER)
    return _code_kind(fun, code, depth) if depth < 2 else OTHER


def _code_kind(fun, code, depth):
    """The heaviest kind among what ``code`` (and the code nested in it) applies or names."""
    found = [OTHER]
    for inner in _codes(code):
        for instruction in dis.get_instructions(inner):
            if instruction.opname == "BINARY_OP" and instruction.argrepr in (_MATMUL_OP, "@="):
                found.append(GEMM)
            elif instruction.opname in _SUBSCRIPT_OPS:
                found.append(MOVEMENT)
        found.extend(_name_kind(name) for name in inner.co_names)
    for cell in getattr(fun, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if callable(value) and not isinstance(value, type):
            found.append(_kind(value, depth + 1))
    return min(found)


def _name_kind(name):
    """The kind a name in code stands for: a routine of the table, or one of numpy's ufuncs."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    return ELEMENTWISE if isinstance(getattr(numpy, name, None), numpy.ufunc) else OTHER


def _codes(code):
    yield code
    for constant in code.co_consts:
        if type(constant) is types.CodeType:
            yield from _codes(constant)
