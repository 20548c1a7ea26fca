"""Row blocks: a whole-data step summed over blocks of rows equals the unblocked step to
rounding (penalty counted once, sample weights kept, binary and multinomial, a ragged or an
even last block), jitted and eagerly alike; a blocked fit replays two programs; a large
LogisticRegression fit (which uses row blocks) is identical with jit on and off."""

import warnings

import numpy as np
import pytest

from mlkit.estimators import LogisticRegression, logloss
from mlkit.optim import LBFGS, SGD
from mlkit.train import RowBlocks, fit
from mlkit.train.blocks import BlockedStep
from mlkit.train.step import training_step


def _problem(n, d, classes, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    labels = rng.integers(0, classes, n)
    Y = 2.0 * labels - 1.0 if classes == 2 else np.eye(classes)[labels]
    weight = rng.uniform(0.2, 3.0, n)
    weight /= weight.sum()
    width = d + 1
    coef = 0.3 * rng.standard_normal(width if classes == 2 else (width, classes))
    penalty = np.full(width, 0.05)
    penalty[-1] = 0.0
    return X, Y, weight, coef, penalty


@pytest.mark.parametrize("classes", [2, 3])
@pytest.mark.parametrize("rows", [7, 25, 24])  # ragged, even, and one block
@pytest.mark.parametrize("jit", [True, False])
def test_blocked_value_and_gradient_equal_the_whole_datas(classes, rows, jit):
    X, Y, weight, coef, penalty = _problem(100, 4, classes)
    whole_model = logloss.Coefficients(coef.copy(), penalty)
    whole = training_step(whole_model, logloss.full_loss, jit=jit)
    whole.bind()
    expected_loss, expected_grads = whole(X, Y, weight)
    expected_grads = [grad.copy() for grad in expected_grads]  # a replay reuses its buffers
    model = logloss.Coefficients(coef.copy(), penalty)
    blocked = BlockedStep(training_step(model, logloss.full_loss, jit=jit),
                          training_step(model, logloss.unpenalized_loss, jit=jit), rows)
    flat = blocked.bind()
    loss, grads = blocked(X, Y, weight)
    assert float(loss) == pytest.approx(float(expected_loss), rel=1e-13)
    np.testing.assert_allclose(grads[0], expected_grads[0], rtol=1e-12, atol=1e-15)
    # the penalty counts once: without it the blocks sum to the unpenalized loss
    unpenalized = float(logloss.objective(coef, X, Y, weight, None, True))
    penalty_term = float(np.sum(penalty * (coef if classes == 2 else coef.T) ** 2))
    assert float(loss) == pytest.approx(unpenalized + penalty_term, rel=1e-13)
    assert flat.vectors[0] is blocked.rows_step.flat.vectors[0]  # both steps train one vector


def test_blocked_steps_are_identical_with_and_without_jit():
    X, Y, weight, coef, penalty = _problem(90, 5, 3, seed=1)
    results = []
    for jit in (True, False):
        model = logloss.Coefficients(coef.copy(), penalty)
        step = BlockedStep(training_step(model, logloss.full_loss, jit=jit),
                           training_step(model, logloss.unpenalized_loss, jit=jit), 20)
        step.bind()
        loss, grads = step(X, Y, weight)
        results.append((loss, [grad.copy() for grad in grads]))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1][0], results[1][1][0])


