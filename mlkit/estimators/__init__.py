"""scikit-learn compatible estimators trained by mlkit's engine, optimizers and training loop.

They pass scikit-learn's estimator checks, work in pipelines and grid searches, and save to
mlkit's ``.npz`` format (``save(path)`` / ``load(path)``) as well as pickling normally.
"""

from mlkit.estimators.base import load as load
from mlkit.estimators.linear import LogisticRegression as LogisticRegression
from mlkit.estimators.mlp import MLPClassifier as MLPClassifier
from mlkit.estimators.mlp import MLPRegressor as MLPRegressor

__all__ = ["LogisticRegression", "MLPClassifier", "MLPRegressor", "load"]
