"""What a model's raw outputs mean: binary logits, class logits, class scores or values.

A head turns outputs into probabilities or predictions and scores them with mlkit's own
metrics, in the target's original units (a standardized regression target is scaled back).
The same code serves validation during training, the test table, ``mlkit evaluate`` and
``mlkit predict``.
"""

from __future__ import annotations

from typing import Literal

import numpy

from mlkit.metrics import check_metrics, default_metrics, score
from mlkit.nn import sigmoid, softmax
from mlkit.options import checked

__all__ = ["HEADS", "Head", "validation_scores"]

HEADS = ("binary", "multiclass", "scores", "regression")
"""``scores``: one score per class from a margin loss (hinge), which are not probabilities."""


@checked
class Head:
    """Interpretation of model outputs of one kind.

    Parameters
    ----------
    kind : {"binary", "multiclass", "scores", "regression"}
        ``binary``: one logit per row (P(class 1) = sigmoid); ``multiclass``: one logit per
        class (softmax); ``scores``: one score per class, the highest one wins, and no
        probabilities (a margin loss such as hinge does not estimate them); ``regression``:
        one value per row.
    y_mean, y_scale : float
        A regression target was trained as ``(y - y_mean) / y_scale``; predictions are mapped
        back. (0 and 1 when it was not scaled.)
    """

    def __init__(self, kind: Literal[HEADS], y_mean: float = 0.0, y_scale: float = 1.0):
        self.kind = kind
        self.y_mean, self.y_scale = float(y_mean), float(y_scale)

    @property
    def is_classifier(self) -> bool:
        """True for the binary and multiclass heads."""
        return self.kind != "regression"

    @property
    def gives_proba(self) -> bool:
        """True when the outputs are (log-)probabilities: the binary and multiclass heads."""
        return self.kind in ("binary", "multiclass")

    def n_outputs(self, n_classes: int | None) -> int:
        """Width of the model's last layer for this head."""
        return n_classes if self.kind in ("multiclass", "scores") else 1

    def proba(self, outputs) -> numpy.ndarray:
        """Class probabilities (n, k) of raw outputs, in float64."""
        outputs = numpy.asarray(outputs, dtype=numpy.float64)
        if self.kind == "binary":
            p = numpy.asarray(sigmoid(outputs[:, 0]))
            return numpy.stack([1.0 - p, p], axis=1)
        if self.kind == "multiclass":
            return numpy.asarray(softmax(outputs, axis=-1))
        if self.kind == "scores":
            raise TypeError("a model trained with a margin loss (hinge) gives class scores, "
                            "not probabilities; train with cross_entropy for probabilities")
        raise TypeError("a regression model has no class probabilities")

    def predict(self, outputs) -> numpy.ndarray:
        """Class indices (classification) or values in the target's units (regression)."""
        if self.kind == "regression":
            return self.values(outputs)
        if self.kind == "scores":
            return numpy.argmax(numpy.asarray(outputs), axis=1)
        return self.labels(self.proba(outputs))

    def labels(self, proba, threshold: float = 0.5) -> numpy.ndarray:
        """The predicted class of each row of probabilities: class 1 of a binary head when
        its probability is at least ``threshold``, else the most probable class."""
        if self.kind == "binary":
            return (proba[:, 1] >= threshold).astype(numpy.int64)
        return numpy.argmax(proba, axis=1)

    def values(self, outputs) -> numpy.ndarray:
        """Regression predictions in the target's original units."""
        raw = numpy.asarray(outputs, dtype=numpy.float64)[:, 0]
        return raw * self.y_scale + self.y_mean

    def target(self, y, scaled: bool = True) -> numpy.ndarray:
        """Targets in their original units (undoes the training scale of a regression target
        unless ``scaled`` is false, i.e. ``y`` is already in original units)."""
        if self.kind == "regression" and not scaled:
            return numpy.asarray(y, dtype=numpy.float64)
        if self.kind == "regression":
            return numpy.asarray(y, dtype=numpy.float64) * self.y_scale + self.y_mean
        return numpy.asarray(y)

    def inputs(self, outputs) -> dict[str, numpy.ndarray]:
        """What metrics read from raw outputs (:func:`mlkit.metrics.score`'s keywords):
        ``labels`` and ``proba`` (``labels`` alone for scores), or ``values`` in the target's
        original units."""
        if self.kind == "scores":
            return {"labels": self.predict(outputs)}
        if self.is_classifier:
            return self.proba_inputs(self.proba(outputs))
        return {"values": self.values(outputs)}

    def proba_inputs(self, proba) -> dict[str, numpy.ndarray]:
        """``labels`` and ``proba`` of class probabilities (n, k), for the metrics."""
        return {"labels": self.labels(proba), "proba": proba}

    def metrics(self, outputs, y, names=None, scaled: bool = True,
                validation: bool = False) -> dict[str, float]:
        """The named metrics (:data:`mlkit.metrics.METRICS`) of raw outputs against ``y``.

        ``names`` None: the head's defaults (:func:`mlkit.metrics.default_metrics`), the cheap
        ones when ``validation``. ``scaled``: a regression ``y`` is in training units (else in
        original units).
        """
        names = names or default_metrics(self.kind, validation)
        return score(names, self.target(y, scaled), **self.inputs(outputs))

    def proba_metrics(self, proba, y, names=None, validation: bool = False) -> dict[str, float]:
        """The named metrics of class probabilities (n, k) against class indices ``y``."""
        names = names or default_metrics(self.kind, validation)
        return score(names, y, **self.proba_inputs(proba))


def validation_scores(loss_fn, metrics=None, head=None):
    """:func:`mlkit.train.fit`'s default ``evaluate``: the loss on the validation rows and,
    when ``metrics`` names some, those metrics of the model's outputs read through ``head``
    (a :class:`Head` or its kind; default ``loss_fn.head``, which a registry objective has)."""
    if not metrics:
        def evaluate(model, X_val, y_val):
            return {"loss": float(loss_fn(model, X_val, y_val, None))}
        return evaluate
    head = head if head is not None else getattr(loss_fn, "head", None)
    if head is None:
        raise ValueError("metrics= needs to know what the model outputs mean: pass head= "
                         f"one of {', '.join(HEADS)}")
    head = head if isinstance(head, Head) else Head(head)
    names = check_metrics(metrics, head.kind)

    def evaluate(model, X_val, y_val):
        scores = {"loss": float(loss_fn(model, X_val, y_val, None))}
        scores.update(head.metrics(model(X_val), y_val, names))
        return scores
    return evaluate
