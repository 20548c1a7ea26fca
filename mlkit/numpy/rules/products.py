"""Products of arrays: matmul, dot, tensordot, einsum, inner, outer.

All are linear in each argument, so their JVPs are the products themselves (``def_linear``);
their VJPs contract the cotangent with the other factor and undo broadcasting.
"""

import string

import numpy

from mlkit.autodiff.forward import def_linear
from mlkit.autodiff.reverse import defvjp, defvjp_argnum
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.base import broadcast_to, conj, reshape, shape_of, sum, unbroadcast
from mlkit.numpy.rules.elementwise import multiply
from mlkit.numpy.rules.shape import expand_dims, swapaxes, transpose
from mlkit.numpy.wrap import composite, wrap

__all__ = ["matmul", "dot", "tensordot", "einsum", "inner", "outer", "vdot"]

matmul = wrap(numpy.matmul, "matmul", operands_only=True)
dot = wrap(numpy.dot, "dot", operands_only=True)
tensordot = wrap(numpy.tensordot, "tensordot")


def _matmul_transposed(a, b, left, right, out=None):
    """``a @ b`` with the last two axes of ``a`` (if ``left``) and of ``b`` (if ``right``)
    swapped: numpy's matmul of the transposed views, so BLAS reads them in place. The
    operands are arrays of two or more axes (matmul's VJPs call it for those only)."""
    return numpy.matmul(a.swapaxes(-1, -2) if left else a, b.swapaxes(-1, -2) if right else b,
                        out=out)


# The matrix products of matmul's VJPs. One primitive, rather than swapaxes then matmul, so
# that its own VJPs transpose operands too: a second derivative then never reads a transposed
# product (an elementwise call reading one strides across memory; the Hessian-vector product
# of an MLP spent as long on one such sum as on its three small products).
matmul_transposed = wrap(_matmul_transposed, "matmul_transposed")


def _product(a, b, left, right):
    return matmul_transposed(a, b, left, right) if left or right else matmul(a, b)


def _transposed_vjp_a(ans, a, b, left, right):
    if left:  # the cotangent of a.T is g @ op(b).T; of a, its transpose op(b) @ g.T
        return lambda g: unbroadcast(_product(b, g, right, True), a)
    return lambda g: unbroadcast(_product(g, b, False, not right), a)


def _transposed_vjp_b(ans, a, b, left, right):
    if right:  # the cotangent of b.T is op(a).T @ g; of b, its transpose g.T @ op(a)
        return lambda g: unbroadcast(_product(g, a, True, left), b)
    return lambda g: unbroadcast(_product(a, g, not left, False), b)


defvjp(matmul_transposed, _transposed_vjp_a, _transposed_vjp_b)
def_linear(matmul_transposed, argnums=(0, 1))


def _ndim(x):
    return len(shape_of(x))


def _matmul_grad_a(g, a, b):
    if _ndim(b) == 1:
        if _ndim(a) == 1:
            return g * b
        return unbroadcast(expand_dims(g, -1) * b, a)
    if _ndim(a) == 1:
        if _ndim(b) == 2:
            return matmul(b, g)
        return unbroadcast(matmul(b, expand_dims(g, -1))[..., 0], a)
    return unbroadcast(matmul_transposed(g, b, False, True), a)


def _matmul_grad_b(g, a, b):
    if _ndim(a) == 1:
        if _ndim(b) == 1:
            return g * a
        return unbroadcast(expand_dims(a, -1) * expand_dims(g, -2), b)
    if _ndim(b) == 1:
        if _ndim(a) == 2:
            return matmul(g, a)
        return unbroadcast(matmul(swapaxes(a, -1, -2), expand_dims(g, -1))[..., 0], b)
    return unbroadcast(matmul_transposed(a, g, True, False), b)


# Every cotangent goes through unbroadcast, which also keeps a real factor's cotangent real
# when the other factor is complex.
defvjp(matmul,
       lambda ans, a, b: lambda g: unbroadcast(_matmul_grad_a(g, a, b), a),
       lambda ans, a, b: lambda g: unbroadcast(_matmul_grad_b(g, a, b), b))
def_linear(matmul)


