"""mlkit: a machine-learning training toolkit on its own automatic differentiation engine.

``import mlkit.numpy as np``, write numpy code, and differentiate it with the operators below.
The scikit-learn compatible estimators are reachable here too (``mlkit.LogisticRegression``);
they load on first use, so importing the engine never imports the layers built on it.
"""

from mlkit.extend import defjvp, defvjp, primitive
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
    value_and_grad,
    vector_jacobian_product,
    with_fused_gradient,
)

__all__ = [
    "checkpoint",
    "defjvp",
    "defvjp",
    "deriv",
    "elementwise_grad",
    "grad",
    "grad_and_aux",
    "grad_named",
    "hessian",
    "hessian_tensor_product",
    "hessian_vector_product",
    "holomorphic_grad",
    "jacobian",
    "make_ggnvp",
    "make_hvp",
    "make_jvp",
    "make_vjp",
    "primitive",
    "value_and_grad",
    "vector_jacobian_product",
    "with_fused_gradient",
]

ESTIMATORS = ("LogisticRegression", "MLPClassifier", "MLPRegressor")


def __getattr__(name):
    """``mlkit.LogisticRegression`` and friends, imported from mlkit.estimators on first use."""
    if name in ESTIMATORS:
        from mlkit.estimators import LogisticRegression, MLPClassifier, MLPRegressor

        return {"LogisticRegression": LogisticRegression, "MLPClassifier": MLPClassifier,
                "MLPRegressor": MLPRegressor}[name]
    raise AttributeError(f"module 'mlkit' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(ESTIMATORS))
