"""scikit-learn's own estimator checks, every one of them, on every mlkit estimator.

Nothing is skipped or marked expected-to-fail: mlkit's tags declare no exceptions. The array
API check runs with ``SCIPY_ARRAY_API=1`` set for its duration only (scikit-learn skips it
otherwise), so that it too is exercised.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from mlkit.estimators import LogisticRegression, MLPClassifier, MLPRegressor

ESTIMATORS = [LogisticRegression(), MLPClassifier(), MLPRegressor()]


@pytest.fixture(autouse=True)
def _array_api_enabled(monkeypatch):
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
