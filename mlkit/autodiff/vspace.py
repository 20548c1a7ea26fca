"""Vector spaces of differentiable values: zeros, ones, bases, inner products, sums.

Each value type registers the VSpace class that describes it (arrays from mlkit.numpy, containers
from containers.py); the operators and check_grads work through this protocol only.
"""

__all__ = ["Deferred", "VSpace", "add_values", "container_types", "has_vspace", "vspace"]

_vspace_for_type: dict = {}

# Types whose sum is not ``a + b`` (tuples would concatenate); containers.py registers them.
container_types: set = set()
_container_add = []
# Types whose space gives its own ``_add``: their gradients are summed by it, as in HIPS autograd.
_space_add_types: set = set()


class VSpace:
    """The space a value lives in. Subclasses implement the methods for their values.

    A space for a value type of one's own may, as in HIPS autograd, give its arithmetic as
    ``_add``, ``_scalar_mul``, ``_inner_prod`` and ``_covector``; ``add``, ``scalar_mul``,
    ``inner_prod`` and ``covector`` call them.
    """

    __slots__ = ()
    iscomplex = False

    @classmethod
    def register(cls, value_type, factory=None):
        """Describe values of ``value_type`` with this class (or with ``factory(value)``)."""
        space = factory or cls
        _vspace_for_type[value_type] = space
        if isinstance(space, type) and space._add is not VSpace._add:
            _space_add_types.add(value_type)

    # The type-to-space table, as HIPS autograd's ``VSpace.mappings``: ``register`` fills it, and
    # a library may put a factory ``f(value) -> space`` there for a type of its own.
    mappings = _vspace_for_type

    def zeros(self):
        raise NotImplementedError

    def ones(self):
        raise NotImplementedError

    def standard_basis(self):
        """Yield every one-hot value of the space, in flattening order."""
        raise NotImplementedError

    # mlkit's own operators build a Jacobian's rows and elementwise_grad's seed from one unit per
    # entry; a complex space's ``standard_basis`` and ``size`` also count each entry's 1j.
    @property
    def entries(self):
        return self.size

    def entry_basis(self):
        return self.standard_basis()

    def entry_ones(self):
        return self.ones()

    def randn(self, rng=None):
        """A standard normal value of the space, drawn from ``rng`` (a numpy Generator), or
        from numpy's global random state (``numpy.random.seed``) when it is None."""
        raise NotImplementedError

    def add(self, x, y):
        """``x + y`` in the space."""
        return self._add(x, y)

    def scalar_mul(self, x, a):
        """``a x`` in the space, for a real or complex number ``a``."""
        return self._scalar_mul(x, a)

    def inner_prod(self, a, b):
        return self._inner_prod(a, b)

    def covector(self, x):
        """The dual of ``x`` (the conjugate for complex spaces)."""
        return self._covector(x)

    def _add(self, x, y):
        return x + y

    def _scalar_mul(self, x, a):
        return x * a

    def _inner_prod(self, a, b):
        raise NotImplementedError

    def _covector(self, x):
        return x

    def flatten(self, x):
        """``x`` as a 1-D float array (plain values only)."""
        raise NotImplementedError

    def spec(self):
        """What tells two spaces of this class apart: by default, the attributes a space of
        one's own set in its ``__init__``."""
        return tuple(sorted(getattr(self, "__dict__", {}).items()))

    def __eq__(self, other):
        return type(self) is type(other) and self.spec() == other.spec()

    def __hash__(self):
        return hash((type(self), self.spec()))

    def __repr__(self):
        return f"{type(self).__name__}{self.spec()}"


def vspace(value) -> VSpace:
    """The VSpace of ``value`` (of its raw value, for a box)."""
    try:
        return _vspace_for_type[type(value)](value)
    except KeyError:
        pass
    from mlkit.autodiff.tracer import rawval

    raw = rawval(value)
    if raw is not value:
        return vspace(raw)
    raise TypeError(
        f"mlkit cannot differentiate with respect to a value of type {type(value).__name__}: "
        "use floats, complex numbers, float or complex numpy arrays, or tuples/lists/dicts of them"
    )


def has_vspace(value_type) -> bool:
    """Whether values of ``value_type`` have a registered space (can be differentiated)."""
    return value_type in _vspace_for_type


class Deferred:
    """A cotangent contribution the backward pass keeps unapplied (a slice's cotangent, not
    yet written into zeros of the whole array), so that many of them sum into one buffer:
    ``add(other)`` returns the sum, in place where it owns a buffer; ``resolve()`` gives
    the value the rules receive."""

    __slots__ = ()


def add_values(a, b):
    """``a + b`` for gradients and tangents: elementwise for containers, and by its space's
    ``add`` for a type whose space says how to add (its ``+`` may mean something else)."""
    if isinstance(a, Deferred):
        return a.add(b)
    if isinstance(b, Deferred):
        return b.add(a)
    if type(a) in container_types:
        return _container_add[0](a, b)
    if type(a) in _space_add_types:
        return vspace(a).add(a, b)
    return a + b
