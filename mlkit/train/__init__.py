"""Training: the one loop, callbacks, checkpoints, run directories, metrics and plots.

``fit(model, loss_fn, optimizer, X, y, ...)`` is the loop the CLI, the estimators and the
sweeps share; ``run_plan`` runs a built :class:`Plan` into a run directory.
"""

from mlkit.train.blocks import RowBlocks as RowBlocks
from mlkit.train.callbacks import Callback as Callback
from mlkit.train.callbacks import EarlyStopping as EarlyStopping
from mlkit.train.callbacks import ModelCheckpoint as ModelCheckpoint
from mlkit.train.callbacks import ProgressBar as ProgressBar
from mlkit.train.callbacks import ScheduleStep as ScheduleStep
from mlkit.train.checkpoint import CheckpointError as CheckpointError
from mlkit.train.checkpoint import load_arrays as load_arrays
from mlkit.train.checkpoint import save_arrays as save_arrays
from mlkit.train.gradcheck import check_gradients as check_gradients
from mlkit.train.heads import Head as Head
from mlkit.train.history import History as History
from mlkit.train.loop import LoopState as LoopState
from mlkit.train.loop import TrainingDiverged as TrainingDiverged
from mlkit.train.loop import TrainingInterrupted as TrainingInterrupted
from mlkit.train.loop import fit as fit
from mlkit.train.plan import Plan as Plan
from mlkit.train.plan import Preprocessing as Preprocessing
from mlkit.train.plan import Splits as Splits
from mlkit.train.predict import Predictor as Predictor
from mlkit.train.run import RunDir as RunDir
from mlkit.train.run import RunError as RunError
from mlkit.train.run import RunResult as RunResult
from mlkit.train.run import run_plan as run_plan

__all__ = ["Callback", "CheckpointError", "EarlyStopping", "Head", "History", "LoopState",
           "ModelCheckpoint", "Plan", "Predictor", "Preprocessing", "ProgressBar", "RunDir",
           "RunError", "RowBlocks", "RunResult", "ScheduleStep", "Splits", "TrainingDiverged",
           "TrainingInterrupted", "check_gradients", "fit", "load_arrays", "run_plan",
           "save_arrays"]
