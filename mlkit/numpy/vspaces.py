"""The vector spaces of real and complex arrays and scalars (dtype-preserving)."""

import numpy

from mlkit.autodiff.vspace import VSpace

__all__ = ["ArrayVSpace", "ComplexArrayVSpace", "array_vspace"]


class ArrayVSpace(VSpace):
    """Arrays of one shape and dtype; scalars are arrays of shape ()."""

    __slots__ = ("shape", "dtype")

    def __init__(self, value):
        self.shape = numpy.shape(value)
        self.dtype = numpy.result_type(value)

    def spec(self):
        return (self.shape, self.dtype)

    @property
    def size(self):
        return int(numpy.prod(self.shape))

    @property
    def ndim(self):
        return len(self.shape)

    def _scalar_or_array(self, array):
        return array[()] if not self.shape else array

    def zeros(self):
        return self._scalar_or_array(numpy.zeros(self.shape, self.dtype))

    def ones(self):
        return self._scalar_or_array(numpy.ones(self.shape, self.dtype))

    def standard_basis(self):
        for index in numpy.ndindex(*self.shape):
            one_hot = numpy.zeros(self.shape, self.dtype)
            one_hot[index] = 1
            yield self._scalar_or_array(one_hot)

    def randn(self, rng=None):
        rng = numpy.random if rng is None else rng
        return self._scalar_or_array(rng.standard_normal(self.shape).astype(self.dtype))

    # add is VSpace's own x + y. Operators, not numpy calls: on traced values they record,
    # so both are differentiable.
    def scalar_mul(self, x, a):
        # A numpy scalar as a Python number, so that it cannot promote float32 to float64.
        return x * (a.item() if isinstance(a, numpy.generic) else a)

    def inner_prod(self, a, b):
        return numpy.dot(numpy.ravel(a), numpy.ravel(b))

    def flatten(self, x):
        return numpy.ravel(x)


class ComplexArrayVSpace(ArrayVSpace):
    """Complex arrays: a real inner product ``Re(conj(a) . b)`` and conjugate covectors. As a
    real space (and as in HIPS autograd) each entry has two dimensions: ``size`` counts both,
    ``standard_basis`` gives 1 and 1j in each entry, ``ones`` is 1 + 1j."""

    __slots__ = ()
    iscomplex = True

    @property
    def size(self):
        return 2 * int(numpy.prod(self.shape))

    @property
    def entries(self):
        return int(numpy.prod(self.shape))

    def ones(self):
        return self._scalar_or_array(numpy.full(self.shape, 1 + 1j, self.dtype))

    def entry_ones(self):
        return ArrayVSpace.ones(self)

    def standard_basis(self):
        for unit in ArrayVSpace.standard_basis(self):
            yield unit
            yield unit * 1j

    def entry_basis(self):
        return ArrayVSpace.standard_basis(self)

    def randn(self, rng=None):
        rng = numpy.random if rng is None else rng
        real = rng.standard_normal(self.shape) + 1j * rng.standard_normal(self.shape)
        return self._scalar_or_array(real.astype(self.dtype))

    def inner_prod(self, a, b):
        return numpy.real(numpy.vdot(numpy.ravel(a), numpy.ravel(b)))

    def covector(self, x):
        return numpy.conj(x)


def array_vspace(value):
    if numpy.iscomplexobj(value):
        return ComplexArrayVSpace(value)
    return ArrayVSpace(value)
