"""YAML text to plain values, safely: ``safe_load`` semantics with the shape checked first.

A file is composed into its node graph once, checked, and only then turned into values:
- its size with every ``*alias`` expanded is counted (each node once, memoized), and a document
  larger than :data:`MAX_VALUES` values is refused before anything walks the expansion, so a
  "billion laughs" file of nested aliases costs milliseconds, not minutes and gigabytes;
- a key written twice in one mapping (YAML would silently keep the last) is reported;
- an alias that makes a value contain itself is reported.
Tags other than the plain ones (``!!python/...``) are refused by the safe constructor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, Problem

__all__ = ["MAX_VALUES", "parse_yaml", "read_yaml_mapping"]

MAX_VALUES = 100_000
"""Largest number of values (scalars, lists, mappings) a document may hold, aliases expanded."""

_KINDS = {"config": ("training config", ("data", "model"), "mlkit train"),
          "sweep": ("sweep file", ("base",), "mlkit sweep"),
          "landscape": ("landscape file", ("function",), "mlkit landscape")}
"""Per kind of YAML file: what to call it, the top-level keys that give it away, its command."""


def parse_yaml(text: str, source: str, where: str = "") -> Any:
    """The values of YAML ``text``; ConfigError naming ``source`` (and ``where``) otherwise."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check(node, source, where)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        raise _syntax_error(error, source, where, text) from None
    except RecursionError:
        raise ConfigError(source, [Problem(where, "is nested too deeply to be a config",
                                           hint="write a flatter document")]) from None
    finally:
        loader.dispose()


def read_yaml_mapping(path: Path, kind: str, needs: str, example: str) -> dict:
    """The mapping a YAML file of ``kind`` ("config", "sweep", ...) holds at its top level.

    Every way the file can be unusable (missing, a folder, not text, empty, not a mapping) is a
    ConfigError naming it; ``needs`` says what the mapping must hold and ``example`` where a
    complete one is, so that each kind of file reports its problems alike."""
    source = str(path)
    if not path.exists():
        named = [f"{path}{end}" for end in (".yaml", ".yml") if Path(f"{path}{end}").is_file()]
        hint = (f"did you mean {named[0]}?" if named else
                f"check the path; relative paths start from {Path.cwd()}; {example}")
        raise ConfigError(source, [Problem("", f"{kind} file not found", hint=hint)])
    if path.is_dir():
        found = sorted(p.name for p in path.glob("*.y*ml"))
        hint = f"pick one of: {', '.join(found)}" if found else "pass a .yaml file"
        raise ConfigError(source, [Problem("", f"is a directory, not a {kind} file",
                                           hint=hint)])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(source, [Problem("", "is not UTF-8 text",
                                           hint=f"a {kind} file is YAML text")]) from None
    except OSError as error:
        raise ConfigError(source, [Problem("", f"cannot be read: {error.strerror}")]) from None
    raw = parse_yaml(text, source)
    if raw is None:
        raise ConfigError(source, [Problem("", "is empty", hint=(
            f"a {kind} file needs {needs}; {example}"))])
    if not isinstance(raw, dict):
        raise ConfigError(source, [Problem("", f"must be a mapping with {needs} at the top "
                                           f"level, not a {type(raw).__name__}", raw,
                                           example)])
    _check_kind(raw, kind, source, example)
    return raw


def _check_kind(raw: dict, kind: str, source: str, example: str) -> None:
    """Refuse, in one line, a file of another kind (a training config given to mlkit sweep)."""
    name, keys, _ = _KINDS.get(kind, (f"{kind} file", (), ""))
    if any(key in raw for key in keys):
        return
    for other, (other_name, other_keys, command) in _KINDS.items():
        if other != kind and any(key in raw for key in other_keys):
            raise ConfigError(source, [Problem("", f"looks like a {other_name}, not a {name}",
                                               hint=f"run it with {command} {source}; {example}")])


def _syntax_error(error: yaml.YAMLError, source: str, where: str, text: str) -> ConfigError:
    mark = getattr(error, "problem_mark", None)
    at = f"line {mark.line + 1}, column {mark.column + 1}" if mark and not where else where
    problem = getattr(error, "problem", None) or str(error)
    if isinstance(error, yaml.constructor.ConstructorError) and "tag" in problem:
        return ConfigError(source, [Problem(at, "YAML tags such as !!python/... are not allowed",
                                            hint="write plain values only")])
    alias = "alias" in f"{getattr(error, 'context', '')} {problem}"  # *.bias: YAML's *alias
    reserved = alias or text.lstrip()[:1] in ("%", "@", "`") or any(
        f"character '{c}'" in problem for c in "%@`")
    key, value = ("optimizer.groups.0.params", "'*.bias'") if alias else (
        "data.csv.date_format", "'%d/%m/%Y'")
    # on a command line, quotes the shell removes never reach YAML
    example = (f"\"{key}={value}\" (the shell's quotes around YAML's)" if where
               else f"{key.rpartition('.')[2]}: {value}")
    return ConfigError(source, [Problem(at, f"not valid YAML: {problem}", hint=(
        f"put the value in quotes, as in {example}; YAML reserves *, %, @ and ` at the start "
        "of a value" if reserved else "fix the syntax here"))])


def _check(root: yaml.Node, source: str, where: str) -> None:
    """Raise ConfigError for an oversized expansion, repeated keys or a self-containing alias.

    Each distinct node is visited once, so the cost is linear in the length of the text."""
    sizes: dict[int, int] = {}
    problems: list[Problem] = []

    def size(node: yaml.Node, path: str, open_nodes: set[int]) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            problems.append(Problem(path or where, "contains itself through a YAML alias",
                                    hint="configs must be trees; copy the value instead"))
            return 1
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                name = f"{path}.{key_node.value}" if path else str(key_node.value)
                if isinstance(key_node, yaml.ScalarNode) and key_node.value in seen:
                    line = key_node.start_mark.line + 1
                    problems.append(Problem(name, f"written twice (again on line {line})",
                                            hint="keep one; YAML would silently use the last"))
                seen.add(key_node.value if isinstance(key_node, yaml.ScalarNode) else None)
                total += size(key_node, name, open_nodes) + size(value_node, name, open_nodes)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                total += size(item, f"{path}[{i}]", open_nodes)
        open_nodes.discard(key)
        sizes[key] = total = min(total, MAX_VALUES + 1)
        return total

    total = size(root, "", set())
    if problems:
        raise ConfigError(source, problems)
    if total > MAX_VALUES:
        raise ConfigError(source, [Problem(where, (
            f"expands to more than {MAX_VALUES:,} values through its YAML aliases (*name)"),
            hint="a config is small: write the values out, or use fewer nested aliases")])
