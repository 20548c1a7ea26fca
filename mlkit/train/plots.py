"""Training curves: loss (train and validation) and the validation metrics, per epoch.

Drawn with matplotlib's object API on an Agg canvas (no display, no pyplot state), then
written atomically like every other run file.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from mlkit.train.checkpoint import atomic_write_bytes
from mlkit.train.history import History

__all__ = ["plot_history"]

_METRICS = ("val_accuracy", "val_r2", "val_rmse", "val_mae", "val_log_loss")


def plot_history(history: History, path, title: str = "") -> None:
    """Save a PNG with the loss curves and (when measured) one validation metric.

    Parameters
    ----------
    history : History
        Rows with ``epoch``, ``train_loss`` and optionally ``val_loss`` and ``val_*``.
    path : str or Path
        Where the PNG goes.
    title : str
        Figure title (e.g. the run name).
    """
    columns = history.columns
    metric = next((name for name in _METRICS if name in columns), None)
    figure = Figure(figsize=(10 if metric else 5.5, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 2 if metric else 1, squeeze=False)[0]
    epochs = history.column("epoch") if len(history) else np.array([])
    loss_axes = axes[0]
    for name, label in (("train_loss", "train"), ("val_loss", "validation")):
        if name in columns:
            values = history.column(name)
            keep = ~np.isnan(values)
            loss_axes.plot(epochs[keep], values[keep], marker="." if keep.sum() < 30 else None,
                           label=label)
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("loss")
    loss_axes.set_title("loss")
    if len(history):
        loss_axes.legend()
    loss_axes.grid(alpha=0.3)
    if metric:
        values = history.column(metric)
        keep = ~np.isnan(values)
        axes[1].plot(epochs[keep], values[keep], color="tab:green")
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel(metric)
        axes[1].set_title(metric.replace("val_", "validation "))
        axes[1].grid(alpha=0.3)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    atomic_write_bytes(path, buffer.getvalue())
