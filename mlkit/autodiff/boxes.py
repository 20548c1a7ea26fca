"""What a traced value is: a Box holding the raw value, its trace's id and the Node that
produced it, and the table of the Box class each value type is traced with."""

import copy
import itertools

__all__ = ["Box", "Node", "box_classes", "new_box", "new_trace_id"]

_trace_ids = itertools.count(1)


class _BoxTable(dict):
    """Value type -> the class boxing it; a box is boxed again with its own class, found without
    a key (box classes may hash as one another, ArrayBox's do; the engine tests by subclass)."""

    def __missing__(self, kind):
        if isinstance(kind, type) and issubclass(kind, Box):
            return kind
        raise KeyError(kind)


box_classes = _BoxTable()


def new_trace_id() -> int:
    """A fresh trace id, larger than every id handed out before (so nesting orders itself)."""
    return next(_trace_ids)


class Node:
    """What a trace records for one value; subclasses hold what their pass needs.

    A recording trace (``mlkit.jit``) stands for values computed later, at replay: its nodes
    are ``opaque``, so ``getval`` stops at their boxes (code that reads a traced value's raw
    numbers keeps recording), and each time one of its values becomes a plain Python value
    the node's ``concrete`` hears of it (to check that value again at replay).
    """

    __slots__ = ("parents",)
    opaque = False

    def concrete(self, convert, value):
        """``value``, which ``convert`` made from this node's raw value."""
        return value

    @classmethod
    def new_root(cls, *args, **kwargs):
        """The node of a traced input: made without ``__init__`` (which records a call), then
        set up by ``initialize_root(*args, **kwargs)``."""
        root = cls.__new__(cls)
        root.initialize_root(*args, **kwargs)
        return root

    def initialize_root(self, *args, **kwargs):
        """Set up a root node; a subclass that keeps more per node sets that up here too."""
        self.parents = ()


class Box:
    """A traced value: the raw value, its trace id and the node that produced it."""

    __slots__ = ("_node", "_trace", "_value")

    def __init__(self, value, trace, node):
        self._value = value
        self._trace = trace
        self._node = node

    def __repr__(self):
        return f"{type(self).__name__}({self._value!r}, trace={self._trace})"

    def __deepcopy__(self, memo):
        """A copy on the same node, so the derivative flows through it as through the original
        (copying the node too would cut the copy off the trace and silently drop its share)."""
        copied = copy.copy(self)
        copied._value = copy.deepcopy(self._value, memo)
        return copied

    @classmethod
    def register(cls, value_type):
        """Box values of ``value_type`` with this class when they are traced."""
        box_classes[value_type] = cls


# As in HIPS autograd, the type-to-box table is reachable as ``Box.type_mappings``: a library may
# put a factory ``f(value, trace, node) -> box`` there for an array type of its own.
Box.type_mappings = box_classes


def new_box(value, trace, node):
    """Box ``value`` for ``trace``; a value type nobody registered cannot be traced."""
    try:
        return box_classes[type(value)](value, trace, node)
    except KeyError:
        raise TypeError(
            f"mlkit cannot trace a value of type {type(value).__name__}: differentiable values are "
            "floats, complex numbers, numpy arrays and tuples/lists/dicts of them"
        ) from None
