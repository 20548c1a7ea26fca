"""Training curves: loss (train and validation) and the monitored validation metric, per epoch.

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

__all__ = ["new_figure", "plot_history", "png_bytes", "save_figure"]

_METRICS = ("val_accuracy", "val_r2", "val_rmse", "val_mae", "val_log_loss")
_LOSSES = ("train_loss", "val_loss")


def new_figure(width: float, height: float, panels: int = 1):
    """A figure on its own Agg canvas and its row of ``panels`` axes."""
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure, figure.subplots(1, panels, squeeze=False)[0]


def png_bytes(figure) -> bytes:
    """``figure``, laid out, as PNG bytes."""
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def save_figure(figure, path) -> None:
    """Write ``figure`` as a PNG to ``path`` atomically."""
    atomic_write_bytes(path, png_bytes(figure))


def _metric(columns, monitor: str | None) -> str | None:
    """The metric panel's column: the monitor when it is a validation metric, else the first
    validation metric measured (the usual ones first)."""
    if monitor in columns and monitor not in _LOSSES:
        return monitor
    measured = [c for c in columns if c.startswith("val_") and c != "val_loss"]
    return next((name for name in _METRICS if name in measured), next(iter(measured), None))


def plot_history(history: History, path, title: str = "", monitor: str | None = None,
                 best_epoch: int | None = None) -> None:
    """Save a PNG with the loss curves and (when measured) one validation metric.

    Parameters
    ----------
    history : History
        Rows with ``epoch``, ``train_loss`` and optionally ``val_loss`` and ``val_*``.
    path : str or Path
        Where the PNG goes.
    title : str
        Figure title (e.g. the run name).
    monitor : str, optional
        The metric that chose the best epoch; plotted in the metric panel unless a loss.
    best_epoch : int, optional
        Marked on every panel by a dashed line and a dot on the monitored curve.
    """
    columns = history.columns
    metric = _metric(columns, monitor)
    figure, axes = new_figure(10 if metric else 5.5, 4, 2 if metric else 1)
    epochs = history.column("epoch") if len(history) else np.array([])
    panels = [(axes[0], [(n, label) for n, label in zip(_LOSSES, ("train", "validation"))
                         if n in columns], "loss", "loss")]
    if metric:
        panels.append((axes[1], [(metric, metric)], metric,
                       metric.replace("val_", "validation ")))
    for axis, curves, ylabel, name in panels:
        for column, label in curves:
            values = history.column(column)
            keep = ~np.isnan(values)
            axis.plot(epochs[keep], values[keep], marker="." if keep.sum() < 30 else None,
                      label=label, color="tab:green" if column == metric else None)
            if best_epoch and column == monitor and best_epoch in epochs:
                at = int(np.flatnonzero(epochs == best_epoch)[0])
                axis.plot([best_epoch], [values[at]], "o", color="black", zorder=3)
        if best_epoch:
            axis.axvline(best_epoch, color="gray", ls="--", lw=1,
                         label=f"best epoch {best_epoch}" + (f" ({monitor})" if monitor else ""))
        axis.set(xlabel="epoch", ylabel=ylabel, title=name)
        if len(history):
            axis.legend(fontsize=8)
        axis.grid(alpha=0.3)
    if title:
        figure.suptitle(title)
    save_figure(figure, path)
