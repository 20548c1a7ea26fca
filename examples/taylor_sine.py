"""Differentiate through a Python while loop: a Taylor-series sine.

The loop's condition looks at a traced value; mlkit records whichever operations actually run,
so the derivative of the series is exactly the derivative of the program.
"""

import mlkit.numpy as np
from mlkit import grad


def taylor_sine(x):
    """sin(x) summed term by term until the next term is below 1e-3."""
    total = term = x
    k = 0
    while np.abs(term) > 0.001:
        term = -term * x**2 / ((2 * k + 3) * (2 * k + 2))
        total = total + term
        k += 1
    return total


if __name__ == "__main__":
    d_sine = grad(taylor_sine)
    print(f"d/dx taylor_sine at pi = {d_sine(np.pi):.6f} (cos(pi) = -1)")
    print(f"second derivative at pi/2 = {grad(d_sine)(np.pi / 2):.6f} (-sin(pi/2) = -1)")
