"""A fused kernel: a hand-written forward pass that saves what its backward pass needs.

The objective ``sum(softplus(A @ x)) / n`` reads the tall matrix ``A`` twice when traced
(``A @ x`` forward, ``A.T @ g`` back). With ``mlkit.custom_vjp`` the forward pass, in plain
numpy, also returns its residuals (here the sigmoid of the scores), and the backward pass
turns them into the gradient with one product. The residuals belong to that call's node: no
cache, nothing kept once the gradient is taken. Forward mode and the Hessian come from the
engine differentiating the reference, so they stay exact.
"""

import numpy

import mlkit
import mlkit.numpy as np
from mlkit.testing import check_grads

rng = numpy.random.default_rng(0)
A = rng.standard_normal((2000, 5))


def loss(x):
    """The reference, written with mlkit.numpy."""
    return np.sum(np.logaddexp(0.0, A @ x)) / len(A)


def loss_fwd(x):
    scores = A @ x
    return numpy.logaddexp(0.0, scores).sum() / len(A), 1.0 / (1.0 + numpy.exp(-scores))


def loss_bwd(sigmoid, g):
    return (g * (A.T @ sigmoid) / len(A),)  # one cotangent per argument


fused_loss = mlkit.custom_vjp(loss).defvjp(loss_fwd, loss_bwd)


def main():
    """Gradient and Hessian of the fused loss, and their largest gaps to the reference's."""
    x = numpy.linspace(-1.0, 1.0, 5)
    gradient = mlkit.grad(fused_loss)(x)
    hessian = mlkit.hessian(fused_loss)(x)
    gaps = (numpy.abs(gradient - mlkit.grad(loss)(x)).max(),
            numpy.abs(hessian - mlkit.hessian(loss)(x)).max())
    check_grads(fused_loss, modes=("fwd", "rev"), order=2)(x)
    return gradient, hessian, gaps


if __name__ == "__main__":
    gradient, hessian, (gradient_gap, hessian_gap) = main()
    print("gradient             =", gradient)
    print("Hessian diagonal     =", numpy.diag(hessian))
    print(f"gap to the reference: gradient {gradient_gap:.1e}, Hessian {hessian_gap:.1e}")
    print("check_grads: both modes agree with finite differences to order 2")
