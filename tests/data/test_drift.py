"""The training profile and the drift report, against numbers worked out by hand."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from mlkit.data import DataError, TrainingProfile, drift_report, drift_summary, profile_frame


def _report(train: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    return drift_report(profile_frame(train), new).set_index("column")


def test_a_number_column_keeps_its_range_moments_quantiles_and_decile_bins():
    profile = profile_frame(pd.DataFrame({"x": np.r_[np.arange(100.0), np.nan * np.ones(25)]}))
    x = profile.columns["x"]
    assert profile.rows == 125 and x["missing"] == 0.2
    assert (x["min"], x["max"], x["mean"]) == (0.0, 99.0, 49.5)
    assert x["std"] == pytest.approx(math.sqrt((100 ** 2 - 1) / 12))
    assert x["quantiles"]["0.5"] == 49.5 and x["quantiles"]["0.05"] == pytest.approx(4.95)
    assert x["edges"] == pytest.approx([9.9 * k for k in range(1, 10)])
    assert x["shares"] == pytest.approx([0.1] * 10)


def test_psi_mean_shift_and_outside_share_of_a_shifted_number_column():
    train = pd.DataFrame({"x": np.arange(100.0)})
    # 10..109: bin (-inf, 9.9] empties, the top bin (89.1, inf) doubles, 10 values pass 99
    row = _report(train, pd.DataFrame({"x": np.arange(100.0) + 10})).loc["x"]
    floor = 1e-4
    assert row["psi"] == pytest.approx((floor - 0.1) * math.log(floor / 0.1)
                                       + (0.2 - 0.1) * math.log(2))
    assert row["mean_shift"] == pytest.approx(10 / math.sqrt((100 ** 2 - 1) / 12))
    assert row["outside"] == pytest.approx(0.1)
    # past the limits, but 100 values of the training population leave a decile empty one
    # time in 120 and 10 past the range one time in 200: within chance, not flagged
    assert not row["drifted"]
    # the same shift seen in 1000 values against 1000 is beyond chance
    row = _report(pd.DataFrame({"x": np.arange(1000.0)}),
                  pd.DataFrame({"x": np.arange(1000.0) + 100})).loc["x"]
    assert row["why"] == "PSI 0.76, 10% outside the training range"


def test_psi_counts_a_split_distribution_with_the_same_mean():
    train = pd.DataFrame({"x": np.arange(100.0)})
    new = pd.DataFrame({"x": np.r_[np.arange(10.0).repeat(5), np.arange(90.0, 100).repeat(5)]})
    row = _report(train, new).loc["x"]
    assert row["mean_shift"] == 0 and row["outside"] == 0
    assert row["psi"] == pytest.approx(2 * 0.4 * math.log(5) + 8 * 0.0999 * math.log(1000))


def test_unseen_categories_and_missing_values_are_counted():
    train = pd.DataFrame({"c": ["a"] * 60 + ["b"] * 40})
    new = pd.DataFrame({"c": ["a"] * 50 + ["b"] * 30 + ["c"] * 20 + [None] * 25})
    row = _report(train, new).loc["c"]
    assert row["unseen"] == pytest.approx(0.2)
    assert (row["missing_train"], row["missing_new"], row["present"]) == (0.0, 0.2, 100)
    assert row["missing_change"] == pytest.approx(0.2)
    assert row["psi"] == pytest.approx(-0.1 * math.log(0.5 / 0.6) - 0.1 * math.log(0.3 / 0.4)
                                       + (0.2 - 1e-4) * math.log(0.2 / 1e-4))
    assert np.isnan(row["mean_shift"]) and np.isnan(row["outside"])


def test_a_resample_of_the_training_rows_is_not_flagged_and_a_shift_is():
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"price": rng.lognormal(3, 0.5, 1000), "size": rng.normal(0, 1, 1000),
                          "city": rng.choice(["x", "y", "z"], 1000, p=[0.5, 0.3, 0.2])})
    resample = train.sample(300, replace=True, random_state=1)
    report = _report(train, resample)
    assert not report["drifted"].any() and drift_summary(report.reset_index()) == ""
    assert (report["outside"].dropna() == 0).all() and (report["unseen"].dropna() == 0).all()
    june = resample.assign(price=resample["price"] * 2)
    report = drift_report(profile_frame(train), june)
    assert report.loc[report["drifted"], "column"].tolist() == ["price"]
    assert drift_summary(report).splitlines()[1].split()[0] == "price"


def test_a_psi_within_chance_is_not_flagged_and_one_beyond_it_is():
    train = pd.DataFrame({"x": np.arange(100.0)})
    # 3 values in 3 bins: PSI 5.67, as most samples of 3 give
    row = _report(train, pd.DataFrame({"x": [5.0, 50.0, 95.0]})).loc["x"]
    assert row["psi"] == pytest.approx(3 * (1 / 3 - 0.1) * math.log(10 / 3)
                                       + 7 * 0.0999 * math.log(1000))
    assert not row["drifted"] and row["why"] == ""
    # 3 values in one bin (PSI 8.28) happen one time in a hundred: not flagged; 5 values in one
    # bin happen one time in 10,000: flagged
    row = _report(train, pd.DataFrame({"x": [0.0, 1.0, 2.0]})).loc["x"]
    assert row["psi"] == pytest.approx(8.283, abs=1e-3) and not row["drifted"]
    row = _report(train, pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 4.0]})).loc["x"]
    assert row["drifted"] and row["why"].startswith("PSI 8.28")
    # 1 of 3 values past the range of 100 happens one time in 17 (beta-binomial): not flagged;
    # 3 of 5 one time in 5,000: flagged
    row = _report(train, pd.DataFrame({"x": [5.0, 50.0, 200.0]})).loc["x"]
    assert row["outside"] == pytest.approx(1 / 3) and row["why"] == ""
    row = _report(train, pd.DataFrame({"x": [5.0, 50.0, 200.0, 300.0, 400.0]})).loc["x"]
    assert row["why"] == "mean +4.90 sd, 60% outside the training range"


def test_a_missing_share_change_within_chance_is_not_flagged():
    train = pd.DataFrame({"x": np.r_[np.arange(88.0), [np.nan] * 12]})
    row = _report(train, pd.DataFrame({"x": [5.0]})).loc["x"]
    assert row["missing_change"] == pytest.approx(-0.12) and not row["drifted"]
    half = np.r_[np.arange(0.0, 100, 2), [np.nan] * 50]
    row = _report(train, pd.DataFrame({"x": half})).loc["x"]
    assert row["why"] == "missing 12% -> 50%"


def _same_population_columns(seed: int, trained: int, new: int, columns: int):
    """A training frame and a new frame drawn alike: normal numbers, numbers with 15% missing,
    and categories with rare ones."""
    rng = np.random.default_rng(seed)
    categories, weights = list("abcdefg"), [0.3, 0.2, 0.2, 0.1, 0.1, 0.06, 0.04]

    def frame(rows):
        numbers = rng.normal(size=(rows, columns))
        holes = np.where(rng.random((rows, columns)) < 0.15, np.nan, numbers)
        labels = rng.choice(categories, size=(rows, columns), p=weights)
        return pd.concat([pd.DataFrame(numbers).add_prefix("x"),
                          pd.DataFrame(holes).add_prefix("m"),
                          pd.DataFrame(labels).add_prefix("c")], axis=1)

    return frame(trained), frame(new)


def test_data_drawn_like_training_is_flagged_at_most_one_time_in_a_hundred():
    sizes = [(20, 20), (69, 23), (36, 60), (1000, 20), (200, 66), (20, 1000), (300, 300)]
    flagged = trials = 0
    for seed, (trained, new) in enumerate(sizes):
        train, fresh = _same_population_columns(seed, trained, new, columns=12)
        report = drift_report(profile_frame(train), fresh)
        flagged += int(report["drifted"].sum())
        trials += len(report)
    # at a true rate of 1%, more than this many flagged columns happen one time in 1000
    assert trials == 252 and flagged <= binom.ppf(0.999, trials, 0.01)


def test_the_profile_goes_through_json_and_a_damaged_one_is_named():
    profile = profile_frame(pd.DataFrame({"x": [1.0, 2.0, np.nan], "c": ["a", "b", "a"]}))
    again = TrainingProfile.from_dict(json.loads(json.dumps(profile.to_dict())))
    assert again == profile and profile.to_dict()["version"] == 1
    state = profile.to_dict()
    with pytest.raises(ValueError, match="'version' is 2"):
        TrainingProfile.from_dict({**state, "version": 2})
    state["columns"]["x"]["shares"] = [1.0]
    with pytest.raises(ValueError, match="columns.x.edges"):
        TrainingProfile.from_dict(state)


def test_bad_input_is_refused_with_the_problem_named():
    profile = profile_frame(pd.DataFrame({"x": [1.0, 2.0], "c": ["a", "b"]}))
    with pytest.raises(DataError, match="lack column.* c "):
        drift_report(profile, pd.DataFrame({"x": [1.0]}))
    with pytest.raises(DataError, match="'x' holds 'cheap'"):
        drift_report(profile, pd.DataFrame({"x": ["cheap"], "c": ["a"]}))
    with pytest.raises(DataError, match="empty"):
        drift_report(profile, pd.DataFrame({"x": [], "c": []}))
    with pytest.raises(TypeError, match="TrainingProfile"):
        drift_report({"x": {}}, pd.DataFrame({"x": [1.0]}))


def test_an_infinite_training_value_stays_out_of_the_statistics():
    profile = profile_frame(pd.DataFrame({"x": [1.0, 3.0, np.inf]}))
    assert (profile.columns["x"]["max"], profile.columns["x"]["mean"]) == (3.0, 2.0)
    assert TrainingProfile.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile


def test_many_categories_of_few_rows_each_are_not_flagged_when_drawn_alike():
    """800 merchants in 4,000 training rows: training's shares are noisy themselves, so new
    files drawn alike reach PSIs near 0.4, which sampling new rows alone seldom gives; a
    file of half the merchants is still flagged."""
    rng = np.random.default_rng(7)
    merchants = np.array([f"M{i:03d}" for i in range(800)])
    train = pd.DataFrame({"merchant": rng.choice(merchants, 4000)})
    drawn = [_report(train, pd.DataFrame({"merchant": rng.choice(merchants, 3000)}))
             for _ in range(3)]
    assert all(0.3 < r.loc["merchant", "psi"] < 0.6 for r in drawn)
    assert not any(r.loc["merchant", "drifted"] for r in drawn)
    half = _report(train, pd.DataFrame({"merchant": rng.choice(merchants[:400], 3000)}))
    assert half.loc["merchant", "why"].startswith("PSI ")
