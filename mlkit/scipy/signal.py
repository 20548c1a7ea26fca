"""``convolve``: n-dimensional convolution over chosen axes, with tensor contraction over others.

``convolve(A, B, axes, dot_axes, mode)`` convolves the ``axes[0]`` of A with the ``axes[1]`` of
B, sums the ``dot_axes[0]`` of A against the ``dot_axes[1]`` of B, and lays the result out as
(A's remaining axes, B's remaining axes, convolved axes). With the defaults it is
``scipy.signal.convolve(A, B, mode)``.

Every mode is one shifted sum: along each convolved axis
``out[n] = sum_k A[k] B[n + shift - k]`` for ``n < length``, terms with B's index outside B
being zero. The cotangent of A (or of B) is the same sum of the output's cotangent with B (A)
flipped, under another shift and length, so a single primitive serves the function and all its
derivatives; it is bilinear, which gives its forward mode.
"""

import numpy
from numpy.lib.stride_tricks import sliding_window_view

import mlkit.numpy as mnp
from mlkit.autodiff.forward import def_linear
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.wrap import composite, wrap

__all__ = ["convolve"]

_MODES = ("full", "valid", "same")


def _shifted_sum(a, b, conv, dots, shifts, lengths):
    """``out[ignored a, ignored b, n] = sum A[.., k, ..] B[.., n + shift - k, ..]`` (see above).

    ``conv`` and ``dots`` are pairs of axis tuples (of a, of b); ``shifts`` and ``lengths`` give
    one shift and one output length per convolved axis. The sum is symmetric in A and B, so the
    smaller of the two (over the convolved axes) is flipped and slid over the other, padded.
    """
    a, b = numpy.asarray(a), numpy.asarray(b)
    a_labels = list(range(a.ndim))  # einsum labels; contracted axes share theirs
    b_labels = list(range(a.ndim, a.ndim + b.ndim))
    for ax_a, ax_b in zip(*dots):
        b_labels[ax_b] = a_labels[ax_a]
    kept_a = [a_labels[i] for i in range(a.ndim) if i not in conv[0] and i not in dots[0]]
    kept_b = [b_labels[i] for i in range(b.ndim) if i not in conv[1] and i not in dots[1]]
    swap = (numpy.prod([a.shape[i] for i in conv[0]])
            > numpy.prod([b.shape[i] for i in conv[1]]))
    (kernel, k_conv, k_labels), (signal, s_conv, s_labels) = (
        ((b, conv[1], b_labels), (a, conv[0], a_labels)) if swap
        else ((a, conv[0], a_labels), (b, conv[1], b_labels)))
    pads = [(0, 0)] * signal.ndim
    picks = [slice(None)] * (signal.ndim + len(s_conv))
    for ax_k, ax_s, shift, length in zip(k_conv, s_conv, shifts, lengths):
        nk, ns = kernel.shape[ax_k], signal.shape[ax_s]
        left = nk - 1 + max(0, -shift)
        offset = max(shift, 0)
        pads[ax_s] = (left, max(0, length + offset + nk - 1 - left - ns))
        picks[ax_s] = slice(offset, offset + length)
    windows = sliding_window_view(numpy.pad(signal, pads), [kernel.shape[i] for i in k_conv],
                                  axis=s_conv)[tuple(picks)]
    flipped = numpy.flip(kernel, axis=k_conv) if k_conv else kernel
    window_labels = [k_labels[i] for i in k_conv]
    out_labels = kept_a + kept_b + [s_labels[i] for i in s_conv]
    return numpy.einsum(flipped, k_labels, windows, s_labels + window_labels, out_labels)


shifted_sum = wrap(_shifted_sum, "convolve")


def _cotangent(which, ans, a, b, conv, dots, shifts, lengths):
    """The VJP maker for argument ``which`` (0: a, 1: b) of ``shifted_sum``."""
    x, y = (a, b) if which == 0 else (b, a)
    x_shape, y_shape = numpy.shape(getval(x)), numpy.shape(getval(y))
    x_conv, y_conv = conv[which], conv[1 - which]
    x_dots, y_dots = dots[which], dots[1 - which]
    x_kept = [i for i in range(len(x_shape)) if i not in x_conv and i not in x_dots]
    y_kept = [i for i in range(len(y_shape)) if i not in y_conv and i not in y_dots]
    # g's axes are (a's kept, b's kept, convolved); summing g against y over y's kept axes
    # and convolving over the rest leaves (x's kept, y's contracted axes in y's order, conv).
    n_a_kept = len(x_kept) if which == 0 else len(y_kept)
    g_y_kept = tuple(range(n_a_kept, n_a_kept + len(y_kept)) if which == 0
                     else range(len(y_kept)))
    n_conv = len(x_conv)
    g_ndim = len(x_kept) + len(y_kept) + n_conv
    g_conv = tuple(range(g_ndim - n_conv, g_ndim))
    new_shifts = tuple(y_shape[ay] - 1 - s for ay, s in zip(y_conv, shifts))
    new_lengths = tuple(x_shape[ax] for ax in x_conv)
    paired = [x_dots[i] for i in numpy.argsort(y_dots, kind="stable")]
    order = tuple(int(i) for i in numpy.argsort(x_kept + paired + list(x_conv)))

    def vjp(g):
        flipped = mnp.flip(y, axis=y_conv) if y_conv else y
        out = shifted_sum(g, flipped, conv=(g_conv, y_conv), dots=(g_y_kept, tuple(y_kept)),
                          shifts=new_shifts, lengths=new_lengths)
        return mnp.transpose(out, order)

    return vjp


defvjp(shifted_sum,
       lambda ans, a, b, **kw: _cotangent(0, ans, a, b, **kw),
       lambda ans, a, b, **kw: _cotangent(1, ans, a, b, **kw))
def_linear(shifted_sum)


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


def convolve(A, B, axes=None, dot_axes=((), ()), mode="full"):
    """Convolve A and B over ``axes`` (all axes by default), contracting ``dot_axes``.

    ``mode`` is 'full' (every overlap), 'valid' (complete overlaps only; one array must be at
    least as large as the other along every convolved axis) or 'same' (A's size along each
    convolved axis, centred on the full result). The output's axes are A's axes not convolved
    nor contracted, then B's, then the convolved ones.
    """
    if mode not in _MODES:
        raise ValueError(f"convolve: mode must be one of {', '.join(_MODES)}; got {mode!r}")
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
    if mode == "full":
        shifts = tuple(0 for _ in sizes)
        lengths = tuple(na + nb - 1 for na, nb in sizes)
    elif mode == "same":
        shifts = tuple((nb - 1) // 2 for _, nb in sizes)
        lengths = tuple(na for na, _ in sizes)
    else:
        if not (all(na >= nb for na, nb in sizes) or all(nb >= na for na, nb in sizes)):
            raise ValueError(
                "convolve: in 'valid' mode one array must be at least as large as the other "
                f"along every convolved axis; got sizes {[s[0] for s in sizes]} (A) and "
                f"{[s[1] for s in sizes]} (B)")
        shifts = tuple(min(na, nb) - 1 for na, nb in sizes)
        lengths = tuple(abs(na - nb) + 1 for na, nb in sizes)
    return shifted_sum(A, B, conv=conv, dots=dots, shifts=shifts, lengths=lengths)


convolve = composite(convolve)
