"""Sweeps and optimizer comparisons, locally or on a Dask cluster; 2-D loss landscapes.

``load_sweep`` + ``run_sweep`` are ``mlkit sweep``; ``load_landscape``, ``run_landscape``,
``steps_table`` and ``write_landscape`` are ``mlkit landscape``.
"""

from mlkit.experiments.functions import FUNCTIONS as FUNCTIONS
from mlkit.experiments.functions import TestFunction as TestFunction
from mlkit.experiments.functions import make_function as make_function
from mlkit.experiments.landscape import LandscapeConfig as LandscapeConfig
from mlkit.experiments.landscape import load_landscape as load_landscape
from mlkit.experiments.landscape import plot_landscape as plot_landscape
from mlkit.experiments.landscape import run_landscape as run_landscape
from mlkit.experiments.landscape import steps_table as steps_table
from mlkit.experiments.landscape import write_landscape as write_landscape
from mlkit.experiments.sweep import SweepError as SweepError
from mlkit.experiments.sweep import SweepResult as SweepResult
from mlkit.experiments.sweep import run_sweep as run_sweep
from mlkit.experiments.sweep_file import Sweep as Sweep
from mlkit.experiments.sweep_file import Trial as Trial
from mlkit.experiments.sweep_file import load_sweep as load_sweep

__all__ = ["FUNCTIONS", "LandscapeConfig", "Sweep", "SweepError", "SweepResult", "TestFunction",
           "Trial", "load_landscape", "load_sweep", "make_function", "plot_landscape",
           "run_landscape", "run_sweep", "steps_table", "write_landscape"]
