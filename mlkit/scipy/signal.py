"""``convolve``: n-dimensional convolution over chosen axes, with tensor contraction over others.

``convolve(A, B, axes, dot_axes, mode)`` convolves the ``axes[0]`` of A with the ``axes[1]`` of
B, sums the ``dot_axes[0]`` of A against the ``dot_axes[1]`` of B, and lays the result out as
(A's remaining axes, B's remaining axes, convolved axes). With the defaults it is
``scipy.signal.convolve(A, B, mode)``.

Every mode is one shifted sum (mlkit.numpy's primitive, shared with np.convolve): along each
convolved axis ``out[n] = sum_k A[k] B[n + shift - k]`` for ``n < length``, terms with B's index
outside B being zero.
"""

import numpy

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.shifted_sums import shifted_sum
from mlkit.numpy.wrap import composite, nondifferentiable

__all__ = ["compute_conv_size", "convolve"]

_MODES = ("full", "valid", "same")


def _axis_pairs(name, pairs, ndims):
    """``pairs`` as two tuples of non-negative axes, checked against the arrays' dimensions."""
    try:
        first, second = pairs
        first, second = tuple(int(i) for i in first), tuple(int(i) for i in second)
    except (TypeError, ValueError):
        raise ValueError(
            f"convolve: {name} must be a pair of axis lists, one for A and one for B, got "
            f"{pairs!r}") from None
    if len(first) != len(second):
        raise ValueError(
            f"convolve: {name} pairs axes of A with axes of B, so both lists need the same "
            f"length; got {list(first)} and {list(second)}")
    out = []
    for label, axes, ndim in (("A", first, ndims[0]), ("B", second, ndims[1])):
        if any(not -ndim <= i < ndim for i in axes):
            raise ValueError(f"convolve: {name} {list(axes)} out of range for {label} with "
                             f"{ndim} dimensions")
        normalized = tuple(i % ndim for i in axes)
        if len(set(normalized)) != len(normalized):
            raise ValueError(f"convolve: {name} repeats an axis of {label}: {list(axes)}")
        out.append(normalized)
    return tuple(out)


def _check_mode(mode):
    if mode not in _MODES:
        raise ValueError(f"convolve: mode must be one of {', '.join(_MODES)}; got {mode!r}")


def compute_conv_size(A_size, B_size, mode):
    """The length of ``mode``'s result along an axis where A has ``A_size`` and B ``B_size``."""
    _check_mode(mode)
    if mode == "full":
        return A_size + B_size - 1
    return A_size if mode == "same" else abs(A_size - B_size) + 1


compute_conv_size = nondifferentiable(compute_conv_size)


def convolve(A, B, axes=None, dot_axes=((), ()), mode="full"):
    """Convolve A and B over ``axes`` (all axes by default), contracting ``dot_axes``.

    ``mode`` is 'full' (every overlap), 'valid' (complete overlaps only; one array must be at
    least as large as the other along every convolved axis) or 'same' (A's size along each
    convolved axis, centred on the full result). The output's axes are A's axes not convolved
    nor contracted, then B's, then the convolved ones.
    """
    _check_mode(mode)
    shape_a, shape_b = numpy.shape(getval(A)), numpy.shape(getval(B))
    ndims = (len(shape_a), len(shape_b))
    if axes is None:
        if ndims[0] != ndims[1]:
            raise ValueError(
                f"convolve: A and B have {ndims[0]} and {ndims[1]} dimensions; without axes "
                "every axis is convolved, so give axes=[axes of A, axes of B]")
        axes = (tuple(range(ndims[0])),) * 2
    conv = _axis_pairs("axes", axes, ndims)
    dots = _axis_pairs("dot_axes", dot_axes, ndims)
    for label, c, d in (("A", conv[0], dots[0]), ("B", conv[1], dots[1])):
        if set(c) & set(d):
            raise ValueError(f"convolve: axes {sorted(set(c) & set(d))} of {label} are both "
                             "convolved and contracted")
    for ax_a, ax_b in zip(*dots):
        if shape_a[ax_a] != shape_b[ax_b]:
            raise ValueError(
                f"convolve: contracted axes differ in size: axis {ax_a} of A has "
                f"{shape_a[ax_a]}, axis {ax_b} of B has {shape_b[ax_b]}")
    sizes = [(shape_a[i], shape_b[j]) for i, j in zip(*conv)]
    if any(na == 0 or nb == 0 for na, nb in sizes):
        raise ValueError("convolve: convolved axes must not be empty")
    lengths = tuple(compute_conv_size(na, nb, mode) for na, nb in sizes)
    if mode == "full":
        shifts = tuple(0 for _ in sizes)
    elif mode == "same":
        shifts = tuple((nb - 1) // 2 for _, nb in sizes)
    else:
        if not (all(na >= nb for na, nb in sizes) or all(nb >= na for na, nb in sizes)):
            raise ValueError(
                "convolve: in 'valid' mode one array must be at least as large as the other "
                f"along every convolved axis; got sizes {[s[0] for s in sizes]} (A) and "
                f"{[s[1] for s in sizes]} (B)")
        shifts = tuple(min(na, nb) - 1 for na, nb in sizes)
    return shifted_sum(A, B, conv=conv, dots=dots, shifts=shifts, lengths=lengths)


convolve = composite(convolve)
