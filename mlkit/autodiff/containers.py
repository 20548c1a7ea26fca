"""Tuples, lists and dicts as differentiable values: their boxes, vector space and rules.

Indexing a traced container is a primitive whose VJP puts the cotangent back in its slot; a
function returning a container of traced values gets it packed into one traced container.
"""

import numpy

from mlkit.autodiff.forward import def_linear, defjvp, defjvp_argnum
from mlkit.autodiff.reverse import defvjp, defvjp_argnum
from mlkit.autodiff.tracer import Box, primitive, rawval
from mlkit.autodiff.vspace import VSpace, _container_add, add_values, container_types, vspace
from mlkit.tree import register_branch, tree_fold

__all__ = ["ContainerVSpace", "DictBox", "SequenceBox", "container_take", "pack_traced",
           "register_sequence"]


def _rebuild(kind, items):
    """A ``kind`` holding ``items``: a namedtuple takes them as separate arguments."""
    return kind(*items) if hasattr(kind, "_fields") else kind(items)


@primitive
def container_take(container, key):
    return container[key]


@primitive
def container_untake(x, key, space):
    """A zero container of ``space`` with ``x`` in slot ``key`` (the VJP of taking)."""
    items = space.zeros()
    if isinstance(items, dict):
        items[key] = x
        return items
    items = list(items)
    items[key] = x
    return _rebuild(space.kind, items)


@primitive
def make_sequence(kind, *items):
    return _rebuild(kind, items)


@primitive
def make_dict(keys, *values):
    return dict(zip(keys, values))


@primitive
def container_add(a, b):
    if isinstance(a, dict):
        return {k: add_values(a[k], b[k]) for k in a}
    return _rebuild(type(a), [add_values(x, y) for x, y in zip(a, b)])


defvjp(container_take, lambda ans, c, key: _untake_vjp(vspace(c), key))
defvjp(container_untake, lambda ans, x, key, space: lambda g: container_take(g, key))
# ``g[i - 1]``: a rule reading a traced sequence may give its cotangent as an array (as HIPS
# autograd allows); a traced container's indexing is container_take, an array's is numpy's.
defvjp_argnum(make_sequence, lambda i, ans, args, kwargs: lambda g: g[i - 1])
defvjp_argnum(make_dict, lambda i, ans, args, kwargs: lambda g: container_take(g, args[0][i - 1]))
defvjp(container_add, lambda ans, a, b: lambda g: g, lambda ans, a, b: lambda g: g)
for _fun in (container_take, container_untake):
    def_linear(_fun, argnums=(0,))
# Packing and adding are linear jointly, not per argument: each tangent goes to its own slot.
defjvp(container_add, lambda t, ans, a, b: t, lambda t, ans, a, b: t)
defjvp_argnum(make_sequence, lambda i, t, ans, args, kw: container_untake(t, i - 1, vspace(ans)))
defjvp_argnum(make_dict, lambda i, t, ans, args, kw: container_untake(
    t, args[0][i - 1], vspace(ans)))


def _untake_vjp(space, key):
    return lambda g: container_untake(g, key, space)


def _sliced_kind(kind):
    """What slicing or concatenating a ``kind`` gives: a namedtuple's pieces are tuples."""
    return tuple if hasattr(kind, "_fields") else kind


class SequenceBox(Box):
    """A traced tuple or list: index it, take its length, iterate over it, concatenate it, and
    read a namedtuple's fields by name (``np.linalg.eigh(a).eigenvalues``)."""

    __slots__ = ()

    def __getitem__(self, index):
        if isinstance(index, slice):
            items = [self[i] for i in range(*index.indices(len(self)))]
            return make_sequence(_sliced_kind(type(rawval(self))), *items)
        return container_take(self, index)

    def __getattr__(self, name):
        kind = type(rawval(self))
        fields = () if name.startswith("_") else getattr(kind, "_fields", ())
        if name not in fields:
            raise AttributeError(f"a traced {kind.__name__} has no attribute {name!r}")
        return container_take(self, fields.index(name))

    def __len__(self):
        return len(self._value)

    def __iter__(self):
        return (container_take(self, i) for i in range(len(self._value)))

    def __contains__(self, item):
        return item in self._value

    def __add__(self, other):
        return make_sequence(_sliced_kind(type(rawval(self))), *self, *other)

    def __radd__(self, other):
        return make_sequence(_sliced_kind(type(rawval(self))), *other, *self)

    def index(self, item):
        return self._value.index(item)


