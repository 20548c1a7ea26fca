"""A schedule's option given once for every parameter group or as a list of one per group,
as PyTorch's schedules take a float or a list (hinted :func:`mlkit.options.per_group`)."""

from __future__ import annotations

from mlkit.options import OptionConflict


def group_count(optimizer) -> int:
    """The parameter groups ``optimizer`` steps: a Groups' (``rest`` last, included), else 1."""
    return len(getattr(optimizer, "initial_lrs", ())) or 1


def group_values(owner: str, option: str, value, count: int,
                 groups: str = "Groups' groups, rest last") -> list:
    """``value`` for each of ``count`` groups: a list's own items, or one value repeated.

    A list of another length is an :class:`~mlkit.options.OptionConflict` of ``owner`` at
    ``option`` naming both counts (``groups`` says which groups are counted) and the fix.
    """
    if not isinstance(value, (list, tuple)):
        return [value] * count
    if len(value) != count:
        whose = f"for the {count} parameter groups ({groups})" if count > 1 else (
            "for an optimizer of one parameter group")
        raise OptionConflict(owner, option, f"gives {len(value)} values {whose}", list(value),
                             f"give one value per group ({count}), or a single value for all")
    return list(value)
