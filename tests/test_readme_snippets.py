"""The README's Python blocks run as pasted, in order, and print what their comments say."""

import re
from pathlib import Path

import numpy

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_python_blocks_run_in_order_and_match_their_comments():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 4  # the engine, models, the training loop, the estimators
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 (the README's own code)
    slope = namespace["grad"](namespace["f"])(numpy.array([0.0, 1.0]))
    numpy.testing.assert_allclose(slope, [0.0, 0.63970001], rtol=1e-8)  # its comment's value
    assert namespace["history"].rows[-1]["epoch"] == 30  # its comment's row
    assert 0.9 < namespace["search"].best_score_ <= 1.0
    assert namespace["sales"].lines.tolist() == [2, 3, 4, 5]  # the footer's comment
    assert namespace["sales"].X[:, 0].tolist() == [120, 80, 95, 130]
