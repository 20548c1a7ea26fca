"""The package keeps a visible size budget: growth past it is a decision, not a drift.

When a change needs more room, raise the number here in the same commit and say why in its
message; when it makes room, lower it. Lines are physical lines of ``mlkit/**/*.py``,
docstrings, comments and blank lines included (``wc -l``).
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mlkit"
PACKAGE_BUDGET = 37_552
FILE_BUDGET = 400


def _sizes() -> dict[str, int]:
    return {str(path.relative_to(PACKAGE.parent)): len(path.read_text().splitlines())
            for path in sorted(PACKAGE.rglob("*.py"))}


def test_the_package_stays_within_its_line_budget():
    sizes = _sizes()
    total = sum(sizes.values())
    by_folder: dict[str, int] = {}
    for name, lines in sizes.items():
        folder = "/".join(name.split("/")[:2]) if name.count("/") > 1 else name
        by_folder[folder] = by_folder.get(folder, 0) + lines
    largest = ", ".join(f"{folder} {lines}" for folder, lines in
                        sorted(by_folder.items(), key=lambda item: -item[1])[:6])
    assert total <= PACKAGE_BUDGET, (
        f"mlkit is {total} lines, over its budget of {PACKAGE_BUDGET} (largest: {largest}); "
        "remove what is said twice, or raise PACKAGE_BUDGET in this file and say why")


def test_no_file_outgrows_the_file_budget():
    over = {name: lines for name, lines in _sizes().items() if lines > FILE_BUDGET}
    assert not over, (f"files over {FILE_BUDGET} lines: {over}; split each along a purpose "
                      "of its own (one module, one purpose)")
