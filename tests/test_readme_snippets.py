"""The README's Python blocks run as pasted, in order, and print what their comments say."""

import re
from pathlib import Path

import numpy
import pytest
import yaml

from mlkit.config import ConfigError, apply_overrides, validate_config
from mlkit.config.build import build_plan

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


def test_the_readme_param_groups_yaml_builds_the_groups_its_comments_say():
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"),
                                      re.S) if "groups:" in b]
    raw = {"data": {"dataset": "digits"}, "model": {"name": "mlp", "hidden": [8]},
           "loss": {"name": "cross_entropy"}, "training": {"epochs": 1}, **yaml.safe_load(block)}
    groups = build_plan(validate_config(raw)).optimizer
    assert groups.lrs == [0.01, 0.1, 0.1] and groups.lr == 0.1  # a tenth; the rest's rate
    assert groups.group_lrs == [0.01, 0.1]  # metrics.csv's lr.0, lr.1 (the rest is lr)
    assert [o.weight_decay for o in groups.optimizers] == [1e-4, 0.0, 1e-4]
    paths = ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
    assert [[take(path) for path in paths] for take in groups.selects[:2]] == [
        [True, True, False, False], [False, True, False, True]]  # layers.0.bias goes to group 0
    with pytest.raises(ConfigError, match="did you mean 'layers.0'"):
        build_plan(validate_config(apply_overrides(raw, ["optimizer.groups.0.params=layer.0"])))
