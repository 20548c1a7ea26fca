"""How the text of a cell becomes a value: formatted numbers, missing-value tokens, categories.

Each reading is an explicit option of :func:`mlkit.data.load_csv`, stored in the schema so a
file read at prediction time is parsed exactly as the training file was. The detectors here
(``formatted_values``, ``placeholder_values``) only suggest an option; nothing is guessed.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["CATEGORIES", "NUMBERS", "PLACEHOLDERS", "alike_labels", "comma_decimal_values",
           "distinct", "filled", "formatted_values", "normalize_categories", "placeholder_values",
           "reads_all", "to_numbers", "words_among_numbers"]

NUMBERS = ("plain", "formatted")
"""plain: what ``float()`` reads; formatted: also ``$1,234.50``, ``1,234.50 €``, ``21%``
(0.21), ``(1,234)``."""

CATEGORIES = ("exact", "strip", "strip_lower")
"""exact: categories as written; strip: surrounding spaces removed; strip_lower: and lowercased."""

PLACEHOLDERS = ("?", "-", "--", "---", ".", "missing", "Missing", "MISSING", "none", "na",
                "n.a.", "N.A.", "#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
                "#SPILL!", "#CALC!")
"""Tokens that commonly stand for a missing value beyond pandas' own (``NA``, ``N/A``, ``null``,
an empty cell ...), Excel's error values among them; suggested by ``mlkit inspect``, read as
missing only when listed."""

_FORMATTED = re.compile(
    r"^\s*(?P<open>\()?\s*(?P<sign>[-+])?\s*[$€£¥]?\s*(?P<sign2>[-+])?\s*"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)\s*"
    r"(?P<percent>%)?\s*[$€£¥]?\s*(?P<close>\))?\s*$")  # the symbol before or after


def _formatted(text: pd.Series) -> pd.Series:
    """Float values of formatted-number text; NaN where the text is no such number."""
    parts = text.astype(str).str.extract(_FORMATTED)
    value = pd.to_numeric(parts["digits"].str.replace(",", "", regex=False), errors="coerce")
    negative = (parts["sign"] == "-") | (parts["sign2"] == "-") | parts["open"].notna()
    value = value.where(~negative, -value)
    value = value.where(parts["percent"].isna(), value / 100.0)
    balanced = parts["open"].isna() == parts["close"].isna()
    both_signs = parts["sign"].notna() & parts["sign2"].notna()
    return value.where(balanced & ~both_signs & ~(negative & parts["sign"].eq("+")))


_SWAP_MARKS = str.maketrans(".,", ",.")
_SPACE_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))")
"""A space between digit groups, as French Excel writes thousands (``1 234,56``)."""


def to_numbers(column: pd.Series, numbers: str = "plain", decimal: str = ".") -> pd.Series:
    """``column`` as float64; NaN for a missing value or text that is no number in ``numbers``
    (``"plain"`` or ``"formatted"``, see :data:`NUMBERS`) with decimal mark ``decimal``
    (with ``","``, ``3,5`` is 3.5 and, formatted, ``1.234,56`` and ``1 234,56`` are
    1234.56)."""
    if pd.api.types.is_numeric_dtype(column):
        return column.astype(np.float64)
    if decimal == ",":
        text = column.astype(str)
        if numbers == "formatted":
            text = text.str.replace(_SPACE_THOUSANDS, ".", regex=True)
        column = column.where(column.isna(), text.str.translate(_SWAP_MARKS))
    values = pd.to_numeric(column, errors="coerce").astype(np.float64)
    if numbers == "formatted":
        unread = values.isna() & column.notna()
        if unread.any():
            values[unread] = _formatted(column[unread])
    return values


def distinct(column: pd.Series) -> pd.Series:
    """The distinct present values of ``column``, in the order they first appear: a check
    that depends only on which values a column holds reads each value once, not every row."""
    return pd.Series(column.dropna().unique())


def filled(cells):
    """Whether each cell (of a column or a frame) holds a value: not missing, not only
    spaces."""
    text = cells.astype(str)
    text = text.apply(lambda c: c.str.strip()) if text.ndim == 2 else text.str.strip()
    return cells.notna() & (text != "")


def reads_all(column: pd.Series, numbers: str = "plain", decimal: str = ".") -> bool:
    """Whether :func:`to_numbers` reads every value of ``column`` (no missing ones): its
    first rows first, so a column of words is told in a few hundred rows, not 200,000."""
    return all(to_numbers(part, numbers, decimal).notna().all()
               for part in (column.iloc[:256], column))


def formatted_values(column: pd.Series, decimal: str = ".") -> pd.Series:
    """The values of ``column`` that only ``numbers="formatted"`` reads (a boolean mask)."""
    if pd.api.types.is_numeric_dtype(column):
        return pd.Series(False, index=column.index)
    plain = to_numbers(column, "plain", decimal)
    return plain.isna() & column.notna() & to_numbers(column, "formatted", decimal).notna()


def comma_decimal_values(column: pd.Series, numbers: str = "plain") -> pd.Series:
    """The values of ``column`` that are numbers only with a decimal comma (``3,5``,
    ``1.234,56``) and not with a point (a boolean mask)."""
    if pd.api.types.is_numeric_dtype(column):
        return pd.Series(False, index=column.index)
    return (to_numbers(column, numbers, ".").isna() & column.notna()
            & to_numbers(column, numbers, ",").notna())


def placeholder_values(column: pd.Series) -> list[str]:
    """The distinct values of ``column`` that are :data:`PLACEHOLDERS` tokens, sorted."""
    present = distinct(column).astype(str).unique()
    return sorted(str(v) for v in present if v.strip() in PLACEHOLDERS)


MAX_WORDS = 3
"""A column of numbers with at most this many spellings of words among them is suggested
to read them as missing values."""


def words_among_numbers(column: pd.Series, decimal: str = ".") -> list[str]:
    """Words in a column of numbers (``unknown``, ``not given``: text without a digit and no
    :data:`PLACEHOLDERS` token, at most :data:`MAX_WORDS` spellings, in fewer cells than the
    numbers), sorted: often what an export wrote for a missing value."""
    counts = column.dropna().astype(str).value_counts()
    text = pd.Series(counts.index, index=counts.index)
    candidates = text[~text.str.contains(r"\d")]  # then stripped: few are left to strip
    candidates = candidates[~candidates.str.strip().isin(PLACEHOLDERS)]
    words = candidates[to_numbers(candidates, "formatted", decimal).isna()]  # not "inf"
    if not 0 < len(words) <= MAX_WORDS:  # most columns end here, before reading numbers
        return []
    numbers = to_numbers(text, "formatted", decimal).notna().to_numpy()
    return sorted(words) if counts[words.index].sum() < counts[numbers].sum() else []


def normalize_categories(column: pd.Series, categories: str = "exact") -> pd.Series:
    """Category text read as :data:`CATEGORIES` says; a value left empty becomes missing."""
    if categories == "exact":
        return column
    text = column.where(column.isna(), column.astype(str).str.strip())
    if categories == "strip_lower":
        text = text.where(text.isna(), text.str.lower())
    return text.where(text != "")


def alike_labels(labels: pd.Series) -> list[list[str]]:
    """Groups (sorted) of the distinct labels that differ only in surrounding spaces or case
    (``Yes``, ``yes ``, ``YES``): one class meant, several learned."""
    text = distinct(labels).astype(str)  # the groups of the distinct labels
    groups = text.groupby(normalize_categories(text, "strip_lower")).unique()
    return [sorted(group) for group in groups if len(group) > 1]
