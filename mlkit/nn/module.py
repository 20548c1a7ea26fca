"""Module: a tree of parameter arrays found by walking the attributes of an object.

Subclass it, call ``super().__init__()``, assign arrays, submodules and lists/tuples/dicts of
them as attributes. Floating-point arrays are parameters, arrays registered with
``register_buffer`` are buffers (saved, never trained), and everything else (ints, strings,
callables, lists of numbers) is configuration. Attributes whose names start with ``_`` are
private and never walked.
"""

from __future__ import annotations

import numpy

from mlkit.nn.freezing import Freezable
from mlkit.nn.state import assign, check_state, merge
from mlkit.numpy import ArrayBox, IndexableArrayBox
from mlkit.tree import flatten_named, is_container, tree_leaves
from mlkit.tree import join_path as _join

__all__ = ["Module"]

_ARRAYS = (numpy.ndarray, ArrayBox)
_SCALARS = frozenset((int, float, bool, str, type(None)))
# What a walk of the module tree selects (buffers and state include non-float buffers).
_PARAMETERS, _TRAINABLE, _BUFFERS, _STATE = range(4)

_NO_INIT = (
    "{cls}.__init__ did not call super().__init__() before {what}. Call it first:\n\n"
    "    class {cls}(Module):\n"
    "        def __init__(self, ...):\n"
    "            super().__init__()\n"
    "            self.weight = ...\n"
)


def _holds_state(value) -> bool:
    """True for arrays, modules, and containers with an array or module somewhere inside."""
    if type(value) is numpy.ndarray or isinstance(value, Module):  # the common attributes
        return True
    if type(value) in _SCALARS:
        return False
    return any(isinstance(leaf, (numpy.ndarray, ArrayBox, Module)) for leaf in tree_leaves(value))


