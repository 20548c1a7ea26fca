"""Python's container builtins for traced values: ``tuple``, ``list``, ``dict``, ``isinstance``.

``tuple(xs)`` of traced values is one traced tuple (not a tuple of boxes), so it can be passed
whole to a primitive, returned, indexed and differentiated slot by slot; ``list`` and ``dict``
alike. ``isinstance`` and ``type`` answer for the value under the box, so code that branches
on ``isinstance(x, tuple)`` or ``type(x) is dict`` takes the same branch when traced.
"""

import builtins

from mlkit.autodiff.containers import (
    ContainerVSpace,
    DictBox,
    SequenceBox,
    make_dict,
    make_sequence,
)
from mlkit.autodiff.tracer import getval

__all__ = ["ContainerVSpace", "DictBox", "SequenceBox", "dict", "isinstance", "list", "tuple",
           "type"]


def isinstance(obj, classinfo):
    """``builtins.isinstance`` of the value under any boxes."""
    return builtins.isinstance(getval(obj), classinfo)


def type(obj):
    """The type of the value under any boxes (``float`` or ``ndarray``, never a box class)."""
    return builtins.type(getval(obj))


class _AnswersForTheValue(builtins.type):
    """Instance checks that look through boxes: a traced tuple is an instance of ``tuple``."""

    def __instancecheck__(cls, instance):
        return builtins.isinstance(getval(instance), cls.__mro__[1])

    def __subclasscheck__(cls, subclass):
        return builtins.issubclass(subclass, cls.__mro__[1])


class tuple(builtins.tuple, metaclass=_AnswersForTheValue):
    """``tuple(iterable)``: one traced tuple when any item is traced, else a plain tuple."""

    def __new__(cls, iterable=()):
        return make_sequence(builtins.tuple, *iterable)


class list(builtins.list, metaclass=_AnswersForTheValue):
    """``list(iterable)``: one traced list when any item is traced, else a plain list."""

    def __new__(cls, iterable=()):
        return make_sequence(builtins.list, *iterable)


class dict(builtins.dict, metaclass=_AnswersForTheValue):
    """``dict(...)`` with the builtin's arguments: one traced dict when any value is traced."""

    def __new__(cls, *args, **kwargs):
        plain = builtins.dict(*args, **kwargs)
        return make_dict(builtins.tuple(plain), *plain.values())
