"""ConfigError and the translation of pydantic's errors into one line per problem.

Every problem reads `<file>: <dotted.path>: <problem> (got <value>); <hint>`, so a user sees what
is wrong, where, and what is allowed, for all problems at once and without pydantic's wording.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from mlkit import registry
from mlkit.options import did_you_mean

NO_VALUE = object()
"""Marks a problem that has no offending value to show (a missing key, say)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config: where, what, the offending value and how to fix it."""

    path: str
    message: str
    value: Any = NO_VALUE
    hint: str = ""
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, conflict, path: str | None = None, fix: str | None = None) -> Problem:
        """The problem a library rule's :class:`~mlkit.options.OptionConflict` states, at
        ``path`` (default: the option it names; ``""``: the field being validated), with
        ``fix`` in a config's words if given."""
        return cls(conflict.option if path is None else path, conflict.reason, conflict.value,
                   fix or conflict.fix)

    def render(self, source: str) -> str:
        """The problem as one line, prefixed with the config's file name."""
        where = f"{source}: {self.path}" if self.path else f"{source}"
        text = f"{where}: {self.message}"
        if self.value is not NO_VALUE:
            text += f" (got {show(self.value)})"
        if self.hint:
            text += f"; {self.hint}"
        return text + "".join(f" [{note}]" for note in self.notes)


class ConfigError(ValueError):
    """A config that cannot be used; the message lists every problem found, one per line."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems)
        lines = [problem.render(source) for problem in self.problems]
        if len(lines) > 1:
            lines.insert(0, f"{source}: {len(lines)} problems in the config:")
        super().__init__("\n".join(lines))


def show(value: Any, limit: int = 80) -> str:
    """A value written the way YAML would write it (null, true, 'text', [1, 2]), cut to `limit`.

    Containers stop being written once `limit` is passed, so a huge value costs no more than a
    short one."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (list, tuple, dict)):
        mapping = isinstance(value, dict)
        text = "{" if mapping else "["
        for i, item in enumerate(value.items() if mapping else value):
            if len(text) > limit:
                break
            part = f"{show(item[0], limit)}: {show(item[1], limit)}" if mapping else \
                show(item, limit)
            text += (", " if i else "") + part
        else:
            text += "}" if mapping else "]"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def choices(options) -> str:
    """Options listed for a message: 'a', 'b', 'c'."""
    return ", ".join(f"'{o}'" for o in options)


# ----------------------------------------------------------------------------- schema walking

def _plain(tp: Any) -> Any:
    """`tp` without Annotated metadata and without an optional None."""
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if get_origin(tp) in (Union, types.UnionType):
        members = [arg for arg in get_args(tp) if arg is not type(None)]
        if len(members) == 1:
            return _plain(members[0])
    return tp


def _model(tp: Any) -> type[BaseModel] | None:
    tp = _plain(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _union_members(tp: Any, discriminator: str) -> dict[str, type[BaseModel]]:
    """Each tag of a discriminated union mapped to the model it selects."""
    members = {}
    for member in get_args(_plain(tp)):
        for tag in get_args(_plain(member.model_fields[discriminator].annotation)):
            members[tag] = member
    return members


@dataclass
class _Site:
    """Where a pydantic location points in the schema: its dotted path and the model owning it."""

    parts: list[str]
    owner: type[BaseModel] | None = None
    union: dict[str, type[BaseModel]] | None = None
    tag: str | None = None
    section: str = ""

    @property
    def path(self) -> str:
        return ".".join(self.parts)


def _locate(root: type[BaseModel], loc: tuple) -> _Site:
    """Follow `loc` through the schema, dropping discriminator tags from the dotted path. An
    item of a list of values is `key[i]`; one of a list of sections `key.i`, as overrides
    name it (`optimizer.groups.1.lr=0.01`)."""
    site = _Site(parts=[])
    node: Any = root
    items = list(loc)
    i = 0
    while i < len(items):
        key = items[i]
        model = _model(node)
        if isinstance(key, int) and site.parts:
            args = get_args(_plain(node))
            node = args[0] if args else None
            if _model(node) is None:
                site.parts[-1] += f"[{key}]"
            else:  # a section in a list: its dotted path, as an override writes it
                site.parts.append(str(key))
        elif model is not None:
            if site.owner is not model:
                site.owner, site.union, site.tag = model, None, None
            site.parts.append(str(key))
            info = model.model_fields.get(key) if isinstance(key, str) else None
            node = info.annotation if info else None
            if info and info.discriminator and i + 1 < len(items):
                site.union = _union_members(node, info.discriminator)
                site.tag, site.section = items[i + 1], site.path
                node = site.union.get(site.tag)
                site.owner = _model(node)
                i += 1
        else:
            site.parts.append(str(key))
            args = get_args(_plain(node))
            node = args[-1] if args else None
        i += 1
    return site


# ----------------------------------------------------------------------------- translation

_TYPE_WORDS = {
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "finite_number": "must be a finite number",
}
_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
           "less_than_equal": "<="}


def _unknown_key(site: _Site, key: str, value: Any) -> Problem:
    fields = list(site.owner.model_fields) if site.owner else []
    if site.union is not None:
        kind = site.section.rsplit(".", 1)[-1]
        component = registry.SCHEDULES.get(site.tag) if kind == "schedule" else None
        if key in getattr(component, "python_only", ()):
            return Problem(site.path, f"'{key}' of {kind} '{site.tag}' is Python only: it takes "
                           "or serves a Python function, which a config cannot hold", value,
                           f"build optim.{component.build.__name__} in Python and pass it to "
                           f"fit(schedule=...), or leave {key} out")
        elsewhere = [tag for tag, m in site.union.items() if key in m.model_fields]
        hint = f"options of {kind} '{site.tag}': {', '.join(fields)}"
        if elsewhere:
            hint += f"; '{key}' is an option of: {', '.join(elsewhere)}"
        else:
            hint += did_you_mean(key, fields)
        return Problem(site.path, f"'{key}' is not an option of {kind} '{site.tag}'", value, hint)
    message = f"unknown key '{key}'" + did_you_mean(key, fields)
    return Problem(site.path, message, value, f"valid keys here: {', '.join(fields)}")


