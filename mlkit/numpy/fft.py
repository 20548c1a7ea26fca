"""numpy.fft with derivatives: discrete Fourier transforms and their shifts.

Every transform here is linear, so its JVP is the transform itself (``def_linear``) and its VJP
is the transpose. The DFT matrix is symmetric, so the VJP of ``fftn`` is ``fftn`` of the
cotangent (with the same ``norm``), undoing any padding or truncation of the input. The real
transforms are not symmetric: ``rfft`` keeps only half of the spectrum and ``irfft`` reads only
half, so their VJPs weight the interior frequencies (which stand for two conjugate terms)
differently from the zero and Nyquist ones. Complex derivatives follow HIPS autograd's
convention (the VJP of a linear map is its plain transpose).
"""

import numpy

from mlkit.autodiff.forward import def_linear
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval, is_box
from mlkit.numpy.rules.base import conj, is_complex, real, shape_of
from mlkit.numpy.rules.indexing import getitem
from mlkit.numpy.rules.shape import concatenate
from mlkit.numpy.wrap import composite, wrap

__all__ = ["fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "ifft", "ifft2", "ifftn",
           "ifftshift", "ihfft", "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn"]

# The norm whose scaling makes a transform's inverse the transpose of the transform.
_DUAL_NORM = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _fit(g, shape):
    """``g`` truncated or zero-padded at the end of each axis to ``shape`` (the transpose of
    the pad-or-truncate a transform applies to its input)."""
    for axis, (have, want) in enumerate(zip(shape_of(g), shape)):
        if have > want:
            index = [slice(None)] * len(shape)
            index[axis] = slice(0, want)
            g = getitem(g, tuple(index))
        elif have < want:
            pad_shape = list(shape_of(g))
            pad_shape[axis] = want - have
            g = concatenate([g, numpy.zeros(pad_shape, numpy.result_type(getval(g)))], axis=axis)
    return g


def _like_input(g, x):
    """The cotangent of a real input is the real part."""
    return real(g) if is_complex(g) and not is_complex(x) else g


# --- complex transforms ---------------------------------------------------------------------
fftn = wrap(numpy.fft.fftn, "fftn")
ifftn = wrap(numpy.fft.ifftn, "ifftn")


def _nd_vjp(transform):
    def maker(ans, x, s=None, axes=None, norm=None):
        x_shape = shape_of(x)

        def vjp(g):
            out = transform(g, axes=axes, norm=norm)
            return _like_input(_fit(out, x_shape), x)

        return vjp

    return maker


defvjp(fftn, _nd_vjp(fftn))
defvjp(ifftn, _nd_vjp(ifftn))
def_linear(fftn, argnums=(0,))
def_linear(ifftn, argnums=(0,))


def fft(a, n=None, axis=-1, norm=None):
    """The one-dimensional DFT along ``axis`` (padded or truncated to ``n``)."""
    return fftn(a, s=None if n is None else (n,), axes=(axis,), norm=norm)


def ifft(a, n=None, axis=-1, norm=None):
    return ifftn(a, s=None if n is None else (n,), axes=(axis,), norm=norm)


def fft2(a, s=None, axes=(-2, -1), norm=None):
    return fftn(a, s=s, axes=axes, norm=norm)


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    return ifftn(a, s=s, axes=axes, norm=norm)


# --- real transforms ------------------------------------------------------------------------
rfft = wrap(numpy.fft.rfft, "rfft")
irfft = wrap(numpy.fft.irfft, "irfft")


