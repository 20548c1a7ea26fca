"""A training job fully built and ready to run: data splits, preprocessing, components.

``mlkit.config.build`` turns a config into a :class:`Plan`; :func:`mlkit.train.run.run_plan`
executes it. Keeping the plan free of config types lets sweeps and tests build one directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from mlkit.data import CsvSchema, Standardizer
from mlkit.data.training_profile import TrainingProfile
from mlkit.train.heads import Head
from mlkit.train.run_files import check_preprocessing

__all__ = ["Plan", "Preprocessing", "Splits"]


@dataclass
class Splits:
    """Train/validation/test rows after preprocessing (inputs scaled, regression target scaled).

    ``w_train`` is the per-row training weight (class weights), or None.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray | None
    y_val: np.ndarray | None
    X_test: np.ndarray
    y_test: np.ndarray
    w_train: np.ndarray | None = None

    @property
    def validation(self):
        """``(X_val, y_val)``, or None without a validation split."""
        return None if self.X_val is None or len(self.X_val) == 0 else (self.X_val, self.y_val)


@dataclass
class Preprocessing:
    """Everything needed to turn raw rows into model inputs and outputs back into answers.

    Saved as ``preprocessing.json`` in the run directory (plain JSON, no pickle).
    """

    head: str
    feature_names: list[str]
    classes: list[str] | None = None
    x_mean: list[float] | None = None
    x_scale: list[float] | None = None
    y_mean: float = 0.0
    y_scale: float = 1.0
    target: str = "target"
    csv_schema: dict | None = None
    dtype: str = "float64"

    def make_head(self) -> Head:
        """The :class:`Head` that reads this model's outputs."""
        return Head(self.head, self.y_mean, self.y_scale)

    def transform(self, X) -> np.ndarray:
        """Raw feature rows -> model inputs (standardized when the run standardized)."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != len(self.feature_names):
            raise ValueError(f"expected {len(self.feature_names)} feature columns "
                             f"({', '.join(self.feature_names[:5])}"
                             f"{', ...' if len(self.feature_names) > 5 else ''}), got shape "
                             f"{X.shape}")
        if self.x_mean is None:
            return X
        scaler = Standardizer.from_state({"mean": np.array(self.x_mean),
                                          "scale": np.array(self.x_scale)})
        return scaler.transform(X)

    def schema(self) -> CsvSchema | None:
        """The CSV schema of a run trained on a CSV file."""
        return None if self.csv_schema is None else CsvSchema.from_dict(self.csv_schema)

    def feature_groups(self) -> dict[str, list[int]]:
        """Each input column with the model-input columns it becomes (a CSV's category or
        date spans several; any other feature is its own)."""
        schema = self.schema()
        if schema is not None:
            return schema.column_groups()
        return {name: [i] for i, name in enumerate(self.feature_names)}

    def to_dict(self) -> dict:
        """JSON-able form (every field, copied); floats are kept exactly (Python's JSON floats
        round-trip)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, state: dict) -> Preprocessing:
        """Rebuild from :meth:`to_dict` output; ValueError naming the first missing key or
        value mlkit never writes (:func:`~mlkit.train.run_files.check_preprocessing`)."""
        check_preprocessing(state)
        names = set(cls.__dataclass_fields__)
        if not names <= set(state):
            raise ValueError(f"preprocessing state lacks {sorted(names - set(state))}")
        return cls(**{key: state[key] for key in names})


@dataclass
class Plan:
    """A built training job: what :func:`mlkit.train.run.run_plan` needs and nothing more.

    ``loss_fn(model, X, y, w)`` is the training objective (penalties included);
    ``data_loss(outputs, y, w)`` is the plain loss used for ``val_loss`` and the test loss;
    ``fit_options`` are keyword arguments of :func:`mlkit.train.fit` (epochs, batch_size,
    seed, shuffle, last_batch, clipping, eval_every, schedule_monitor);
    ``early_stopping`` are :class:`~mlkit.train.callbacks.EarlyStopping` arguments or None;
    ``monitor``/``mode`` choose the best checkpoint; ``metrics`` names the test metrics
    (empty: the head's defaults) and ``val_metrics`` those of every evaluation (empty: the
    head's cheap defaults); ``notes`` say what reading the data left out, for the user;
    ``profile`` is what the training rows held, kept with the run to check new files for drift.
    """

    name: str
    model: object
    loss_fn: Callable
    data_loss: Callable
    optimizer: object
    schedule: object
    splits: Splits
    preprocessing: Preprocessing
    fit_options: dict = field(default_factory=dict)
    early_stopping: dict | None = None
    monitor: str = "val_loss"
    mode: str = "min"
    metrics: tuple[str, ...] = ()
    val_metrics: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    profile: TrainingProfile | None = None

    @property
    def head(self) -> Head:
        """The head reading this plan's model outputs."""
        return self.preprocessing.make_head()

    def evaluate(self, model, X, y) -> dict[str, float]:
        """Validation numbers of one split: ``loss`` (no penalty) and ``val_metrics``."""
        outputs = model(X)
        scores = {"loss": float(self.data_loss(outputs, y, None))}
        scores.update(self.head.metrics(outputs, y, self.val_metrics, validation=True))
        return scores
