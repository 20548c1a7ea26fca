"""The tables ``mlkit evaluate`` prints after the metrics: which inputs matter, calibration,
the decision threshold of a binary classifier, and the residuals of a regression."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlkit.metrics import Calibration, Importance, ThresholdScores, threshold_text
from mlkit.train.report import text_table

__all__ = ["calibration_table", "importance_table", "residual_report", "threshold_table"]


def importance_table(found: Importance, n_rows: int) -> str:
    """Columns by permutation importance, most important first, and how it was measured."""
    rows = [["column", f"{found.metric} drop", "std"]]
    rows += [[str(r.column), f"{r.mean:+.4f}", f"{r.std:.4f}"]
             for r in found.frame().itertuples()]
    repeats = found.drops.shape[1]
    return (f"permutation importance: how much {found.metric} worsens when one input column "
            f"is shuffled across the {n_rows} rows ({repeats} shuffles each, seed "
            f"{found.seed}; unshuffled {found.metric} {found.reference:.4f}):\n"
            + text_table(rows))


def calibration_table(found: Calibration, brier: float, positive: str = "1") -> str:
    """The reliability table, then the expected calibration error and the Brier score."""
    what = ("top-label: the predicted class's probability vs how often it is right"
            if found.top_label else f"P({positive}) vs how often the class is {positive}")
    rows = [["probability", "rows", "mean predicted", "observed"]]
    rows += [[f"[{r.low:.1f}, {r.high:.1f}{']' if r.high >= 1 else ')'}", str(r.count),
              f"{r.confidence:.4f}", f"{r.frequency:.4f}"] for r in found.table.itertuples()]
    return (f"calibration ({what}):\n" + text_table(rows)
            + f"\nexpected calibration error {found.ece:.4f}; Brier score {brier:.4f}")


def threshold_table(used: ThresholdScores, best: ThresholdScores, chosen_on: ThresholdScores,
                    n_validation: int, positive: str) -> str:
    """Precision, recall and F1 of class ``positive`` on the scored rows at the threshold
    used and at the one with the best F1 on the validation split."""
    rows = [["threshold", "precision", "recall", "f1"]]
    for label, scores in ((f"{used.threshold:g} (used)", used),
                          (f"{threshold_text(best.threshold)} (best F1 on validation)", best)):
        rows.append([label] + [f"{getattr(scores, key):.4f}"
                               for key in ("precision", "recall", "f1")])
    return (f"decision threshold (predicts {positive} when P({positive}) >= threshold):\n"
            + text_table(rows)
            + f"\nthe best-F1 threshold is chosen on the validation split ({n_validation} rows,"
              f" F1 {chosen_on.f1:.4f} there), never on the rows scored here; apply it with "
              "`mlkit predict RUN_DIR --threshold best`.")


def residual_report(y_true, predicted, row_names, largest: int = 5) -> str:
    """Mean and std of the residuals (actual - predicted) and the rows of the largest."""
    frame = pd.DataFrame({"row": row_names, "actual": np.asarray(y_true, np.float64),
                          "predicted": np.asarray(predicted, np.float64)})
    frame["residual"] = frame["actual"] - frame["predicted"]
    top = frame.loc[frame["residual"].abs().sort_values(ascending=False, kind="stable")
                    .index[:largest]]
    rows = [["row", "actual", "predicted", "residual"]]
    rows += [[r.row, f"{r.actual:.4g}", f"{r.predicted:.4g}", f"{r.residual:+.4g}"]
             for r in top.itertuples()]
    residual = frame["residual"]
    return (f"residuals (actual - predicted) over {len(frame)} rows: mean "
            f"{residual.mean():+.4g}, std {residual.std(ddof=0):.4g}, median absolute "
            f"{residual.abs().median():.4g}\nlargest absolute residuals:\n" + text_table(rows))