def _half_spectrum_weights(n, axis, ndim, dtype):
    """Along ``axis``: 1 at frequency 0 (and n/2 for even n), 2 at the interior frequencies,
    which stand for a conjugate pair in the full spectrum. Shaped to broadcast."""
    weights = numpy.full(n // 2 + 1, 2.0, dtype=numpy.finfo(dtype).dtype)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    shape = [1] * ndim
    shape[axis] = n // 2 + 1
    return weights.reshape(shape)


def _rfft_vjp(ans, x, n=None, axis=-1, norm=None):
    """rfft(x) = H F x with H keeping the first n//2+1 frequencies, so for real x the VJP is
    Re(F H^T g). Written with irfft (which doubles the interior terms and conjugates), the
    interior of g is halved and conjugated first."""
    x_shape = shape_of(x)
    size = x_shape[axis] if n is None else n
    ndim = len(x_shape)

    def vjp(g):
        halves = 1.0 / _half_spectrum_weights(size, axis, ndim, numpy.result_type(getval(g)))
        out = irfft(conj(g) * halves, n=size, axis=axis, norm=_DUAL_NORM[norm])
        full_shape = list(shape_of(out))
        full_shape[axis] = x_shape[axis]
        return _fit(out, tuple(full_shape))

    return vjp


def _irfft_vjp(ans, x, n=None, axis=-1, norm=None):
    """irfft(x)_k = c (x_0 + 2 Re sum_j x_j w^jk + ...) reads each interior x_j twice (as x_j
    and its conjugate), so its VJP is conj(rfft(g)) with the interior doubled."""
    x_shape = shape_of(x)
    ndim = len(x_shape)

    def vjp(g):
        size = shape_of(g)[axis]
        weights = _half_spectrum_weights(size, axis, ndim, numpy.result_type(getval(g)))
        out = conj(rfft(g, axis=axis, norm=_DUAL_NORM[norm])) * weights
        return _like_input(_fit(out, x_shape), x)

    return vjp


defvjp(rfft, _rfft_vjp)
defvjp(irfft, _irfft_vjp)
def_linear(rfft, argnums=(0,))
def_linear(irfft, argnums=(0,))


def _nd_args(a, s, axes, inverse_real=False):
    """numpy's defaults: all axes (or the last ``len(s)``), each at its own length; the last
    output length of an inverse real transform is 2 (m - 1)."""
    shape = shape_of(a)
    if axes is None:
        axes = range(-len(s), 0) if s is not None else range(len(shape))
    axes = list(axes)
    if s is None:
        s = [shape[axis] for axis in axes]
        if inverse_real:
            s[-1] = 2 * (s[-1] - 1)
    s = list(s)
    if len(s) != len(axes):
        raise ValueError(f"s and axes have different lengths ({len(s)} and {len(axes)})")
    return s, axes


def rfftn(a, s=None, axes=None, norm=None):
    """The real transform along the last of ``axes``, then complex ones along the others."""
    s, axes = _nd_args(a, s, axes)
    out = rfft(a, n=s[-1], axis=axes[-1], norm=norm)
    return fftn(out, s=s[:-1], axes=axes[:-1], norm=norm) if len(axes) > 1 else out


def irfftn(a, s=None, axes=None, norm=None):
    """The inverse of ``rfftn``: complex inverses along all but the last of ``axes``, then the
    inverse real transform along it (to length ``s[-1]``)."""
    s, axes = _nd_args(a, s, axes, inverse_real=True)
    if len(axes) > 1:
        a = ifftn(a, s=s[:-1], axes=axes[:-1], norm=norm)
    return irfft(a, n=s[-1], axis=axes[-1], norm=norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None):
    return rfftn(a, s=s, axes=axes, norm=norm)


def irfft2(a, s=None, axes=(-2, -1), norm=None):
    return irfftn(a, s=s, axes=axes, norm=norm)


def hfft(a, n=None, axis=-1, norm=None):
    """The transform of a Hermitian-symmetric signal given by its first half (a real result)."""
    return irfft(conj(a), n=n, axis=axis, norm=_DUAL_NORM[norm])


def ihfft(a, n=None, axis=-1, norm=None):
    """The inverse of ``hfft``: the first half of the spectrum of a real signal."""
    return conj(rfft(a, n=n, axis=axis, norm=_DUAL_NORM[norm]))


# --- shifts and frequencies -----------------------------------------------------------------
fftshift = wrap(numpy.fft.fftshift, "fftshift")
ifftshift = wrap(numpy.fft.ifftshift, "ifftshift")
defvjp(fftshift, lambda ans, x, axes=None: lambda g: ifftshift(g, axes))
defvjp(ifftshift, lambda ans, x, axes=None: lambda g: fftshift(g, axes))
def_linear(fftshift, argnums=(0,))
def_linear(ifftshift, argnums=(0,))


def fftfreq(n, d=1.0, **kwargs):
    """Sample frequencies k / (n d): differentiable in the sample spacing ``d``."""
    return numpy.fft.fftfreq(n, **kwargs) / d if is_box(d) else numpy.fft.fftfreq(n, d, **kwargs)


def rfftfreq(n, d=1.0, **kwargs):
    """The non-negative frequencies of ``fftfreq``, differentiable in ``d``."""
    if is_box(d):
        return numpy.fft.rfftfreq(n, **kwargs) / d
    return numpy.fft.rfftfreq(n, d, **kwargs)


fftfreq = composite(fftfreq, numpy.fft.fftfreq)
rfftfreq = composite(rfftfreq, numpy.fft.rfftfreq)
fft = composite(fft, numpy.fft.fft)
ifft = composite(ifft, numpy.fft.ifft)
fft2 = composite(fft2, numpy.fft.fft2)
ifft2 = composite(ifft2, numpy.fft.ifft2)
for _fun in (rfftn, irfftn, rfft2, irfft2, hfft, ihfft):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy.fft, _fun.__name__))
