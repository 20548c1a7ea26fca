"""The evaluation pictures: a classifier's ``confusion.png`` and, for two classes, ``roc.png``;
``calibration.png`` and a regression's ``residuals.png``.

``mlkit train`` draws the first two from the test split after training and ``mlkit evaluate``
all of them from the rows it scores, both into the run directory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlkit.metrics import Calibration, UndefinedMetric, confusion_matrix, roc_auc, roc_curve
from mlkit.train.plots import new_figure, save_figure

__all__ = ["CALIBRATION", "CONFUSION", "RESIDUALS", "ROC", "plot_calibration", "plot_confusion",
           "plot_residuals", "plot_roc", "write_figures"]

CONFUSION, ROC = "confusion.png", "roc.png"
CALIBRATION, RESIDUALS = "calibration.png", "residuals.png"


def plot_confusion(y_true, y_pred, classes: list[str], path, title: str = "") -> None:
    """A heat map of the confusion matrix (rows: true class, columns: predicted), with the
    count and (when not 0) the row's share in each cell."""
    counts = confusion_matrix(y_true, y_pred, np.arange(len(classes)))
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = min(4 + 0.5 * len(classes), 14)
    figure, (axis,) = new_figure(size + 1, size)
    image = axis.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    figure.colorbar(image, ax=axis, label="share of the true class")
    ticks = np.arange(len(classes))
    long_names = len(classes) > 4 and max(len(str(c)) for c in classes) > 3
    axis.set_xticks(ticks, [str(c) for c in classes], rotation=45 if long_names else 0)
    axis.set_yticks(ticks, [str(c) for c in classes])
    axis.set(xlabel="predicted class", ylabel="true class")
    if len(classes) <= 20:
        for i, j in np.ndindex(counts.shape):
            text = f"{counts[i, j]}\n{shares[i, j]:.0%}" if counts[i, j] else "0"
            axis.text(j, i, text, ha="center", va="center", fontsize=8,
                      color="white" if shares[i, j] > 0.5 else "black")
    axis.set_title(f"{title} confusion matrix ({int(counts.sum())} rows)".strip())
    save_figure(figure, path)


def plot_roc(y_true, score, path, title: str = "", positive: str = "1") -> None:
    """The ROC curve of P(positive class), its area, and the diagonal of chance."""
    fpr, tpr, _ = roc_curve(y_true, score)
    figure, (axis,) = new_figure(5, 5)
    axis.plot(fpr, tpr, color="tab:blue", lw=2,
              label=f"ROC, AUC = {roc_auc(y_true, score):.4f}")
    axis.plot([0, 1], [0, 1], color="gray", ls="--", lw=1, label="chance")
    axis.set(xlim=(-0.01, 1.01), ylim=(-0.01, 1.01), xlabel="false positive rate",
             ylabel=f"true positive rate (class {positive})", title=f"{title} ROC curve".strip())
    axis.legend(loc="lower right")
    axis.grid(alpha=0.3)
    save_figure(figure, path)


def write_figures(folder, head, outputs, y, classes: list[str], title: str = "") -> list[Path]:
    """Draw a classifier's pictures of raw ``outputs`` against class indices ``y`` into
    ``folder``; returns the paths written (none for regression; a ROC curve for two classes
    of probabilities, unless one class is missing from ``y``)."""
    if not head.is_classifier:
        return []
    folder = Path(folder)
    plot_confusion(y, head.predict(outputs), classes, folder / CONFUSION, title)
    written = [folder / CONFUSION]
    proba = head.proba(outputs) if head.gives_proba else None
    if proba is not None and proba.shape[1] == 2:
        try:
            plot_roc(y, proba[:, 1], folder / ROC, title, positive=str(classes[1]))
        except UndefinedMetric:
            return written
        written.append(folder / ROC)
    return written


def plot_calibration(found: Calibration, path, title: str = "", positive: str = "1") -> None:
    """The reliability diagram (mean predicted probability vs observed frequency per bin, the
    diagonal of perfect calibration) over a histogram of the rows per bin."""
    table = found.table
    figure, (axis, counts) = new_figure(9, 4.5, panels=2)
    axis.plot([0, 1], [0, 1], color="gray", ls="--", lw=1, label="perfectly calibrated")
    axis.plot(table["confidence"], table["frequency"], "o-", color="tab:blue",
              label=f"model (ECE {found.ece:.4f})")
    what = "predicted class" if found.top_label else f"class {positive}"
    axis.set(xlabel=f"mean predicted probability of the {what}",
             ylabel="observed frequency" + (" of a right prediction" if found.top_label
                                            else f" of class {positive}"),
             xlim=(-0.01, 1.01), ylim=(-0.01, 1.01), title=f"{title} calibration".strip())
    axis.legend(loc="upper left")
    axis.grid(alpha=0.3)
    counts.bar(table["low"], table["count"], width=table["high"] - table["low"], align="edge",
               color="tab:blue", alpha=0.6, edgecolor="white")
    counts.set(xlim=(0, 1), xlabel="predicted probability bin", ylabel="rows",
               title=f"rows per bin ({int(table['count'].sum())} rows)")
    save_figure(figure, path)


def plot_residuals(y_true, predicted, path, title: str = "") -> None:
    """Predicted vs actual (with the diagonal of exact predictions) and residual (actual -
    predicted) vs predicted (with the zero line)."""
    y_true, predicted = np.asarray(y_true, np.float64), np.asarray(predicted, np.float64)
    figure, (against, residual) = new_figure(10, 4.5, panels=2)
    low, high = min(y_true.min(), predicted.min()), max(y_true.max(), predicted.max())
    against.plot([low, high], [low, high], color="gray", ls="--", lw=1, label="exact")
    against.scatter(y_true, predicted, s=12, alpha=0.6, color="tab:blue")
    against.set(xlabel="actual", ylabel="predicted",
                title=f"{title} predicted vs actual ({len(y_true)} rows)".strip())
    against.legend(loc="upper left")
    residual.axhline(0, color="gray", ls="--", lw=1)
    residual.scatter(predicted, y_true - predicted, s=12, alpha=0.6, color="tab:orange")
    residual.set(xlabel="predicted", ylabel="residual (actual - predicted)",
                 title="residuals vs predicted")
    for axis in (against, residual):
        axis.grid(alpha=0.3)
    save_figure(figure, path)