def _normalize_axes(axes, a_ndim, b_ndim):
    if isinstance(axes, int):
        return list(range(a_ndim - axes, a_ndim)), list(range(axes))
    a_axes, b_axes = axes
    a_axes = [a_axes] if isinstance(a_axes, int) else list(a_axes)
    b_axes = [b_axes] if isinstance(b_axes, int) else list(b_axes)
    return [i % a_ndim for i in a_axes], [j % b_ndim for j in b_axes]


def _tensordot_grad_a(g, a, b, axes):
    a_axes, b_axes = _normalize_axes(axes, _ndim(a), _ndim(b))
    a_free = [i for i in range(_ndim(a)) if i not in a_axes]
    b_free = [j for j in range(_ndim(b)) if j not in b_axes]
    out = tensordot(g, b, axes=(list(range(len(a_free), _ndim(g))), b_free))
    rank = sorted(b_axes)
    source = {p: i for i, p in enumerate(a_free)}
    source.update({p: len(a_free) + rank.index(q) for p, q in zip(a_axes, b_axes)})
    return transpose(out, [source[p] for p in range(_ndim(a))])


def _tensordot_grad_b(g, a, b, axes):
    a_axes, b_axes = _normalize_axes(axes, _ndim(a), _ndim(b))
    a_free = [i for i in range(_ndim(a)) if i not in a_axes]
    b_free = [j for j in range(_ndim(b)) if j not in b_axes]
    out = tensordot(a, g, axes=(a_free, list(range(len(a_free)))))
    rank = sorted(a_axes)
    source = {q: rank.index(p) for p, q in zip(a_axes, b_axes)}
    source.update({q: len(a_axes) + i for i, q in enumerate(b_free)})
    return transpose(out, [source[q] for q in range(_ndim(b))])


defvjp(tensordot,
       lambda ans, a, b, axes=2: lambda g: unbroadcast(_tensordot_grad_a(g, a, b, axes), a),
       lambda ans, a, b, axes=2: lambda g: unbroadcast(_tensordot_grad_b(g, a, b, axes), b))
def_linear(tensordot, argnums=(0, 1))


def _dot_grad(argnum):
    def maker(ans, a, b):
        a_ndim, b_ndim = _ndim(a), _ndim(b)
        if a_ndim == 0 or b_ndim == 0:
            other = b if argnum == 0 else a
            target = a if argnum == 0 else b
            return lambda g: unbroadcast(g * other, target)
        target = a if argnum == 0 else b
        if b_ndim <= 2:
            grad = _matmul_grad_a if argnum == 0 else _matmul_grad_b
            return lambda g: unbroadcast(grad(g, a, b), target)
        axes = ([a_ndim - 1], [b_ndim - 2])
        grad = _tensordot_grad_a if argnum == 0 else _tensordot_grad_b
        return lambda g: unbroadcast(grad(g, a, b, axes), target)

    return maker


defvjp(dot, _dot_grad(0), _dot_grad(1))
def_linear(dot)


def inner(a, b):
    """Sum product over the last axes (dot's conjugate-free cousin)."""
    if _ndim(a) == 0 or _ndim(b) == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


def outer(a, b):
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


def vdot(a, b):
    return sum(multiply(conj(reshape(a, (-1,))), reshape(b, (-1,))))


# --- einsum ---------------------------------------------------------------------------------
def _einsum(subscripts, *operands, optimize=False):
    """numpy.einsum; ``optimize`` picks the contraction order only (same values), so the
    derivative rules below ignore it."""
    return numpy.einsum(subscripts, *operands, optimize=optimize)


einsum_primitive = wrap(_einsum, "einsum")


def _parse_einsum(subscripts, shapes):
    """Explicit subscripts with ``...`` spelled out in letters: (inputs, output)."""
    spec = subscripts.replace(" ", "")
    inputs, _, output = spec.partition("->")
    inputs = inputs.split(",")
    used = set(spec) - set(".,->")
    spare = [c for c in string.ascii_letters if c not in used]
    ell_ndim = max((len(s) - (len(t) - 3) for t, s in zip(inputs, shapes) if "..." in t),
                   default=0)
    ell = "".join(spare[:ell_ndim])
    expanded = []
    for term, shape in zip(inputs, shapes):
        if "..." in term:
            n = len(shape) - (len(term) - 3)
            term = term.replace("...", ell[ell_ndim - n:])
        expanded.append(term)
    if not _:
        counts = {c: "".join(expanded).count(c) for c in set("".join(expanded))}
        output = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    else:
        output = output.replace("...", ell)
    return expanded, output


