"""The rules of load_csv's options that need no file, each stated once.

Every rule returns the :class:`~mlkit.data.errors.OptionError` s it finds: ``load_csv`` and a
stored schema raise the first, a config reports them all, each at ``data.csv.<option>``.
"""

from __future__ import annotations

import codecs

from mlkit.data.dates import date_format_problem
from mlkit.data.errors import OptionError

__all__ = ["check_date_format", "csv_option_problems", "date_format_problems", "encoding_problems",
           "raise_first", "role_problems"]

def encoding_problems(encoding: str, name: str = "{}") -> list[OptionError]:
    """An encoding Python cannot decode (``name`` spells the option in the message)."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        return [OptionError("encoding", "is not a text encoding Python knows", encoding,
                            "use e.g. 'utf-8', 'cp1252' or 'latin-1'", name)]
    return []


def date_format_problems(date_format: str | None, name: str = "{}") -> list[OptionError]:
    """A date format with no day, month or year, or one pandas cannot compile."""
    problem = None if date_format is None else date_format_problem(date_format)
    if not problem:
        return []
    return [OptionError("date_format", f"is not a date format ({problem})", date_format,
                        "use strftime codes, e.g. '%d/%m/%Y' for 27/10/2020 or '%m/%d/%Y' "
                        "for 10/27/2020", name)]


def check_date_format(date_format, name: str = "{}") -> str | None:
    """``date_format`` when it is None or a strftime format with a day, month or year."""
    raise_first(date_format_problems(date_format, name))
    return date_format


def _columns(names: list[str]) -> str:
    return f"column{'s' * (len(names) != 1)} {', '.join(map(repr, names))}"


def role_problems(target, features=None, categorical=(), dates=(), ids=(), impute=None,
                  missing_indicator=False, **_) -> list[OptionError]:
    """The roles the options give columns, against each other and the target."""
    roles = {key: list(columns or []) for key, columns in (
        ("features", features), ("categorical", categorical), ("dates", dates), ("ids", ids))}
    problems = []
    for key, columns in roles.items():
        repeated = sorted({c for c in columns if columns.count(c) > 1})
        if repeated:
            problems.append(OptionError(key, f"lists {_columns(repeated)} more than once",
                                        columns, "name each column once"))
        if target in columns:
            problems.append(OptionError(key, f"includes the target column {target!r}", columns,
                                        "the target cannot also be an input or an id"))
    for key in ("categorical", "dates"):
        outside = [c for c in roles[key] if features is not None and c not in features]
        if outside:
            problems.append(OptionError(key, f"names {_columns(outside)} missing from features",
                                        roles[key],
                                        f"add them to features or remove them from {key}"))
    if missing_indicator and impute in (None, "drop"):
        problems.append(OptionError(
            "missing_indicator", "marks values impute filled, but impute "
            f"{'is not set' if impute is None else 'drops rows'}, which fills none",
            missing_indicator, "set impute to 'mean', 'median' or 'most_frequent'"))
    both = [c for c in roles["dates"] if c in roles["categorical"]]
    if both:
        problems.append(OptionError("dates", f"names {_columns(both)} also listed in "
                                    "categorical", roles["dates"],
                                    "a column is either dates or categories"))
    inputs = {*roles["features"], *roles["categorical"], *roles["dates"]}
    named = [c for c in roles["ids"] if c in inputs]
    if named:
        problems.append(OptionError("ids", f"names input {_columns(named)}", roles["ids"],
                                    "an id column is never an input: remove it from "
                                    "features, categorical and dates"))
    return problems


def csv_option_problems(target, features=None, categorical=(), dates=(), ids=(), impute=None,
                        missing_indicator=False, encoding="utf-8",
                        date_format=None) -> list[OptionError]:
    """Every problem of these load_csv options that shows before a file is read."""
    return (encoding_problems(encoding) + date_format_problems(date_format)
            + role_problems(target, features, categorical, dates, ids, impute,
                            missing_indicator))


def raise_first(problems: list[OptionError]) -> None:
    """Raise the first of ``problems`` (nothing when there are none)."""
    if problems:
        raise problems[0]
