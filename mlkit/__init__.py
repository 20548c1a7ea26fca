"""mlkit: a machine-learning training toolkit on its own automatic differentiation engine.

``import mlkit.numpy as np``, write numpy code, and differentiate it with the operators below.
``tuple``, ``list``, ``dict``, ``isinstance`` and ``type`` are the traced versions of the
builtins (from :mod:`mlkit.builtins`), under the same names as in HIPS autograd.
The scikit-learn compatible estimators are reachable here too (``mlkit.LogisticRegression``);
they load on first use, so importing the engine never imports the layers built on it.
"""

from mlkit import builtins
from mlkit.builtins import dict, isinstance, list, tuple, type
from mlkit.extend import custom_vjp, defjvp, defvjp, primitive
from mlkit.jit import jit
from mlkit.operators import (
    checkpoint,
    deriv,
    elementwise_grad,
    grad,
    grad_and_aux,
    grad_named,
    hessian,
    hessian_tensor_product,
    hessian_vector_product,
    holomorphic_grad,
    jacobian,
    make_ggnvp,
    make_hvp,
    make_jvp,
    make_vjp,
    multigrad_dict,
    tensor_jacobian_product,
    value_and_grad,
    vector_jacobian_product,
    with_fused_gradient,
)

__all__ = ["builtins", "checkpoint", "custom_vjp", "defjvp", "defvjp", "deriv", "dict",
           "elementwise_grad", "grad", "grad_and_aux", "grad_named", "hessian",
           "hessian_tensor_product", "hessian_vector_product", "holomorphic_grad", "isinstance",
           "jit", "jacobian", "list", "make_ggnvp", "make_hvp", "make_jvp", "make_vjp",
           "multigrad_dict", "primitive", "tensor_jacobian_product", "tuple", "type",
           "value_and_grad", "vector_jacobian_product", "with_fused_gradient"]

ESTIMATORS = ("LogisticRegression", "MLPClassifier", "MLPRegressor")
# HIPS autograd's submodules that ``import autograd`` puts on the package (``autograd.core``).
_AUTOGRAD_SUBMODULES = ("core", "differential_operators", "tracer", "util", "wrap_util")


def __getattr__(name):
    """``mlkit.LogisticRegression`` and friends, imported from mlkit.estimators on first use,
    and autograd's submodule paths (``mlkit.core``), imported on first use too."""
    if name in _AUTOGRAD_SUBMODULES:
        import importlib

        return importlib.import_module(f"mlkit.{name}")
    if name in ESTIMATORS:
        from mlkit.estimators import LogisticRegression, MLPClassifier, MLPRegressor

        return {"LogisticRegression": LogisticRegression, "MLPClassifier": MLPClassifier,
                "MLPRegressor": MLPRegressor}[name]
    raise AttributeError(f"module 'mlkit' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *ESTIMATORS])
