"""Read a YAML config, apply command-line overrides, validate it, and write it back out.

Overrides are `key.path=value` (the value read as YAML: `training.epochs=5`,
`model.hidden=[64,32]`, `optimizer.name=sgd`, a list's item by its number:
`optimizer.groups.0.lr=1e-4`) or `~key.path` to remove a key. They edit the raw
mapping before validation, so they are checked exactly like the file. An override that changes a
component's name leaves out the options set so far that the new component lacks (SGD's momentum
when switching to Adam), as choosing it in the file would; options given after it are checked
against the new component.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import yaml

from mlkit.options import did_you_mean
from mlkit.tree import tree_map

from .components import ClassifierLossSection
from .errors import ConfigError, Problem, _plain, choices, validated
from .schema import Config
from .sections import CsvSource
from .yaml_text import parse_yaml, read_yaml_mapping

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXAMPLE = "see configs/logreg.yaml for a complete example"


def load_config(path: str | Path, overrides: list[str] | tuple[str, ...] = (), *,
                saved: bool = False, say=None) -> Config:
    """The validated config in file `path` with `overrides` applied; ConfigError otherwise.

    `name` defaults to the file's stem; a relative `data.csv.path` in the file starts from the
    file's folder (one set by an override, from the current directory). Checks run in three
    stages (the file, the overrides' syntax, the schema); each stage reports all of its problems
    at once, each naming its dotted key path, the bad value and what is allowed. `saved` marks
    a run's config.yaml, which an earlier version may have written: its data.csv options are
    read in today's names and spellings. `say` is told the options a name override left out.
    """
    path = Path(path)
    raw = _read_mapping(path)
    if saved:
        _spell_now(raw)
    raw = apply_overrides(raw, overrides, source=str(path), say=say)
    if raw.get("name") is None:
        raw["name"] = path.stem
    return validate_config(raw, source=str(path), overrides=overrides)


def validate_config(raw: dict, source: str = "<config>",
                    overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Validate a raw mapping into a Config; problems caused by an override are marked so."""
    return validated(Config, raw, source, lambda problem: _blame(problem, overrides))


def _read_mapping(path: Path) -> dict:
    raw = read_yaml_mapping(path, "config", "at least the data, model and loss sections",
                            _EXAMPLE)
    _resolve_data_path(raw, path.parent)
    return raw


def _spell_now(raw: dict) -> None:
    """Read a run's saved config in today's option names and spellings (see
    :meth:`Section.spelled_now`)."""
    csv = _csv_section(raw)
    if csv is not None:
        raw["data"]["csv"] = CsvSource.spelled_now(csv)
    if isinstance(raw.get("loss"), dict):
        raw["loss"] = ClassifierLossSection.spelled_now(raw["loss"])


def _resolve_data_path(raw: dict, folder: Path) -> None:
    """Make a relative `data.csv.path` written in a file start from that file's folder, so a
    config reads the same data from any current directory."""
    csv = _csv_section(raw)
    if csv is not None and isinstance(csv.get("path"), str) and csv["path"] and \
            not Path(csv["path"]).expanduser().is_absolute():
        csv["path"] = str((folder / csv["path"]).absolute())


def _csv_section(raw: dict) -> dict | None:
    """The `data.csv` mapping of a raw config, if it has one."""
    csv = raw.get("data", {}).get("csv") if isinstance(raw.get("data"), dict) else None
    return csv if isinstance(csv, dict) else None


def apply_overrides(raw: dict, overrides: list[str] | tuple[str, ...],
                    source: str = "<config>", say=None) -> dict:
    """A copy of `raw` with every `key.path=value` and `~key.path` override applied in order;
    `say` (if given) is told which options each component change left out."""
    result = tree_map(lambda leaf: leaf, raw)  # a copy of every container
    problems, gone = [], set()
    for text in overrides:
        if text.startswith("~") and text[1:].strip() in gone and not _holds(result, text[1:]):
            continue  # removing what a name change left out, as written before it did so
        try:
            left_out = _apply_one(result, text, source)
        except ConfigError as error:
            problems += error.problems
            continue
        gone.update(left_out)
        if left_out and say is not None:
            section, name = left_out[0].partition(".")[0], text.partition("=")[2].strip()
            options = ", ".join(key.partition(".")[2] for key in left_out)
            say(f"note: override '{text}' leaves out {options} ({section} {name!r} has no "
                f"such option{'s' if len(left_out) > 1 else ''})")
    if problems:
        raise ConfigError(source, problems)
    return result


def _holds(raw: dict, key: str) -> bool:
    """Whether `raw` has a value at the dotted `key` (set again after a name change left it
    out, it is removed as asked)."""
    for part in key.strip().split("."):
        if not isinstance(raw, dict) or part not in raw:
            return False
        raw = raw[part]
    return True


def _apply_one(raw: dict, text: str, source: str) -> list[str]:
    """Apply one override to `raw`; the dotted keys a component change left out."""
    label = f"override '{text}'"
    remove = text.startswith("~")
    key, sep, value_text = text[remove:].partition("=")
    if remove and sep:
        raise ConfigError(source, [Problem(label, "removal takes no value",
                                           hint=f"write ~{key}")])
    if not remove and not sep:
        raise ConfigError(source, [Problem(label, "has no '='",
                                           hint="write key.path=value, e.g. training.epochs=5")])
    parts = key.strip().split(".")
    if not all(_KEY.fullmatch(part) or part.isdigit() for part in parts[1:]) or not \
            _KEY.fullmatch(parts[0]):
        raise ConfigError(source, [Problem(label, "key must be dotted names such as "
                                           "optimizer.lr", key, "a list's item is named by its "
                                           "number: optimizer.groups.0.lr")])
    node = raw
    for depth, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            child = node[_item(node, parts, depth, label, source)]
        elif not remove and parts[depth + 1].isdigit() and node.get(part) is None:  # no list
            child = _item([], parts, depth + 1, label, source)
        else:
            child = node.get(part) if remove else node.setdefault(part, {})
        if remove and child is None:
            raise ConfigError(source, [Problem(label, "nothing to remove", hint=(
                f"{'.'.join(parts[: depth + 1])} is not set"))])
        if not isinstance(child, (dict, list)):
            where = ".".join(parts[: depth + 1])
            raise ConfigError(source, [Problem(label, f"{where} is not a mapping here", child,
                                               f"set {where} itself instead")])
        node = child
    if isinstance(node, list):
        index = _item(node, parts, len(parts) - 1, label, source)
        if remove:
            del node[index]
        else:
            node[index] = parse_yaml(value_text, source, where=label)
        return []
    if remove:
        if parts[-1] not in node:
            raise ConfigError(source, [Problem(label, "nothing to remove", hint=(
                f"present here: {choices(node)}" + did_you_mean(parts[-1], node)))])
        del node[parts[-1]]
        return []
    value = parse_yaml(value_text, source, where=label)
    left_out = []
    if len(parts) == 2 and parts[1] == "name" and node.get("name") != value:
        left_out = [f"{parts[0]}.{option}" for option in _foreign_options(parts[0], value, node)]
        for key in left_out:
            del node[key.partition(".")[2]]
        groups = node.get("groups")
        for i, group in enumerate(groups if isinstance(groups, list) else ()):
            if isinstance(group, dict):
                foreign = _foreign_options(parts[0], value, {
                    option: None for option in group if option != "params"})
                left_out += [f"{parts[0]}.groups.{i}.{option}" for option in foreign]
                for option in foreign:
                    del group[option]
    node[parts[-1]] = value
    return left_out


def _item(items: list, parts: list[str], depth: int, label: str, source: str) -> int:
    """The index ``parts[depth]`` names in the list ``items`` (a number, within its length)."""
    where = ".".join(parts[:depth])
    if not items:  # nothing to name: the list is set whole
        raise ConfigError(source, [Problem(label, f"{where} has no items to number", parts[depth],
                                           f"set the list whole, e.g. {where}=[...]")])
    if not parts[depth].isdigit() or int(parts[depth]) >= len(items):
        raise ConfigError(source, [Problem(label, f"{where} is a list of {len(items)} items, "
                                           f"numbered 0 to {len(items) - 1}", parts[depth],
                                           f"name an item by its number, e.g. {where}.0")])
    return int(parts[depth])


def _foreign_options(section: str, name, options: dict) -> list[str]:
    """The keys of `options` (a raw config section) that component `name` of `section` does
    not accept (none when `name` names no component there)."""
    fields = Config.model_fields.get(section)
    annotation = _plain(fields.annotation) if fields is not None else None
    for member in get_args(annotation):
        accepted = getattr(member, "model_fields", {})
        if "name" in accepted and name in get_args(accepted["name"].annotation):
            return [option for option in options if option not in accepted]
    return []


def _blame(problem: Problem, overrides) -> Problem:
    """Add a note to `problem` for each override that set its key or its section's name."""
    notes = list(problem.notes)
    for text in overrides:
        key = text.lstrip("~").partition("=")[0].strip()
        if problem.path == key or key.startswith(problem.path + ".") or \
                problem.path.startswith((key + ".", key + "[")):
            notes.append(f"from override '{text}'")
        elif key.endswith(".name") and problem.path.startswith(key[: -len("name")]):
            note = f"{key} set by override '{text}'"
            if "is not an option of" in problem.message:
                note += f"; remove the option with ~{problem.path}"
            notes.append(note)
    if not notes:
        return problem
    return Problem(problem.path, problem.message, problem.value, problem.hint, tuple(notes))


def config_to_dict(config: Config) -> dict:
    """The resolved config, every default filled in, as plain YAML-ready values."""
    return config.model_dump(mode="python")


def config_to_yaml(config: Config) -> str:
    """The resolved config as YAML text that `load_config` reads back to an equal Config."""
    return yaml.safe_dump(config_to_dict(config), sort_keys=False, default_flow_style=False,
                          allow_unicode=True)