class Module(Freezable):
    """Base class of layers and models: a tree of parameters with train/eval modes.

    Notes
    -----
    ``parameters()`` returns a dict mapping attribute names to arrays or subtrees (a list of
    modules gives a list of dicts), ``update(tree)`` writes such a tree back (partial trees
    allowed), and ``state_dict()`` flattens parameters and buffers to dotted names such as
    ``layers.0.weight``. Arrays are plain numpy arrays at rest; inside
    :func:`mlkit.nn.value_and_grad` the trainable ones are temporarily traced values.
    """

    def __init__(self):
        self.__dict__["_training"] = True
        self.__dict__["_frozen"] = set()
        self.__dict__["_buffers"] = set()

    def __setattr__(self, name, value):
        if "_frozen" not in self.__dict__ and _holds_state(value):
            raise AttributeError(_NO_INIT.format(cls=type(self).__name__,
                                                 what=f"assigning self.{name}"))
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        object.__delattr__(self, name)
        self.__dict__.get("_buffers", set()).discard(name)

    def __call__(self, *args, **kwargs):
        if "_frozen" not in self.__dict__:
            raise RuntimeError(_NO_INIT.format(cls=type(self).__name__, what="the first call"))
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        """The computation of the module; subclasses define this (or ``__call__``)."""
        raise NotImplementedError(
            f"{type(self).__name__} defines no forward(); write forward(self, x) (or __call__) "
            "with mlkit.numpy operations"
        )

    # -- buffers and modes ---------------------------------------------------------------------
    def register_buffer(self, name: str, value) -> None:
        """Store ``value`` as ``self.<name>``: saved by ``state_dict``, never a parameter."""
        if not isinstance(value, _ARRAYS):
            raise TypeError(f"buffer {name!r} must be a numpy array, got {type(value).__name__}")
        setattr(self, name, value)
        self._buffers.add(name)

    @property
    def training(self) -> bool:
        """True in training mode (dropout active, batch norm using batch statistics)."""
        return self._training

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every submodule; returns self."""
        for _, module in self.named_modules():
            module.__dict__["_training"] = bool(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode on this module and every submodule; returns self."""
        return self.train(False)

    # -- walking -------------------------------------------------------------------------------
    def _state(self):
        """The public attributes that hold arrays or modules, in assignment order."""
        for name, value in self.__dict__.items():
            if name[0] != "_" and _holds_state(value):
                yield name, value

    def _child_modules(self):
        """``(dotted path, module)`` of the first module down each attribute path: in a list
        or dict of modules (PyTorch's ModuleList, ModuleDict) each one, named ``layers.0``."""
        for name, value in self._state():
            if type(value) is numpy.ndarray:  # the common attribute, which holds no module
                continue
            for path, leaf in flatten_named(value, name).items():
                if isinstance(leaf, Module):
                    yield path, leaf

    def named_children(self):
        """Yield ``(dotted path, module)`` of each module directly below this one (see
        :meth:`named_modules`: a module held twice comes once, at its first path)."""
        seen = set()
        for path, module in self._child_modules():
            if id(module) not in seen:
                seen.add(id(module))
                yield path, module

    def children(self):
        """Yield each module directly below this one, as :meth:`named_children`."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        """Yield ``(dotted name, module)`` for this module ("" for itself) and every module
        below it, depth first in attribute order (PyTorch's order); a module held at two
        paths (shared) comes once, at its first, unless ``remove_duplicate`` is false.
        ``memo`` is the set of ids already yielded."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for path, module in self._child_modules():
            yield from module.named_modules(memo, _join(prefix, path), remove_duplicate)

    def modules(self):
        """Yield this module and every module below it, as :meth:`named_modules`."""
        for _, module in self.named_modules():
            yield module

    def apply(self, fn) -> Module:
        """Call ``fn(module)`` on each submodule's tree (its submodules first), then on this
        module, PyTorch's order; ``fn`` may assign new arrays (a re-initialisation). Returns
        self."""
        for _, module in self._child_modules():
            module.apply(fn)
        fn(self)
        return self

    def _selected(self, kind, path, array) -> bool:
        if path in self._buffers:
            return kind >= _BUFFERS
        if array.dtype.kind != "f":
            return False
        return kind != _BUFFERS and (kind != _TRAINABLE or path not in self._frozen)

    def _walk(self, kind, slots=None):
        """The tree of the arrays of ``kind``; with ``slots``, also append a writable
        ``(container, key, array)`` for each array taken (``container`` None inside a tuple).

        Runs at every training step, so the common attribute types are tested first.
        """
        tree = {}
        attributes = self.__dict__
        for name, value in attributes.items():
            if name[0] == "_":
                continue
            kind_of_value = type(value)
            if kind_of_value is numpy.ndarray or kind_of_value is IndexableArrayBox:
                if self._selected(kind, name, value):
                    tree[name] = value
                    if slots is not None:
                        slots.append((attributes, name, value))
            elif isinstance(value, Module):
                tree[name] = value._walk(kind, slots)
            elif kind_of_value in _SCALARS:
                continue
            else:
                sub = self._walk_item(name, attributes, name, value, kind, slots)
                if sub is not None:
                    tree[name] = sub
        return tree

    def _walk_item(self, path, container, key, value, kind, slots):
        if isinstance(value, _ARRAYS):
            if not self._selected(kind, path, value):
                return None
            if slots is not None:
                slots.append((None if isinstance(container, tuple) else container, key, value))
            return value
        if isinstance(value, Module):
            return value._walk(kind, slots)
        if not is_container(value) or not _holds_state(value):
            return None  # configuration
        if isinstance(value, dict):
            out = {}
            for k, item in value.items():
                sub = self._walk_item(_join(path, k), value, k, item, kind, slots)
                if sub is not None:
                    out[k] = sub
            return out
        # A dropped array keeps its place as an empty subtree so that indices stay aligned.
        subs = [self._walk_item(_join(path, i), value, i, item, kind, slots)
                for i, item in enumerate(value)]
        return type(value)({} if sub is None else sub for sub in subs)

    def parameters(self) -> dict:
        """The parameter tree: attribute name -> array or subtree (buffers excluded)."""
        return self._walk(_PARAMETERS)

    def trainable_parameters(self) -> dict:
        """The parameter tree without frozen parameters."""
        return self._walk(_TRAINABLE)

    def buffers(self) -> dict:
        """The tree of buffers (such as batch-norm running statistics)."""
        return self._walk(_BUFFERS)

    def named_parameters(self, trainable_only: bool = False):
        """Yield ``(dotted name, array)`` for each parameter (only unfrozen ones if
        ``trainable_only``), the names of :meth:`state_dict`; the arrays themselves, not
        copies."""
        yield from self._flat(_TRAINABLE if trainable_only else _PARAMETERS).items()

    def num_parameters(self, trainable_only: bool = False) -> int:
        """The number of scalar parameters (only unfrozen ones if ``trainable_only``)."""
        tree = self._walk(_TRAINABLE if trainable_only else _PARAMETERS)
        return sum(int(numpy.prod(leaf.shape)) for leaf in tree_leaves(tree))

    # -- writing -------------------------------------------------------------------------------
    def update(self, tree: dict) -> Module:
        """Write the arrays of ``tree`` (shaped like ``parameters()``, possibly partial) back.

        Missing names and empty subtrees leave their arrays unchanged; returns self.
        """
        if not isinstance(tree, dict):
            raise TypeError(f"{type(self).__name__}.update expects a dict tree, got "
                            f"{type(tree).__name__}")
        attributes = self.__dict__
        for name, sub in tree.items():
            current = attributes.get(name) if name[0] != "_" else None
            if current is None:
                raise KeyError(f"{type(self).__name__} has no parameter or submodule {name!r}; "
                               f"it has {[n for n, _ in self._state()]}")
            attributes[name] = merge(type(self).__name__, name, current, sub)
        return self

    # -- state dicts ---------------------------------------------------------------------------
    def _flat(self, kind) -> dict:
        return flatten_named(self._walk(kind))

    def state_dict(self) -> dict:
        """Copies of all parameters and buffers as ``{dotted.name: array}``."""
        both = self._flat(_STATE)
        return {name: numpy.array(array, copy=True) for name, array in both.items()}

    def load_state_dict(self, state: dict, strict: bool = True) -> Module:
        """Load a :meth:`state_dict` (copies are stored); returns self.

        Raises ``ValueError`` listing every problem at once: names missing from ``state`` and
        names the model does not have (both only when ``strict``), and arrays whose shape or
        dtype differs from the model's.
        """
        loaded = check_state(type(self).__name__, self.state_dict(), state, strict)
        for name, value in loaded.items():
            assign(self, name.split("."), value)
        return self

    # -- repr ----------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The configuration shown in ``repr`` (subclasses override)."""
        return ""

    def __repr__(self):
        head = f"{type(self).__name__}({self.extra_repr()})"
        lines = []
        for name, value in self._state():
            lines.extend(self._repr_lines(name, value))
        if not lines:
            return head
        return head + " {\n" + "\n".join("  " + line for line in lines) + "\n}"

    def _repr_lines(self, path, value):
        lines = []
        for name, leaf in flatten_named(value, path).items():
            if isinstance(leaf, Module):
                text = repr(leaf).split("\n")
                lines.extend([f"({name}): {text[0]}"] + text[1:])
            elif isinstance(leaf, _ARRAYS):
                constant = name not in self._buffers and leaf.dtype.kind != "f"
                notes = [kind for kind, flag in (("buffer", name in self._buffers),
                                                 ("frozen", name in self._frozen),
                                                 ("constant", constant)) if flag]
                suffix = f" [{', '.join(notes)}]" if notes else ""
                lines.append(f"{name}: {leaf.dtype}{list(leaf.shape)}{suffix}")
        return lines