class DictBox(Box):
    """A traced dict: index by key, iterate over keys, items and values."""

    __slots__ = ()

    def __getitem__(self, key):
        return container_take(self, key)

    def __len__(self):
        return len(self._value)

    def __iter__(self):
        return iter(self._value)

    def __contains__(self, key):
        return key in self._value

    def keys(self):
        return self._value.keys()

    def values(self):
        return [self[k] for k in self._value]

    def items(self):
        return [(k, self[k]) for k in self._value]

    def get(self, key, default=None):
        return self[key] if key in self._value else default


class ContainerVSpace(VSpace):
    """The product of its items' spaces, shaped like the container."""

    __slots__ = ("keys", "kind", "spaces")

    def __init__(self, value):
        self.kind = type(value)
        self.keys = tuple(value) if isinstance(value, dict) else tuple(range(len(value)))
        items = value.values() if isinstance(value, dict) else value
        self.spaces = tuple(vspace(item) for item in items)

    def spec(self):
        return (self.kind, self.keys, self.spaces)

    @property
    def size(self):
        return sum(space.size for space in self.spaces)

    @property
    def entries(self):
        return sum(space.entries for space in self.spaces)

    @property
    def iscomplex(self):
        return any(space.iscomplex for space in self.spaces)

    def build(self, items):
        if self.kind is dict:
            return dict(zip(self.keys, items))
        return _rebuild(self.kind, items)

    def zeros(self):
        return self.build([space.zeros() for space in self.spaces])

    def ones(self):
        return self.build([space.ones() for space in self.spaces])

    def entry_ones(self):
        return self.build([space.entry_ones() for space in self.spaces])

    def randn(self, rng=None):
        return self.build([space.randn(rng) for space in self.spaces])

    def standard_basis(self):
        return self._one_hots(lambda space: space.standard_basis())

    def entry_basis(self):
        return self._one_hots(lambda space: space.entry_basis())

    def _one_hots(self, basis_of):
        for i, space in enumerate(self.spaces):
            for one_hot in basis_of(space):
                self_zeros = [s.zeros() for s in self.spaces]
                self_zeros[i] = one_hot
                yield self.build(self_zeros)

    def items_of(self, x):
        return [x[k] for k in self.keys]

    def add(self, x, y):
        pairs = zip(self.spaces, self.items_of(x), self.items_of(y))
        return self.build([space.add(a, b) for space, a, b in pairs])

    def scalar_mul(self, x, a):
        return self.build([space.scalar_mul(item, a) for space, item in
                           zip(self.spaces, self.items_of(x))])

    def inner_prod(self, a, b):
        pairs = zip(self.spaces, self.items_of(a), self.items_of(b))
        return sum(space.inner_prod(x, y) for space, x, y in pairs)

    def covector(self, x):
        return self.build([s.covector(v) for s, v in zip(self.spaces, self.items_of(x))])

    def flatten(self, x):
        parts = [s.flatten(v) for s, v in zip(self.spaces, self.items_of(x))]
        return numpy.concatenate(parts) if parts else numpy.zeros(0)


def pack_traced(value, trace=None):
    """A container holding boxes (at any depth; of ``trace`` only, when given) as one traced
    container, so that a primitive given a tuple of traced arrays sees the tuple of their
    values and its rule gives a tuple cotangent, as with HIPS autograd's container boxes, and a
    function's container output is one traced value of its trace; any other value as it is."""
    if issubclass(type(value), Box):  # the usual case: already one traced value
        return value

    def pack(node, items):
        if not any(issubclass(type(item), Box) and (trace is None or item._trace == trace)
                   for item in items):
            return node
        if type(node) is dict:
            return make_dict(tuple(node), *items)
        return make_sequence(type(node), *items)

    return tree_fold(value, None, pack, exact=True)


def register_sequence(kind):
    """Differentiate values of ``kind``, a tuple or list type (a namedtuple such as numpy's
    ``EighResult``), as sequences of their items."""
    SequenceBox.register(kind)
    ContainerVSpace.register(kind)
    container_types.add(kind)
    register_branch(kind)


for _kind in (tuple, list):
    register_sequence(_kind)
DictBox.register(dict)
ContainerVSpace.register(dict)
container_types.update({dict, SequenceBox, DictBox})
_container_add.append(container_add)