def test_a_blocked_lbfgs_fit_matches_the_unblocked_one_and_replays_two_programs(monkeypatch):
    X, Y, weight, _, penalty = _problem(1000, 6, 2, seed=2)
    calls = []
    objective = logloss.objective

    def counted(*args):
        calls.append(args[1].shape)
        return objective(*args)

    monkeypatch.setattr(logloss, "objective", counted)
    fits = {}
    for blocks in (None, RowBlocks(logloss.unpenalized_loss, block_bytes=48 * 150)):
        model = logloss.Coefficients(np.zeros(7), penalty)
        optimizer = LBFGS(max_iter=200, tolerance_grad=1e-10, history_size=10,
                          line_search_fn="strong_wolfe")
        history = fit(model, logloss.full_loss, optimizer, X, Y, sample_weight=weight,
                      epochs=1, row_blocks=blocks)
        fits[blocks is None] = model.coef.copy(), history.rows[-1]["train_loss"]
    # unblocked: one recording; blocked (150 rows a block, 100 in the last): two more
    assert sorted(set(calls)) == [(100, 6), (150, 6), (1000, 6)] and len(calls) == 3
    np.testing.assert_allclose(fits[False][0], fits[True][0], rtol=1e-8, atol=1e-10)
    assert fits[False][1] == pytest.approx(fits[True][1], rel=1e-13)


def test_row_blocks_need_whole_data_steps_without_clipping():
    X, Y, weight, coef, penalty = _problem(50, 3, 2)
    blocks = RowBlocks(logloss.unpenalized_loss, block_bytes=256)
    with pytest.raises(ValueError, match="row_blocks"):
        fit(logloss.Coefficients(coef, penalty), logloss.full_loss, SGD(lr=0.1), X, Y,
            batch_size=10, epochs=1, row_blocks=blocks)
    with pytest.raises(ValueError, match="row_blocks"):
        fit(logloss.Coefficients(coef, penalty), logloss.full_loss, SGD(lr=0.1), X, Y,
            epochs=1, clip_grad_norm=1.0, row_blocks=blocks)
    with pytest.raises(ValueError, match="block_bytes"):
        RowBlocks(logloss.unpenalized_loss, block_bytes=0)


def test_rows_per_block_follow_the_bytes_of_a_row():
    blocks = RowBlocks(logloss.unpenalized_loss, block_bytes=8000)
    assert blocks.rows_per_block(np.zeros((500, 10))) == 100
    assert blocks.rows_per_block(np.zeros((500, 10), np.float32)) == 200
    assert blocks.rows_per_block(np.zeros((5, 2000))) == 1


@pytest.mark.parametrize("classes", [2, 3])
def test_a_large_logistic_regression_fits_identically_with_and_without_jit(classes):
    # 40,000 x 16 float64 rows are 5 MiB: more than one block of the estimator's row blocks
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40_000, 16))
    y = np.argmax(X[:, :classes] + rng.standard_normal((40_000, classes)), axis=1)
    sample_weight = rng.uniform(0.5, 2.0, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jitted, eager = (LogisticRegression(C=0.1, tol=1e-8, jit=jit).fit(
            X, y, sample_weight=sample_weight) for jit in (True, False))
    assert RowBlocks(logloss.unpenalized_loss).rows_per_block(X) < len(X)
    assert jitted.n_iter_[0] == eager.n_iter_[0] > 3
    np.testing.assert_array_equal(jitted.coef_, eager.coef_)
    np.testing.assert_array_equal(jitted.intercept_, eager.intercept_)


@pytest.mark.parametrize("jit", [True, False])
def test_a_profiled_blocked_fit_trains_as_an_unprofiled_one(jit):
    X, Y, weight, _, penalty = _problem(300, 5, 3, seed=4)
    blocks = RowBlocks(logloss.unpenalized_loss, block_bytes=40 * 64)  # 64 rows a block
    runs = []
    for profile in (True, False):  # profiled first: it records the programs
        model = logloss.Coefficients(np.zeros((6, 3)), penalty)
        optimizer = LBFGS(max_iter=3, line_search_fn="strong_wolfe")
        history = fit(model, logloss.full_loss, optimizer, X, Y, sample_weight=weight,
                      epochs=2, jit=jit, profile=profile, row_blocks=blocks)
        runs.append((model.coef.copy(), history))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    profile = runs[0][1].profile
    assert profile.steps == 2  # one optimizer step an epoch, whatever the blocks
    assert profile.recordings == (2 if jit else 0)  # 4 blocks of 64 rows, then one of 44
