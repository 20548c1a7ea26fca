"""mlkit: a machine-learning training toolkit on its own automatic differentiation engine.

``import mlkit.numpy as np``, write numpy code, and differentiate it with the operators below.
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
]
