"""Datasets, splitting, scaling and mini-batches: plain numpy, no autodiff.

Every data source (a bundled table, a generator, a CSV file) yields one :class:`Dataset`;
splits and batches are index arrays, so they apply to X, y and anything else row-aligned.
"""

from mlkit.data.batches import LastBatch as LastBatch
from mlkit.data.batches import minibatches as minibatches
from mlkit.data.batches import num_batches as num_batches
from mlkit.data.batches import rows_per_step as rows_per_step
from mlkit.data.batches import steps_per_epoch as steps_per_epoch
from mlkit.data.csv import load_csv as load_csv
from mlkit.data.datasets import DATASET_TASKS as DATASET_TASKS
from mlkit.data.datasets import Dataset as Dataset
from mlkit.data.datasets import available_datasets as available_datasets
from mlkit.data.datasets import dataset_defaults as dataset_defaults
from mlkit.data.datasets import dataset_parameters as dataset_parameters
from mlkit.data.datasets import load_dataset as load_dataset
from mlkit.data.dialect import DECIMALS as DECIMALS
from mlkit.data.dialect import SEPARATORS as SEPARATORS
from mlkit.data.drift import drift_report as drift_report
from mlkit.data.drift import drift_summary as drift_summary
from mlkit.data.errors import DataError as DataError
from mlkit.data.errors import DataFileNotFoundError as DataFileNotFoundError
from mlkit.data.preprocessing import LabelEncoder as LabelEncoder
from mlkit.data.preprocessing import OneHotEncoder as OneHotEncoder
from mlkit.data.preprocessing import Standardizer as Standardizer
from mlkit.data.preprocessing import class_weights as class_weights
from mlkit.data.profile import ColumnProfile as ColumnProfile
from mlkit.data.profile import CsvProfile as CsvProfile
from mlkit.data.profile import inspect_csv as inspect_csv
from mlkit.data.schema import DUPLICATES as DUPLICATES
from mlkit.data.schema import IMPUTE as IMPUTE
from mlkit.data.schema import CsvSchema as CsvSchema
from mlkit.data.split import forward_chaining_split as forward_chaining_split
from mlkit.data.split import k_fold_split as k_fold_split
from mlkit.data.split import train_val_test_split as train_val_test_split
from mlkit.data.training_profile import TrainingProfile as TrainingProfile
from mlkit.data.training_profile import profile_frame as profile_frame
from mlkit.data.values import CATEGORIES as CATEGORIES
from mlkit.data.values import NUMBERS as NUMBERS

__all__ = ["CATEGORIES", "DECIMALS", "IMPUTE", "NUMBERS", "SEPARATORS", "DATASET_TASKS",
           "DUPLICATES", "ColumnProfile", "LastBatch", "CsvProfile", "CsvSchema", "DataError",
           "DataFileNotFoundError", "Dataset", "LabelEncoder", "OneHotEncoder", "Standardizer",
           "TrainingProfile", "available_datasets", "class_weights", "dataset_defaults",
           "dataset_parameters", "drift_report", "drift_summary", "forward_chaining_split",
           "inspect_csv", "k_fold_split", "load_csv", "load_dataset", "minibatches", "num_batches",
           "profile_frame", "rows_per_step", "steps_per_epoch", "train_val_test_split"]
