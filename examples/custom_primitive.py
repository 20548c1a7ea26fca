"""Define your own primitive with hand-written derivative rules.

``log1pexp(x) = log(1 + exp(x))`` (softplus) computed naively overflows for large x. Here it is
a primitive: its value is computed stably with plain numpy, and its derivative, the sigmoid, is
given once for reverse mode (VJP) and once for forward mode (JVP). The rules use mlkit.numpy,
so second and higher derivatives work too. ``check_grads`` compares them with finite
differences.
"""

import numpy

import mlkit.numpy as np
from mlkit import defjvp, defvjp, grad, primitive
from mlkit.testing import check_grads


@primitive
def log1pexp(x):
    """log(1 + exp(x)), without overflow: max(x, 0) + log1p(exp(-|x|))."""
    return numpy.maximum(x, 0) + numpy.log1p(numpy.exp(-numpy.abs(x)))


def sigmoid(x):
    return 0.5 * (np.tanh(x / 2.0) + 1.0)


# A VJP maker receives the output and the inputs and returns the map from the output's
# cotangent g to the input's: here g times the derivative, sigmoid(x).
defvjp(log1pexp, lambda ans, x: lambda g: g * sigmoid(x))
# A JVP rule receives the input's tangent, the output and the inputs.
defjvp(log1pexp, lambda g, ans, x: g * sigmoid(x))

if __name__ == "__main__":
    x = np.array([-800.0, -1.0, 0.0, 1.0, 800.0])
    print("log1pexp(x)       =", log1pexp(x))
    print("gradient of sum   =", grad(lambda x: np.sum(log1pexp(x)))(x))
    print("second derivative =", grad(grad(log1pexp))(0.0), "(sigmoid'(0) = 0.25)")
    check_grads(log1pexp, modes=("fwd", "rev"), order=2)(np.array([-2.0, 0.3, 1.5]))
    print("check_grads: forward and reverse rules agree with finite differences to order 2")
