"""Predictions and evaluation from a trained model and its saved preprocessing.

New rows go through exactly the training path: the CSV schema (for a run trained on a CSV
file) or the named feature columns, then the saved standardization, then the model, then the
head (probabilities, class labels, or values in the target's own units).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from mlkit.data import DataError
from mlkit.data.dialect import Dialect, lines_above_header
from mlkit.data.drift import drift_report
from mlkit.data.reading import (
    line_numbers,
    numeric_problems,
    raise_problems,
    read_columns,
    read_table,
    read_table_and_footer,
)
from mlkit.data.schema import Table, check_feature_columns
from mlkit.data.training_profile import TrainingProfile
from mlkit.train.plan import Preprocessing

__all__ = ["Predictor"]


class Predictor:
    """A trained model with its preprocessing: raw rows in, answers out."""

    def __init__(self, model, preprocessing: Preprocessing,
                 profile: TrainingProfile | None = None):
        self.model = model
        self.preprocessing = preprocessing
        self.head = preprocessing.make_head()
        self.profile = profile

    def read(self, path, target: bool = True, keep=()) -> Table:
        """Encode a CSV file as in training: raw features, targets (class indices or values in
        original units; None when absent or not wanted), the rows kept and dropped, and the
        ``keep`` columns (plus, for a CSV-trained run, its id columns) as ``carried``."""
        prep = self.preprocessing
        schema = prep.schema()
        if schema is not None:
            return schema.read(path, target, list(keep))
        dialect = Dialect.of(path, skip_lines=lines_above_header(path)).for_file(path)
        frame, footer = read_table_and_footer(
            path, list(read_table(path, dialect=dialect).columns), dialect=dialect)
        source = repr(os.fspath(path))
        check_feature_columns(prep.feature_names, list(frame.columns), source)
        features = frame[prep.feature_names]
        problems = numeric_problems(features, prep.feature_names, source)
        problems += [f"column {c!r} of {source} has missing values "
                     f"({line_numbers(features.index[features[c].isna()])}); fill them in."
                     for c in prep.feature_names if features[c].isna().any()]
        raise_problems(source, problems)
        X = features.to_numpy(dtype=prep.dtype)
        y = self._labels(frame[prep.target], source) if (
            target and prep.target in frame.columns) else None
        rows = frame.index.to_numpy()
        return Table(X, y, rows, rows[:0], read_columns(path, list(keep), rows, dialect),
                     footer=footer.index.to_numpy())

    def drift(self, path) -> pd.DataFrame:
        """How far a CSV file's input columns are from the training rows' (see
        :func:`mlkit.data.drift_report`); missing values count before any fill."""
        if self.profile is None:
            raise DataError("this model has no training profile (its run was trained before "
                            "mlkit kept one), so there is nothing to compare with; train again "
                            "to check new files for drift.")
        table = self.read(path, target=False)  # reports bad values first
        schema = self.preprocessing.schema()
        frame = schema.input_frame(path) if schema is not None else pd.DataFrame(
            table.X, columns=self.preprocessing.feature_names)
        return drift_report(self.profile, frame)

    def _labels(self, column: pd.Series, source: str) -> np.ndarray:
        classes = self.preprocessing.classes
        if classes is None:
            return column.to_numpy(dtype=np.float64)
        text = column.astype(str).to_numpy()
        if np.isin(text, classes).all():
            return pd.Index(classes).get_indexer(text)
        numbers = pd.to_numeric(column, errors="coerce")
        if numbers.notna().all() and numbers.between(0, len(classes) - 1).all() and (
                numbers % 1 == 0).all():
            return numbers.to_numpy(dtype=np.int64)
        unknown = sorted(set(text) - set(classes))[:5]
        raise DataError(f"target column {self.preprocessing.target!r} of {source} has labels "
                        f"{unknown} the model does not know; known: {classes}.")

    def outputs(self, X_raw) -> np.ndarray:
        """Raw model outputs for raw feature rows (eval mode)."""
        self.model.eval()
        return np.asarray(self.model(self.preprocessing.transform(X_raw)))

    def frame(self, X_raw, carried: pd.DataFrame | None = None,
              threshold: float | None = None) -> pd.DataFrame:
        """The ``carried`` columns (ids), then ``prediction`` (class label or value) and, for
        classifiers, ``proba_<class>`` (``score_<class>`` for a margin loss); a binary
        classifier of probabilities predicts its second class when that class's probability
        is at least ``threshold`` (default 0.5), which no other model takes."""
        if threshold is not None and (self.head.kind != "binary" or not 0 <= threshold <= 1):
            fix = ("leave it out" if self.head.kind != "binary" else
                   "give one in [0, 1], e.g. 0.5, the default")
            raise ValueError(f"threshold={threshold!r}: a probability between 0 and 1, for "
                             f"binary classifiers of probabilities only (this model is "
                             f"{self.head.kind}); {fix}")
        threshold = 0.5 if threshold is None else threshold
        outputs = self.outputs(X_raw)
        if not self.head.is_classifier:
            result = pd.DataFrame({"prediction": self.head.values(outputs)})
        else:
            classes = self.preprocessing.classes
            if self.head.gives_proba:
                column, scores = "proba", self.head.proba(outputs)
                labels = self.head.labels(scores, threshold)
            else:
                column, scores = "score", outputs
                labels = self.head.predict(outputs)
            result = pd.DataFrame({"prediction": np.asarray(classes)[labels]})
            for k, name in enumerate(classes):
                result[f"{column}_{name}"] = scores[:, k]
        if carried is None or carried.shape[1] == 0:
            return result
        clash = [c for c in carried.columns if c in result.columns]
        if clash:
            raise DataError(f"kept column(s) {', '.join(clash)} would overwrite prediction "
                            "columns of the same name; keep other columns.")
        return pd.concat([carried.reset_index(drop=True), result], axis=1)

    def evaluate(self, X_raw, y, names=()) -> dict[str, float]:
        """The named test metrics (default: the head's) of raw rows against targets in
        original units."""
        if y is None:
            raise DataError(f"the data has no target column {self.preprocessing.target!r}, so "
                            "there is nothing to evaluate against; use `mlkit predict` instead.")
        return self.head.metrics(self.outputs(X_raw), y, names, scaled=False)
