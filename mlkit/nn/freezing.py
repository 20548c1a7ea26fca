"""Freezing: leaving parameters of a module tree out of training, by dotted path.

A mixin of :class:`mlkit.nn.Module`: it reads the tree through ``named_modules`` and
``parameters`` and records each frozen name in the module that owns the array.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from mlkit.nn.state import flatten
from mlkit.nn.state import items_of as _items
from mlkit.nn.state import join_path as _join
from mlkit.numpy import ArrayBox

if TYPE_CHECKING:
    from mlkit.nn.module import Module

__all__ = ["Freezable"]

_ARRAYS = (numpy.ndarray, ArrayBox)
_CONTAINERS = (list, tuple, dict)


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
            parameters = [name for name, _ in flatten(self.parameters())]
            known = set(parameters) | set(dict(self.named_modules()))
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
        for mpath, module in self.named_modules():
            for name, value in module._state():
                if isinstance(value, Freezable):
                    continue
                for local in _local_array_paths(name, value):
                    full = _join(mpath, local)
                    if prefix == "" or full == prefix or full.startswith(prefix + "."):
                        yield module, local


def _local_array_paths(name, value):
    if isinstance(value, _ARRAYS):
        return [name] if value.dtype.kind == "f" else []
    if isinstance(value, _CONTAINERS):
        return [p for key, item in _items(value) if not isinstance(item, Freezable)
                for p in _local_array_paths(_join(name, key), item)]
    return []
