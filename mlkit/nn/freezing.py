"""Freezing: leaving parameters of a module tree out of training, by dotted path.

A mixin of :class:`mlkit.nn.Module`: it reads the tree through ``named_modules`` and
``parameters`` and records each frozen name in the module that owns the array.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from mlkit.numpy import ArrayBox
from mlkit.tree import flatten_named
from mlkit.tree import join_path as _join

if TYPE_CHECKING:
    from mlkit.nn.module import Module

__all__ = ["Freezable"]

_ARRAYS = (numpy.ndarray, ArrayBox)


class Freezable:
    """``freeze``/``unfreeze`` for Module, whose instances are the only Freezable objects."""

    def freeze(self, names=None) -> Module:
        """Exclude parameters from ``trainable_parameters()``; returns self.

        Parameters
        ----------
        names : str, iterable of str, or None
            Dotted paths relative to this module (``"weight"``, ``"layers.0"``); a path to a
            submodule or container freezes everything below it. None freezes all parameters.
        """
        self._set_frozen(names, True)
        return self

    def unfreeze(self, names=None) -> Module:
        """Undo :meth:`freeze` for ``names`` (all parameters when None); returns self."""
        self._set_frozen(names, False)
        return self

    def _set_frozen(self, names, frozen):
        if names is None:
            paths = [""]
        else:
            paths = [names] if isinstance(names, str) else list(names)
            if all(_own_array(self, path) for path in paths):  # no tree to walk
                (self._frozen.update if frozen else self._frozen.difference_update)(paths)
                return
            parameters = list(flatten_named(self.parameters()))
            known = set(parameters) | set(dict(self.named_modules(remove_duplicate=False)))
            unknown = [p for p in paths if p not in known
                       and not any(k.startswith(p + ".") for k in known)]
            if unknown:
                raise KeyError(f"{type(self).__name__} has no parameters {unknown}; "
                               f"parameter names: {sorted(parameters)}")
        for prefix in paths:
            for module, local in self._owners(prefix):
                if frozen:
                    module._frozen.add(local)
                else:
                    module._frozen.discard(local)

    def _owners(self, prefix):
        """``(owning module, local path)`` of every parameter at or below dotted ``prefix``."""
        for mpath, module in self.named_modules(remove_duplicate=False):
            for name, value in module._state():
                if isinstance(value, Freezable):
                    continue
                for local in _local_array_paths(name, value):
                    full = _join(mpath, local)
                    if prefix == "" or full == prefix or full.startswith(prefix + "."):
                        yield module, local


def _own_array(module, name) -> bool:
    """True when ``name`` is a public attribute of ``module`` holding a floating-point array:
    then ``module`` owns the parameter ``name`` and no walk is needed to find it."""
    value = module.__dict__.get(name) if isinstance(name, str) and name[:1] != "_" else None
    return isinstance(value, _ARRAYS) and value.dtype.kind == "f"


def _local_array_paths(name, value):
    return [path for path, leaf in flatten_named(value, name).items()
            if isinstance(leaf, _ARRAYS) and leaf.dtype.kind == "f"]
