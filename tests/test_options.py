"""The one "did you mean" hint that config, registry, data and metrics errors all end with."""

import pytest

from mlkit.options import did_you_mean


@pytest.mark.parametrize("word, options, hint", [
    ("Sex ", ["age", "sex", "sexes"], " — did you mean 'sex'?"),  # spaces and case first
    ("L-BFGS", ["lbfgs", "bfgs_b"], " — did you mean 'lbfgs'?"),  # and punctuation
    ("mode", ["mean", "median", "most_frequent"], " — did you mean 'most_frequent'?"),
    ("Average", ["mean", "median"], " — did you mean 'mean'?"),
    ("mode", ["min", "max"], ""),  # a synonym only names an option that exists
    ("f1", ["val_accuracy", "val_f1", "f1_macro"], " — did you mean 'val_f1'?"),
    ("f1", ["validation_f1", "training_f1"], ""),  # two end in _f1, none spelled alike
    ("pateince", ["patience", "monitor"], " — did you mean 'patience'?"),
    ("xb", ["xa", "t"], " — did you mean 'xa'?"),
    ("zzz", ["patience", "monitor"], ""),
    (3, [1, 30], " — did you mean '30'?"),
])
def test_the_closest_option_is_named(word, options, hint):
    assert did_you_mean(word, options) == hint


def test_after_a_full_stop_the_hint_is_a_sentence():
    assert did_you_mean("irsi", ["iris", "wine"], sentence=True) == " Did you mean 'iris'?"
    assert did_you_mean("irsi", [], sentence=True) == ""
