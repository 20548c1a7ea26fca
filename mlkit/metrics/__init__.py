"""Classification, ranking and regression metrics in plain numpy, and the table of their names.

Every function checks its inputs (matching lengths, finite values, valid probabilities), takes
an optional ``sample_weight`` and returns a Python float, so results go straight into
``metrics.csv`` and ``summary.json``. :data:`METRICS` names each one for configs, monitors and
:func:`mlkit.train.fit`; :func:`bootstrap` gives each a confidence interval over the test rows;
:func:`permutation_importance`, :func:`calibration` and :func:`best_f1_threshold` answer what
comes after "how good is it".
"""

from .calibration import Calibration as Calibration
from .calibration import calibration as calibration
from .classification import AVERAGES as AVERAGES
from .classification import accuracy as accuracy
from .classification import balanced_accuracy as balanced_accuracy
from .classification import brier as brier
from .classification import confusion_matrix as confusion_matrix
from .classification import f1 as f1
from .classification import log_loss as log_loss
from .classification import per_class as per_class
from .classification import precision as precision
from .classification import recall as recall
from .importance import Importance as Importance
from .importance import importance_reference as importance_reference
from .importance import permutation_importance as permutation_importance
from .inputs import UndefinedMetric as UndefinedMetric
from .intervals import Bootstrap as Bootstrap
from .intervals import Interval as Interval
from .intervals import bootstrap as bootstrap
from .ranking import average_precision as average_precision
from .ranking import roc_auc as roc_auc
from .ranking import roc_auc_ovr as roc_auc_ovr
from .ranking import roc_curve as roc_curve
from .regression import explained_variance as explained_variance
from .regression import mae as mae
from .regression import mape as mape
from .regression import mse as mse
from .regression import r2 as r2
from .regression import rmse as rmse
from .table import METRICS as METRICS
from .table import Metric as Metric
from .table import averaged_forms as averaged_forms
from .table import check_metrics as check_metrics
from .table import default_metrics as default_metrics
from .table import score as score
from .threshold import ThresholdScores as ThresholdScores
from .threshold import best_f1_threshold as best_f1_threshold
from .threshold import threshold_scores as threshold_scores
from .threshold import threshold_text as threshold_text

__all__ = ["AVERAGES", "METRICS", "Bootstrap", "Calibration", "Importance", "Interval", "Metric",
           "ThresholdScores", "UndefinedMetric", "accuracy", "average_precision", "averaged_forms",
           "balanced_accuracy", "best_f1_threshold", "bootstrap", "brier", "calibration",
           "check_metrics", "confusion_matrix", "default_metrics", "explained_variance", "f1",
           "importance_reference", "log_loss", "mae", "mape", "mse", "per_class",
           "permutation_importance", "precision", "r2", "recall", "roc_auc", "roc_auc_ovr",
           "roc_curve", "rmse", "score", "threshold_scores", "threshold_text"]
