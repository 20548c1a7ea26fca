"""A report export with totals and a note under its rows, end to end: `mlkit inspect` finds them
and its section trains on the file as it is; `evaluate` and `predict` read next month's export
without its totals line, and a file to score without any footer, to their last row."""

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

MODEL = {"model": {"name": "linear_regression"}, "loss": {"name": "mse"},
         "optimizer": {"name": "lbfgs"}, "training": {"epochs": 30, "batch_size": "full"},
         "baseline": {"name": "off"}, "output": {"save_plots": False}}


def _export(path, n, seed, footer) -> pd.DataFrame:
    """Write ``n`` sales (price = 3 size + 20 in paris) and ``footer`` under them."""
    rng = np.random.default_rng(seed)
    size = rng.uniform(10, 50, n).round(1)
    city = rng.choice(["paris", "berlin"], n)
    price = (3 * size + 20 * (city == "paris") + rng.normal(0, 0.5, n)).round(2)
    frame = pd.DataFrame({"city": city, "size": size, "price": price})
    Path(path).write_text(frame.to_csv(index=False) + footer)
    return frame


def test_inspect_train_evaluate_predict_on_an_export_with_a_footer(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _export("sales.csv", 80, 0, f"Total,,{99999.5}\nExported by CRM on 2026-12-01\n")
    code, out, err = cli("inspect", "sales.csv", "--target", "price")
    assert code == 0, err
    assert out.startswith("sales.csv: 80 rows, 3 columns, read with separator ',' (comma), "
                          "decimal mark '.', encoding 'utf-8', 2 lines of footer skipped "
                          "(separator detected; footer found)\n")
    assert ("- 2 line(s) under the rows (lines 82, 83: 'Total', 'Exported by CRM on "
            "2026-12-01') are a footer of totals or notes, not rows: left out, as the "
            "suggested section does (skip_footer: 2)\n") in out
    section = yaml.safe_load(out[out.index("\ndata:\n"):])
    assert section["data"]["csv"]["skip_footer"] == 2
    code, _, err = cli("inspect", "sales.csv", "--skip-footer", "1")
    assert code == 2 and "skip_footer=1 leaves 1 of them under the rows; set " \
                         "data.csv.skip_footer: 2 in the config" in err

    Path("sales.yaml").write_text(yaml.safe_dump({**section, **MODEL}))
    code, out, err = cli("train", "sales.yaml", "--quiet")
    assert code == 0, err
    run = Path(out.strip().splitlines()[-1].removeprefix("run directory: "))
    saved = yaml.safe_load((run / "config.yaml").read_text())["data"]["csv"]
    assert saved["skip_footer"] == 2
    assert '"skip_footer": 2' in (run / "preprocessing.json").read_text()
    code, out, err = cli("train", "sales.yaml", "--quiet", "optimizer.name=adam",
                         "training.epochs=2")
    assert code == 0, err
    partial = Path(out.strip().splitlines()[-1].removeprefix("run directory: "))
    code, out, err = cli("train", "--resume", partial, "training.epochs=4", "--quiet")
    assert code == 0 and "resuming sales" in out, err
    code, out, err = cli("cv", "sales.yaml", "--folds", "2", "--workers", "1")
    assert code == 0, err

    _export("june.csv", 30, 1, "Exported by CRM on 2026-07-01\n")  # the note, no totals
    code, out, err = cli("evaluate", run, "--data", "june.csv")
    assert code == 0, err
    assert "june.csv (30 rows; 1 footer line left out (totals or notes, not rows): line 32)" \
        in out
    code, out, err = cli("predict", run, "--input", "june.csv", "--output", "june_p.csv")
    assert code == 0, err
    assert out.startswith("wrote 30 predictions to june_p.csv; 1 footer line left out (totals "
                          "or notes, not rows): line 32")
    scoring = _export("score.csv", 12, 2, "")  # a file to score: no footer at all
    code, out, err = cli("predict", run, "--input", "score.csv", "--output", "p.csv")
    assert code == 0 and "footer" not in out, err
    predictions = pd.read_csv("p.csv")["prediction"]
    assert len(predictions) == 12  # the last row is scored, not left out as a footer
    expected = 3 * scoring["size"] + 20 * (scoring["city"] == "paris")
    assert np.abs(predictions - expected).max() < 1.5