def _split_repeats(target, shape, used, dtype):
    """``target`` with each repeated index renamed by a fresh letter, and the identity matrices
    that tie each renamed index to its first occurrence (``'ii'`` -> ``'iA'``, [eye 'iA'])."""
    spare = (c for c in string.ascii_letters if c not in used)
    renamed, ties, eyes = "", [], []
    for position, c in enumerate(target):
        if c in renamed:
            fresh = next(spare)
            ties.append(c + fresh)
            eyes.append(numpy.eye(shape[position], dtype=dtype))
            c = fresh
        renamed += c
    return renamed, ties, eyes


def _einsum_vjp(argnum, ans, args, kwargs):
    """The cotangent of one operand is an einsum of the others and g onto its indices; an index
    it repeats (a diagonal, as in 'ii->i') gets g placed on that diagonal by identity factors."""
    subscripts, operands = args[0], args[1:]
    inputs, output = _parse_einsum(subscripts, [shape_of(op) for op in operands])
    i = argnum - 1
    target_shape = shape_of(operands[i])
    target, ties, eyes = _split_repeats(inputs[i], target_shape, set("".join(inputs) + output),
                                        numpy.result_type(getval(operands[i])))
    others = [t for k, t in enumerate(inputs) if k != i]
    available = set("".join(others + ties)) | set(output)
    kept = "".join(c for c in target if c in available)
    spec = ",".join(others + [output] + ties) + "->" + kept

    def vjp(g):
        out = einsum_primitive(spec, *[op for k, op in enumerate(operands) if k != i], g, *eyes)
        if kept != target:
            sizes = shape_of(out)
            out = reshape(out, tuple(sizes[kept.index(c)] if c in kept else 1 for c in target))
        return unbroadcast(_fit_einsum_axes(out, target_shape), operands[i])

    return vjp


def _fit_einsum_axes(out, shape):
    """``out`` (one axis per letter of the operand) to the operand's ``shape``: einsum lets a
    size-1 axis stand for any size, so an axis may have to be summed (the operand's is 1) or
    broadcast (the operand's is larger: the letter was absent from the rest, or size 1 there)."""
    sizes = shape_of(out)
    axes = tuple(k for k, (n, m) in enumerate(zip(shape, sizes)) if n == 1 and m != 1)
    if axes:
        out = sum(out, axis=axes, keepdims=True)
    return out if shape_of(out) == tuple(shape) else broadcast_to(out, shape)


defvjp_argnum(einsum_primitive, _einsum_vjp)
def_linear(einsum_primitive)


def _sublist_letters(sublist):
    letters = []
    for index in sublist:
        if index is Ellipsis:
            letters.append("...")
        elif isinstance(index, (int, numpy.integer)) and 0 <= index < len(string.ascii_letters):
            letters.append(string.ascii_letters[index])
        else:
            raise ValueError(f"einsum sublists hold integers in [0, 52) and Ellipsis, not "
                             f"{index!r}")
    return "".join(letters)


def _from_sublists(args):
    """numpy's sublist form (a, [0, 1], b, [1, 2], [0, 2]) as (subscripts, operands)."""
    output = args[-1] if len(args) % 2 else None  # an operand and sublist pair per input
    pairs = args[:-1] if len(args) % 2 else args
    operands, terms = list(pairs[0::2]), [_sublist_letters(s) for s in pairs[1::2]]
    subscripts = ",".join(terms)
    if output is not None:
        subscripts += "->" + _sublist_letters(output)
    return subscripts, operands


def einsum(*args, optimize=False):
    """numpy.einsum, with string subscripts (``einsum('ij,jk->ik', a, b)``) or numpy's sublist
    form (``einsum(a, [0, 1], b, [1, 2], [0, 2])``), differentiable in every operand."""
    if not args:
        raise TypeError("einsum needs subscripts and operands, e.g. einsum('ij,jk->ik', a, b)")
    if isinstance(args[0], str):
        return einsum_primitive(*args, optimize=optimize)
    subscripts, operands = _from_sublists(args)
    return einsum_primitive(subscripts, *operands, optimize=optimize)


for _name, _fun in (("inner", inner), ("outer", outer), ("vdot", vdot), ("einsum", einsum)):
    globals()[_name] = composite(_fun, getattr(numpy, _name))
