"""A component's options read from its own signature, type hints and docstring.

Each option is a keyword parameter of the component's callable: its type hint is its type, its
default (if any) is the one default, and its entry in the numpydoc ``Parameters`` section is its
help. The config schema is built from these, so YAML cannot drift from Python.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["REQUIRED", "Option", "parameter_help", "plain_text", "signature_options"]

REQUIRED = inspect.Parameter.empty
"""The default of an option that has none (it must be given)."""

_ENTRY = re.compile(r"^(\w+(?:\s*,\s*\w+)*)\s*(?::.*)?$")


@dataclass(frozen=True)
class Option:
    """One option of a component: its name, type hint, default (or REQUIRED) and help."""

    name: str
    hint: Any
    default: Any
    help: str


def _target(component: Callable) -> Callable:
    return component.__init__ if isinstance(component, type) else component


def parameter_help(component: Callable) -> dict[str, str]:
    """``{parameter: description}`` from the ``Parameters`` section of a numpydoc docstring."""
    lines = inspect.cleandoc(component.__doc__ or "").splitlines()
    found: dict[str, str] = {}
    names: list[str] = []
    inside = False
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and set(following.strip()) == {"-"}:  # a section title
            inside, names = line.strip() == "Parameters", []
            continue
        if not inside or set(line.strip()) == {"-"}:
            continue
        if not line.startswith(" "):
            match = _ENTRY.match(line)
            names = [name.strip() for name in match.group(1).split(",")] if match else []
        elif line.strip() and names:
            for name in names:
                found[name] = f"{found[name]} {line.strip()}" if name in found else line.strip()
    return {name: plain_text(text) for name, text in found.items()}


def plain_text(text: str) -> str:
    """Docstring markup removed: ``:math:`x```, ``:class:`~x``` and ````x```` become ``x``."""
    return re.sub(r":\w+:`~?([^`]*)`", r"\1", text).replace("``", "")


def signature_options(component: Callable, skip=(), keyword_defaults_only=False) -> list[Option]:
    """The options of ``component`` (a function or a class, read from ``__init__``).

    ``skip`` names parameters its caller supplies; ``keyword_defaults_only`` keeps only
    parameters that have a default (the inputs of a loss, say, are not options). Raises
    TypeError for an option without a type hint, so every declared option is typed.
    """
    hints = typing.get_type_hints(_target(component), include_extras=True)
    helps: dict[str, str] = {}
    for owner in reversed(component.__mro__ if isinstance(component, type) else (component,)):
        helps.update(parameter_help(owner))
    options = []
    for parameter in inspect.signature(component).parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD,
                              parameter.POSITIONAL_ONLY) or parameter.name in skip:
            continue
        if keyword_defaults_only and parameter.default is REQUIRED:
            continue
        if parameter.name not in hints:
            raise TypeError(f"{component.__qualname__}: option {parameter.name!r} has no type "
                            "hint; the config schema is derived from it")
        options.append(Option(parameter.name, hints[parameter.name], parameter.default,
                              helps.get(parameter.name, "")))
    return options