def _former_spelling(site: _Site, key: str, value: Any) -> Problem | None:
    """A key or value as an earlier version spelled it (see a section's ``renamed`` and
    ``respelled``), with today's spelling; None when it is no such thing."""
    renamed = getattr(site.owner, "renamed", {}).get(key)
    if renamed is not None:
        listed = get_origin(site.owner.model_fields[renamed].annotation) is list
        now = [value] if listed and isinstance(value, str) else value  # `id` also took one name
        return Problem(site.path, f"was renamed {renamed}", value, f"write {renamed}: {show(now)}")
    values = getattr(site.owner, "respelled", {}).get(key, {})
    if not isinstance(value, str) or value not in values:
        return None
    now = show(values[value])
    default = site.owner.model_fields[key].default == values[value]
    return Problem(site.path, f"{show(value)} is now written {now}", hint=f"write {key}: {now}"
                   + (f", or leave {key} out ({now} is the default)" if default else ""))


def _translate_one(error: dict, root: type[BaseModel]) -> list[Problem]:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input", NO_VALUE)
    site = _locate(root, error["loc"])
    path = site.path
    if kind == "config_conflict":
        return [Problem(".".join(filter(None, (path, p.path))), p.message, p.value, p.hint)
                for p in ctx["problems"]]
    if kind in ("extra_forbidden", "literal_error", "invalid_value"):
        former = _former_spelling(site, str(error["loc"][-1]), value)
        if former is not None:
            return [former]
    if kind == "extra_forbidden":
        return [_unknown_key(site, str(error["loc"][-1]), value)]
    if kind == "missing":
        return [Problem(path, "required key is missing", hint=_missing_hint(site))]
    if kind in ("literal_error", "union_tag_invalid"):
        if kind == "union_tag_invalid":
            path, value = f"{path}.{ctx['discriminator'].strip(chr(39))}", ctx["tag"]
            python_only = registry.PYTHON_ONLY.get(path.split(".")[-2], {}).get(value)
            if python_only is not None:
                return [Problem(path, f"is {python_only.__name__}, which takes a Python function "
                                "that a config cannot hold", value,
                                f"build optim.{python_only.__name__} in Python and pass it to "
                                "fit(schedule=...), or use a schedule a config can name")]
        allowed = re.findall(r"'([^']*)'", ctx.get("expected") or ctx.get("expected_tags", ""))
        hint = f"allowed: {choices(allowed)}" + did_you_mean(value, allowed)
        return [Problem(path, "not an allowed value", value, hint)]
    if kind == "union_tag_not_found":
        info = site.owner.model_fields[site.parts[-1]]
        tags = _union_members(info.annotation, info.discriminator)
        return [Problem(f"{path}.name", "required key is missing",
                        hint=f"give it a name, one of: {choices(tags)}")]
    if kind in _BOUNDS:
        bound = next(iter(ctx.values()))
        return [Problem(path, f"must be {_BOUNDS[kind]} {show(bound)}", value)]
    if kind in ("too_short", "too_long"):
        word = "at least" if kind == "too_short" else "at most"
        size = ctx.get("min_length", ctx.get("max_length"))
        return [Problem(path, f"must have {word} {size} item{'s' * (size != 1)}", value)]
    if kind in _TYPE_WORDS:
        return [Problem(path, _TYPE_WORDS[kind], value, _by_name_hint(site, value))]
    message = error["msg"].removeprefix("Value error, ")
    return [Problem(path, message[:1].lower() + message[1:], value)]


def _by_name_hint(site: _Site, value: Any) -> str:
    """For a component chosen by name but written as a bare word: how to write it."""
    info = site.owner.model_fields.get(site.parts[-1]) if site.owner else None
    if info is not None and info.discriminator and isinstance(value, str):
        return f"write it as {site.parts[-1]}: {{{info.discriminator}: {value}}}"
    return ""


def _missing_hint(site: _Site) -> str:
    info = site.owner.model_fields.get(site.parts[-1]) if site.owner else None
    if info is None:
        return ""
    if info.discriminator:
        names = list(_union_members(info.annotation, info.discriminator))
        return f"add it with a name, one of: {choices(names)}"
    if get_origin(_plain(info.annotation)) is Literal:
        return f"allowed: {choices(get_args(_plain(info.annotation)))}"
    text = (info.description or "").split("\n")[0].rstrip(".")
    return f"expected: {text[:1].lower()}{text[1:]}" if text else ""


def validated(model: type[BaseModel], raw: Any, source: str, adjust=None) -> Any:
    """``model`` validated from ``raw``, or a ConfigError from ``source`` listing every problem
    (each passed through ``adjust`` when given)."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        problems = translate(error.errors(include_url=False), model)
        raise ConfigError(source, list(map(adjust, problems)) if adjust else problems) from None


def translate(errors: list[dict], root: type[BaseModel]) -> list[Problem]:
    """pydantic's `ValidationError.errors()` for model `root` as Problems, duplicates removed."""
    problems: list[Problem] = []
    for error in errors:
        for problem in _translate_one(error, root):
            if problem not in problems:
                problems.append(problem)
    return problems
