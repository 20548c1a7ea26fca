"""The evaluation pictures of a classifier: ``confusion.png`` and, for two classes, ``roc.png``.

``mlkit train`` draws them from the test split after training and ``mlkit evaluate`` from the
rows it scores, both into the run directory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlkit.metrics import UndefinedMetric, confusion_matrix, roc_auc, roc_curve
from mlkit.train.plots import new_figure, save_figure

__all__ = ["CONFUSION", "ROC", "plot_confusion", "plot_roc", "write_figures"]

CONFUSION, ROC = "confusion.png", "roc.png"


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
    axis.set_xlabel("predicted class")
    axis.set_ylabel("true class")
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
    axis.set_xlim(-0.01, 1.01)
    axis.set_ylim(-0.01, 1.01)
    axis.set_xlabel("false positive rate")
    axis.set_ylabel(f"true positive rate (class {positive})")
    axis.set_title(f"{title} ROC curve".strip())
    axis.legend(loc="lower right")
    axis.grid(alpha=0.3)
    save_figure(figure, path)


def write_figures(folder, head, outputs, y, classes: list[str], title: str = "") -> list[Path]:
    """Draw a classifier's pictures of raw ``outputs`` against class indices ``y`` into
    ``folder``; returns the paths written (none for regression, no ROC when one class is
    missing from ``y``)."""
    if not head.is_classifier:
        return []
    folder = Path(folder)
    proba = head.proba(outputs)
    plot_confusion(y, head.labels(proba), classes, folder / CONFUSION, title)
    written = [folder / CONFUSION]
    if proba.shape[1] == 2:
        try:
            plot_roc(y, proba[:, 1], folder / ROC, title, positive=str(classes[1]))
        except UndefinedMetric:
            return written
        written.append(folder / ROC)
    return written
