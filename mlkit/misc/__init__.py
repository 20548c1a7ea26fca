"""Tools built on the operators, under HIPS autograd's names: ``flatten`` (any tree as one
vector), the functional ``optimizers`` (``sgd``, ``rmsprop``, ``adam``), ``fixed_points``
and ``const_graph``."""

from mlkit.misc import fixed_points, optimizers
from mlkit.misc.flatten import flatten
from mlkit.misc.tracers import const_graph

__all__ = ["const_graph", "fixed_points", "flatten", "optimizers"]
