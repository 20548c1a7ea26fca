"""Precision, recall and F1 at a threshold, and the best-F1 threshold, by hand and by trial."""

import numpy as np
import pytest

from mlkit.metrics import best_f1_threshold, f1, threshold_scores


def test_scores_at_a_threshold_by_hand():
    y = [0, 1, 1, 0, 1]
    p = [0.1, 0.8, 0.65, 0.7, 0.2]
    # >= 0.5 predicts rows 1, 2, 3: two right of three; two of the three positives found
    found = threshold_scores(y, p, 0.5)
    assert (found.precision, found.recall, found.f1) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    # >= 0.2 predicts 1, 2, 3, 4: 3 of 4 right, all 3 positives found: F1 = 6 / 7
    best = best_f1_threshold(y, p)
    assert best.threshold == 0.2
    assert (best.precision, best.recall, best.f1) == pytest.approx((0.75, 1.0, 6 / 7))


def test_best_threshold_matches_trying_every_score():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = np.clip(0.3 * y + rng.uniform(0, 0.7, 300), 0, 1).round(2)  # many ties
    tried = {t: f1(y, (p >= t).astype(int)) for t in np.unique(p)}
    top = max(tried.values())
    best = best_f1_threshold(y, p)
    assert best.f1 == pytest.approx(top)
    assert best.threshold == max(t for t, v in tried.items() if v == pytest.approx(top))


@pytest.mark.parametrize(("call", "message"), [
    (lambda: threshold_scores([0, 1], [0.2, 0.8], 1.5),
     r"threshold must be a finite number in \[0, 1\], got 1.5"),
    (lambda: threshold_scores([0, 1], [0.2, 0.8], "best"),
     r"threshold must be a finite number in \[0, 1\], got 'best'"),
    (lambda: best_f1_threshold([0, 0], [0.2, 0.8]), "no positive row"),
    (lambda: best_f1_threshold([0, 1], [[0.2], [0.8]]), r"scores must be finite numbers"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def test_a_threshold_is_printed_apart_from_0_and_1():
    """A best-F1 threshold at the top score of a rare class (0.9999966) printed '1.0000',
    which, typed back as --threshold, predicts no row; it keeps the digits that tell it,
    rounded down, so that typed back it predicts the same rows here."""
    from mlkit.metrics import threshold_text

    assert [threshold_text(t) for t in (0.5, 0.38716, 0.9999966, 3.2e-7, 1.0, 0.0)] == [
        "0.5000", "0.3871", "0.99999660", "0.000000320", "1.0000", "0.0000"]
    y, p = [0, 0, 0, 1, 0, 1], [0.1, 0.2, 0.3, 0.9999966, 0.99999, 0.2]
    best = best_f1_threshold(y, p)
    assert float(threshold_text(best.threshold)) == pytest.approx(best.threshold, abs=1e-6)
    assert threshold_scores(y, p, float(threshold_text(best.threshold))) == threshold_scores(
        y, p, best.threshold)


def test_a_threshold_of_few_digits_is_printed_as_it_is():
    """0.57 * 10**4 is 5699.999999999999 in floating point: rounding down by floor printed
    0.57 as '0.5699' (which predicts the rows scored in [0.5699, 0.57) too)."""
    from mlkit.metrics import threshold_text

    shown = [threshold_text(t) for t in (0.57, 0.29, 0.58, 0.1235, 0.99999662)]
    assert shown == ["0.5700", "0.2900", "0.5800", "0.1235", "0.99999662"]
    for t in 0.0001 * np.arange(1, 10000):  # never above the threshold, never a unit below
        assert t - 1e-4 < float(threshold_text(t)) <= t
