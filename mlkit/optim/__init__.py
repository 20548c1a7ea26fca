"""Optimizers, learning-rate schedules and gradient clipping over parameter trees."""

from mlkit.optim.adadelta import Adadelta as Adadelta
from mlkit.optim.adagrad import Adagrad as Adagrad
from mlkit.optim.adam import Adam as Adam
from mlkit.optim.adam import AdamW as AdamW
from mlkit.optim.adamax import Adamax as Adamax
from mlkit.optim.base import Optimizer as Optimizer
from mlkit.optim.clipping import clip_flat as clip_flat
from mlkit.optim.clipping import clip_grad_norm as clip_grad_norm
from mlkit.optim.clipping import clip_grad_value as clip_grad_value
from mlkit.optim.combined import ChainedScheduler as ChainedScheduler
from mlkit.optim.combined import SequentialLR as SequentialLR
from mlkit.optim.cyclic import CyclicLR as CyclicLR
from mlkit.optim.factors import ConstantLR as ConstantLR
from mlkit.optim.factors import LambdaLR as LambdaLR
from mlkit.optim.factors import LinearLR as LinearLR
from mlkit.optim.factors import LinearWarmup as LinearWarmup
from mlkit.optim.factors import MultiplicativeLR as MultiplicativeLR
from mlkit.optim.factors import PolynomialLR as PolynomialLR
from mlkit.optim.flat import FlatParameters as FlatParameters
from mlkit.optim.groups import Groups as Groups
from mlkit.optim.lbfgs import LBFGS as LBFGS
from mlkit.optim.nadam import NAdam as NAdam
from mlkit.optim.plateau import ReduceLROnPlateau as ReduceLROnPlateau
from mlkit.optim.radam import RAdam as RAdam
from mlkit.optim.rmsprop import RMSprop as RMSprop
from mlkit.optim.schedules import CosineAnnealingLR as CosineAnnealingLR
from mlkit.optim.schedules import CosineAnnealingWarmRestarts as CosineAnnealingWarmRestarts
from mlkit.optim.schedules import ExponentialLR as ExponentialLR
from mlkit.optim.schedules import LRScheduler as LRScheduler
from mlkit.optim.schedules import MultiStepLR as MultiStepLR
from mlkit.optim.schedules import OneCycleLR as OneCycleLR
from mlkit.optim.schedules import StepLR as StepLR
from mlkit.optim.sgd import SGD as SGD

__all__ = ["Optimizer", "FlatParameters", "Groups", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
           "NAdam", "RAdam", "Adamax", "Adadelta", "LBFGS", "LRScheduler", "StepLR",
           "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "CosineAnnealingWarmRestarts", "LinearWarmup", "SequentialLR",
           "ChainedScheduler", "OneCycleLR", "ReduceLROnPlateau", "LambdaLR",
           "MultiplicativeLR", "LinearLR", "ConstantLR", "PolynomialLR", "CyclicLR",
           "clip_grad_norm", "clip_grad_value", "clip_flat"]
