"""The one primitive behind np.convolve, np.correlate, np.polymul and scipy.signal.convolve:
``out[n] = sum_k A[k] B[n + shift - k]`` along each convolved axis, contracting paired axes.
Its cotangents are the same sum with the other operand flipped, and it is bilinear (forward
mode); a window slides over the padded larger operand, so no array is the size of A times B."""

import numpy
from numpy.lib.stride_tricks import sliding_window_view

from mlkit.autodiff.forward import def_linear
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.reductions import flip
from mlkit.numpy.rules.shape import transpose
from mlkit.numpy.wrap import wrap

__all__ = ["shifted_sum"]


def _shifted_sum(a, b, conv, dots, shifts, lengths):
    """``out[ignored a, ignored b, n] = sum A[.., k, ..] B[.., n + shift - k, ..]`` (see above).

    ``conv`` and ``dots`` are pairs of axis tuples (of a, of b); ``shifts`` and ``lengths`` give
    one shift and one output length per convolved axis. The sum is symmetric in A and B, so the
    smaller of the two (over the convolved axes) is flipped and slid over the other, padded.
    """
    a, b = numpy.asarray(a), numpy.asarray(b)
    if a.ndim == b.ndim == 1 and conv == ((0,), (0,)):  # numpy's own loop: no window copies
        full, (shift,), (length,) = numpy.convolve(a, b), shifts, lengths
        out = numpy.zeros(length, full.dtype)
        first, last = max(shift, 0), min(shift + length, full.shape[0])
        out[first - shift:last - shift] = full[first:last]
        return out
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
        flipped = flip(y, axis=y_conv) if y_conv else y
        out = shifted_sum(g, flipped, conv=(g_conv, y_conv), dots=(g_y_kept, tuple(y_kept)),
                          shifts=new_shifts, lengths=new_lengths)
        return transpose(out, order)

    return vjp


defvjp(shifted_sum,
       lambda ans, a, b, **kw: _cotangent(0, ans, a, b, **kw),
       lambda ans, a, b, **kw: _cotangent(1, ans, a, b, **kw))
def_linear(shifted_sum)
