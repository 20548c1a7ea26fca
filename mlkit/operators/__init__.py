"""Differential operators: grad, jacobian, hessian, HVPs, JVPs and friends.

Each takes a function and returns a function with the same arguments. ``argnum`` picks the
argument to differentiate (an int, or a tuple of ints for a tuple of gradients); everything else
is held constant. All are built on ``make_vjp`` and ``make_jvp``, so they nest to any order.
"""

from mlkit.operators.fused import with_fused_gradient as with_fused_gradient
from mlkit.operators.gradients import deriv as deriv
from mlkit.operators.gradients import elementwise_grad as elementwise_grad
from mlkit.operators.gradients import grad as grad
from mlkit.operators.gradients import grad_and_aux as grad_and_aux
from mlkit.operators.gradients import grad_named as grad_named
from mlkit.operators.gradients import holomorphic_grad as holomorphic_grad
from mlkit.operators.gradients import multigrad_dict as multigrad_dict
from mlkit.operators.gradients import value_and_grad as value_and_grad
from mlkit.operators.jacobians import hessian as hessian
from mlkit.operators.jacobians import jacobian as jacobian
from mlkit.operators.products import checkpoint as checkpoint
from mlkit.operators.products import hessian_tensor_product as hessian_tensor_product
from mlkit.operators.products import hessian_vector_product as hessian_vector_product
from mlkit.operators.products import make_ggnvp as make_ggnvp
from mlkit.operators.products import make_hvp as make_hvp
from mlkit.operators.products import make_jvp as make_jvp
from mlkit.operators.products import make_jvp_reversemode as make_jvp_reversemode
from mlkit.operators.products import make_vjp as make_vjp
from mlkit.operators.products import tensor_jacobian_product as tensor_jacobian_product
from mlkit.operators.products import vector_jacobian_product as vector_jacobian_product

__all__ = ["checkpoint", "deriv", "elementwise_grad", "grad", "grad_and_aux", "grad_named",
           "hessian", "hessian_tensor_product", "hessian_vector_product", "holomorphic_grad",
           "jacobian", "make_ggnvp", "make_hvp", "make_jvp", "make_jvp_reversemode", "make_vjp",
           "multigrad_dict", "tensor_jacobian_product", "value_and_grad", "vector_jacobian_product",
           "with_fused_gradient"]
