"""fit(metrics=...): validation metrics by name, monitored by callbacks, checked by sklearn."""

import numpy
import pytest
from sklearn import metrics as sk

from mlkit import nn, optim, registry
from mlkit.train import EarlyStopping, fit


def _binary(n=80, seed=0):
    rng = numpy.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + 0.8 * rng.normal(size=n) > 0).astype(numpy.float64)
    return X[:60], y[:60], X[60:], y[60:]


def test_named_metrics_are_computed_every_epoch_and_can_be_monitored():
    X, y, X_val, y_val = _binary()
    model = nn.Linear(3, 1, rng=0, dtype=numpy.float64)
    objective = registry.make_loss("binary_cross_entropy")  # knows its head: binary
    history = fit(model, objective, optim.SGD(lr=0.05), X, y, validation=(X_val, y_val),
                  epochs=40, batch_size=20, metrics=["roc_auc", "f1", "balanced_accuracy"],
                  callbacks=[EarlyStopping("val_roc_auc", mode="max", patience=2,
                                           restore_best=False)])
    assert history.columns[:5] == ["epoch", "train_loss", "val_loss", "val_roc_auc", "val_f1"]
    assert history.stop_reason == "early_stopping" and len(history) < 40
    p = 1 / (1 + numpy.exp(-numpy.asarray(model(X_val))[:, 0]))
    last = history.last
    assert last["val_roc_auc"] == pytest.approx(sk.roc_auc_score(y_val, p), abs=1e-12)
    assert last["val_f1"] == pytest.approx(sk.f1_score(y_val, p >= 0.5), abs=1e-12)
    assert last["val_balanced_accuracy"] == pytest.approx(
        sk.balanced_accuracy_score(y_val, p >= 0.5), abs=1e-12)


def test_a_plain_loss_function_names_its_head_and_bad_names_are_refused():
    X, y, X_val, y_val = _binary()

    def loss(m, X, y, w):
        return nn.binary_cross_entropy_with_logits(m(X)[:, 0], y, weight=w)

    def train(**options):
        return fit(nn.Linear(3, 1, rng=0, dtype=numpy.float64), loss, optim.SGD(lr=0.1), X, y,
                   validation=(X_val, y_val), epochs=2, **options)

    assert "val_accuracy" in train(metrics=["accuracy"], head="binary").columns
    with pytest.raises(ValueError, match="pass head= one of binary, multiclass, scores, "
                                         "regression"):
        train(metrics=["accuracy"])
    with pytest.raises(ValueError, match="unknown metric 'f1_marco' — did you mean 'f1_macro'"):
        train(metrics=["f1_marco"], head="binary")
    with pytest.raises(ValueError, match="'r2' is for regression, but the model's head is"):
        train(metrics=["r2"], head="binary")
    with pytest.raises(ValueError, match="use f1_macro or f1_weighted"):
        train(metrics=["f1"], head="multiclass")
