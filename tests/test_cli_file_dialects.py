"""A CSV file saved by a European Windows Excel, end to end: semicolons, decimal commas,
cp1252 text and a long tail of towns; `mlkit inspect` suggests the section, the run stores
how the file was read, and `evaluate` and `predict` read new files of the same kind."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

MODEL = {"model": {"name": "logistic_regression"}, "loss": {"name": "binary_cross_entropy"},
         "optimizer": {"name": "lbfgs"}, "training": {"epochs": 20, "batch_size": "full"},
         "baseline": {"name": "off"}, "output": {"save_plots": False}}


def _write_excel(path, frame):
    """``frame`` as Excel writes CSV in France: ';', decimal commas, cp1252."""
    text = frame.to_csv(sep=";", index=False, decimal=",")
    Path(path).write_bytes(text.encode("cp1252"))


def _orders(n=120, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amount = rng.uniform(5, 500, n).round(2)
    towns = np.where(np.arange(n) % 5 < 2, [f"Bourg-{i}" for i in range(n)],
                     rng.choice(["Paris", "Lyon"], n))
    returned = np.where(amount + rng.normal(0, 60, n) > 250, "oui", "non")
    return pd.DataFrame({"ville": towns, "montant €": amount, "returned": returned})


def test_european_excel_file_inspect_train_evaluate_predict(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write_excel("commandes.csv", _orders())
    code, out, err = cli("inspect", "commandes.csv", "--target", "returned")
    assert code == 0, err
    assert out.splitlines()[0] == (
        "commandes.csv: 120 rows, 3 columns, read with separator ';' (semicolon), decimal "
        "mark ',', encoding 'cp1252' (the file is not UTF-8; set encoding: cp1252; separator "
        "detected; numbers like 3,5 found: decimal ',' suggested)")
    section = yaml.safe_load(out[out.index("\ndata:\n"):])
    csv = section["data"]["csv"]
    assert {k: csv[k] for k in ("sep", "decimal", "encoding", "min_frequency", "categorical")
            } == {"sep": ";", "decimal": ",", "encoding": "cp1252", "min_frequency": 5,
                  "categorical": ["ville"]}

    Path("c.yaml").write_text(yaml.safe_dump({**section, **MODEL}, allow_unicode=True))
    code, out, err = cli("train", "c.yaml", "--quiet")
    assert code == 0, err
    run = Path(out.strip().splitlines()[-1].removeprefix("run directory: "))
    prep = json.loads((run / "preprocessing.json").read_text())
    assert prep["feature_names"] == ["montant €", "ville=Lyon", "ville=Paris", "ville=(other)"]
    schema = prep["csv_schema"]
    assert (schema["sep"], schema["decimal"], schema["encoding"]) == (";", ",", "cp1252")
    assert json.loads((run / "summary.json").read_text())["test"]["accuracy"] > 0.7

    # new orders: one from a town never seen, which joins the rare towns
    new = pd.DataFrame({"ville": ["Paris", "Évry", "Bourg-1"], "montant €": [480.5, 12.25,
                                                                             12.25]})
    _write_excel("nouvelles.csv", new)
    code, out, err = cli("predict", run, "--input", "nouvelles.csv", "--output",
                         "p.csv")
    assert code == 0, err
    predictions = pd.read_csv("p.csv")
    assert predictions["prediction"].tolist()[0] == "oui"
    assert predictions["proba_oui"][1] == predictions["proba_oui"][2]
    code, out, err = cli("evaluate", run, "--data", "commandes.csv")
    assert code == 0, err
    new.to_csv("resaved.csv", index=False)  # the same orders saved by pandas: ',' and '.'
    code, out, err = cli("predict", run, "--input", "resaved.csv", "--output", "q.csv")
    assert code == 2 and err.strip().endswith(
        "'resaved.csv' is separated by ',' (comma), but the run reads files as its training "
        "file was written: separator ';' (semicolon), decimal mark ',', encoding 'cp1252'; "
        "save the file that way.")

    # the same file read as UTF-8 is refused with the option that reads it
    code, out, err = cli("train", "c.yaml", "data.csv.encoding=utf-8")
    assert code == 2
    assert "is not utf-8 text" in err and "set data.csv.encoding: cp1252" in err


def test_evaluate_names_the_test_rows_of_a_tab_separated_file_by_their_ids(cli, tmp_path):
    """The own test split's rows are named from the file read with the run's separator (a
    tab file once failed as 'read with separator ',' has one column')."""
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, 60).round(3)
    frame = pd.DataFrame({"code": [f"k{i:02d}" for i in range(60)], "x": x,
                          "y": (3 * x + rng.normal(0, 0.1, 60)).round(3)})
    frame.to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    config = {"data": {"dataset": "csv", "csv": {"path": "t.tsv", "target": "y", "ids": ["code"],
                                                 "sep": "tab"}},
              "model": {"name": "linear_regression"}, "loss": {"name": "mse"},
              "optimizer": {"name": "lbfgs"}, "training": {"epochs": 30, "batch_size": "full"},
              "baseline": {"name": "off"},
              "output": {"dir": str(tmp_path / "runs"), "save_plots": False}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(config))
    code, out, err = cli("train", tmp_path / "r.yaml", "--quiet")
    assert code == 0, err
    run = out.strip().splitlines()[-1].removeprefix("run directory: ")
    code, out, err = cli("evaluate", run)
    assert code == 0, err
    named = re.findall(r"^line (\d+) \(code=(k\d\d)\)", out, re.MULTILINE)
    assert len(named) == 5
    assert all(f"k{int(line) - 2:02d}" == key for line, key in named)
