"""Shared helpers for the config tests: a minimal valid config and error capture."""

import pytest

from mlkit.config import ConfigError, apply_overrides, validate_config

MINIMAL = {
    "data": {"dataset": "breast_cancer"},
    "model": {"name": "logistic_regression"},
    "loss": {"name": "binary_cross_entropy"},
}


def problems_of(edits: list[str], base: dict = MINIMAL) -> list[str]:
    """The problem lines reported for `base` edited by override strings (without blame notes)."""
    raw = apply_overrides(base, edits, source="t.yaml")
    with pytest.raises(ConfigError) as caught:
        validate_config(raw, source="t.yaml")
    return [problem.render("t.yaml") for problem in caught.value.problems]
