"""The estimators' scikit-learn constraints and the type hints they come from agree at edges.

A parameter handed to a component (``dropout`` to nn.MLP, ``learning_rate_init`` to the
optimizers) is refused exactly where that component's own check refuses it, just inside, on
and just outside each bound; every other typed parameter is refused exactly where its hint in
the estimator's ``__init__`` says.
"""

import typing
import warnings

import numpy
import pytest
from option_edges import edges
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError, make_constraint

from mlkit import nn, optim
from mlkit.estimators import LogisticRegression, MLPClassifier, MLPRegressor
from mlkit.estimators.mlp_base import BaseMLP
from mlkit.options import check
from mlkit.train import EarlyStopping, fit

ESTIMATORS = (LogisticRegression, MLPClassifier, MLPRegressor)
# (estimator parameter, a component it is handed to, that component's option)
SOURCES = [("learning_rate_init", optim.Adam, "lr"), ("learning_rate_init", optim.SGD, "lr"),
           ("max_iter", fit, "epochs"), ("max_iter", optim.LBFGS, "max_iter"),
           ("tol", EarlyStopping, "min_delta"), ("tol", optim.LBFGS, "tolerance_grad"),
           ("dropout", nn.MLP, "dropout"), ("shuffle", fit, "shuffle"), ("jit", fit, "jit")]
BOOLEAN_EDGES = [(True, True), (False, True), (1, False), ("yes", False)]
X, Y = numpy.arange(8.0).reshape(4, 2), numpy.array([0, 1, 0, 1])


def _hint(owner, name):
    target = owner.__init__ if isinstance(owner, type) else owner
    return typing.get_type_hints(target, include_extras=True)[name]


def _edges(hint):
    return BOOLEAN_EDGES if hint is bool else edges(hint)


def _allowed_by_the_estimator(estimator, name, value) -> bool:
    """Whether ``estimator`` takes ``value`` for ``name``: its scikit-learn constraints hold
    and, for a sequence (whose items the estimator checks itself), ``fit`` takes it too. What
    is refused, ``fit`` refuses in scikit-learn's words, naming the parameter, before training."""
    constraints = estimator._parameter_constraints[name]
    if any(make_constraint(c).is_satisfied_by(value) for c in constraints) and \
            not isinstance(value, (list, tuple)):
        return True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator(**{"max_iter": 1, name: value}).fit(X, Y)
    except InvalidParameterError as error:
        assert f"The '{name}" in str(error)
        return False
    return True


def _component_cases():
    for name, component, option in SOURCES:
        for estimator in ESTIMATORS:
            if name in estimator._get_param_names():
                for value, allowed in _edges(_hint(component, option)):
                    yield estimator, name, component, option, value, allowed


def _own_cases():
    for owner, estimators in ((LogisticRegression, [LogisticRegression]),
                              (BaseMLP, [MLPClassifier, MLPRegressor]),
                              (MLPClassifier, [MLPClassifier])):
        for name in typing.get_type_hints(owner.__init__, include_extras=True):
            for value, allowed in _edges(_hint(owner, name)):
                for estimator in estimators:
                    yield estimator, name, value, allowed


COMPONENT_CASES = list(_component_cases())
OWN_CASES = list(_own_cases())


@pytest.mark.parametrize("estimator, name, component, option, value, allowed", COMPONENT_CASES,
                         ids=[f"{e.__name__}-{n}-{getattr(c, '__name__', c)}.{o}={v!r}"
                              for e, n, c, o, v, _ in COMPONENT_CASES])
def test_a_parameter_is_refused_where_its_component_refuses_it(estimator, name, component,
                                                               option, value, allowed):
    try:
        check(option, _hint(component, option), value)
        component_allows = True
    except (TypeError, ValueError):
        component_allows = False
    assert component_allows == allowed
    assert _allowed_by_the_estimator(estimator, name, value) == allowed


@pytest.mark.parametrize("estimator, name, value, allowed", OWN_CASES,
                         ids=[f"{e.__name__}-{n}={v!r}" for e, n, v, _ in OWN_CASES])
def test_a_typed_parameter_is_refused_where_its_hint_says(estimator, name, value, allowed):
    assert _allowed_by_the_estimator(estimator, name, value) == allowed


def test_the_edges_tried_cover_each_kind_of_bound():
    tried = {(e.__name__, n) for e, n, *_ in COMPONENT_CASES} | {
        (e.__name__, n) for e, n, *_ in OWN_CASES}
    for expected in [("MLPClassifier", "dropout"), ("LogisticRegression", "learning_rate_init"),
                     ("MLPRegressor", "tol"), ("LogisticRegression", "max_iter"),
                     ("MLPRegressor", "alpha"), ("MLPClassifier", "validation_fraction"),
                     ("LogisticRegression", "batch_size"), ("MLPClassifier", "hidden_layer_sizes"),
                     ("LogisticRegression", "solver"), ("MLPRegressor", "n_iter_no_change")]:
        assert expected in tried


@pytest.mark.parametrize("estimator, name, value, words", [
    (MLPRegressor, "dropout", 1.0, r"in the range \[0.0, 1.0\). Got 1.0 instead"),
    (MLPClassifier, "learning_rate_init", 0.0, r"in the range \(0.0, inf\). Got 0.0 instead"),
    (LogisticRegression, "learning_rate_init", float("inf"), r"Got inf instead"),
    (LogisticRegression, "tol", -1e-6, r"in the range \[0.0, inf\). Got -1e-06 instead"),
    (LogisticRegression, "max_iter", 0, r"in the range \[1, inf\). Got 0 instead"),
])
def test_fit_refuses_an_edge_in_scikit_learns_words(estimator, name, value, words):
    with pytest.raises(InvalidParameterError,
                       match=f"The '{name}' parameter of {estimator.__name__} must be .*{words}"):
        estimator(**{name: value}).fit(X, Y)
