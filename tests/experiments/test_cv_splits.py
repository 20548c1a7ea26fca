"""mlkit cv with data.split.group (no group in two folds) and data.split.order (forward
chaining: every fold trains on earlier rows only), for real on a small CSV file."""

import numpy as np
import pandas as pd
import yaml

from mlkit.config import load_config
from mlkit.config.build import load_data, split_rows
from mlkit.experiments.cv import run_cv


def _config(tmp_path):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"shop": np.repeat([f"s{i}" for i in range(8)], 6),
                          "week": rng.permutation(48), "x": rng.normal(size=48).round(3),
                          "y": (rng.normal(size=48) > 0).astype(int)})
    frame.to_csv(tmp_path / "sales.csv", index=False)
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({
        "data": {"dataset": "csv", "csv": {"path": "sales.csv", "target": "y", "ids": ["shop"],
                                           "features": ["x"]}, "split": {"val": 0.25}},
        "model": {"name": "logistic_regression"}, "loss": {"name": "binary_cross_entropy"},
        "training": {"epochs": 2}, "output": {"dir": str(tmp_path / "runs"),
                                              "save_plots": False},
        "baseline": {"name": "off"}}))
    return tmp_path / "c.yaml", frame


def _fold_rows(result, k):
    for fold in range(1, k + 1):
        config = load_config(result.path / "folds" / f"fold{fold}" / "config.yaml")
        yield split_rows(config, load_data(config))


def test_group_folds_keep_each_shop_in_one_fold(tmp_path):
    path, frame = _config(tmp_path)
    lines = []
    result = run_cv(path, ["data.split.group=shop"], folds=4, workers=1, say=lines.append)
    assert "4 folds (stratified, grouped by 'shop', seed 0;" in lines[0]
    assert result.folds["test_rows"].tolist() == [12, 12, 12, 12]  # 8 shops of 6 rows
    shops = frame["shop"].to_numpy()
    tested = []
    for train, val, test in _fold_rows(result, 4):
        assert not set(shops[test]) & set(shops[np.r_[train, val]])
        tested.extend(test)
    assert sorted(tested) == list(range(48))


def test_ordered_folds_chain_forward(tmp_path):
    path, frame = _config(tmp_path)
    lines = []
    result = run_cv(path, ["data.split.order=week"], folds=3, workers=1, say=lines.append)
    assert "3 forward-chaining folds ordered by 'week' (the rows cut in 4 time blocks" in lines[0]
    assert result.folds["test_rows"].tolist() == [12, 12, 12]
    weeks = frame["week"].to_numpy()
    for fold, (train, val, test) in enumerate(_fold_rows(result, 3), 1):
        assert len(train) + len(val) == 12 * fold
        assert weeks[train].max() < weeks[val].min() and weeks[val].max() < weeks[test].min()
