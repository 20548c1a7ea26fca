"""Two-dimensional test functions for optimizers, written with ``mlkit.numpy``.

Each function takes the two coordinates separately, so the same code evaluates one point
(while an optimizer is being differentiated through it) and a whole grid of points (for the
contour plot). Each knows where its minimum is, which is what "steps to reach a tolerance"
is measured against.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy

from mlkit import value_and_grad

__all__ = ["FUNCTIONS", "TestFunction", "beale", "make_function", "quadratic_bowl", "rosenbrock"]


@dataclass(frozen=True)
class TestFunction:
    """A function of two variables with a known minimizer and a sensible plotting window.

    Attributes
    ----------
    name : str
        A label for tables and titles.
    f : callable
        ``f(x, y)`` with mlkit.numpy operations; broadcasts over arrays of points.
    minimum : tuple of float
        The global minimizer ``(x*, y*)``.
    xlim, ylim : tuple of float
        The plotting window.
    log_levels : bool
        Draw contours on a log scale (for valleys whose depth spans many decades).
    """

    name: str
    f: Callable
    minimum: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    log_levels: bool = True

    @property
    def f_min(self) -> float:
        """The value at the minimizer."""
        return float(self.f(*self.minimum))

    def __call__(self, point):
        """``f`` at ``point``, a length-2 array (the form optimizers work with)."""
        return self.f(point[0], point[1])

    def value_and_grad(self) -> Callable:
        """``point -> (f(point), gradient)`` by reverse-mode differentiation of ``f``."""
        return value_and_grad(self.__call__)

    def grid(self, n: int = 200, xlim=None, ylim=None):
        """``(X, Y, Z)`` meshes of ``f`` over the window, for a contour plot."""
        xs = numpy.linspace(*(xlim or self.xlim), n)
        ys = numpy.linspace(*(ylim or self.ylim), n)
        grid_x, grid_y = numpy.meshgrid(xs, ys)
        return grid_x, grid_y, numpy.asarray(self.f(grid_x, grid_y))


def rosenbrock(a: float = 1.0, b: float = 100.0) -> TestFunction:
    """Rosenbrock's banana valley ``(a - x)^2 + b (y - x^2)^2``; minimum 0 at ``(a, a^2)``.

    The valley floor is easy to find and hard to follow: the curvature across it is about
    ``b`` times the curvature along it.
    """

    def f(x, y):
        return (a - x) ** 2 + b * (y - x ** 2) ** 2

    return TestFunction(f"rosenbrock(a={a:g}, b={b:g})", f, (a, a * a),
                        (a - 3.0, a + 2.0), (a * a - 2.0, a * a + 3.0))


def beale() -> TestFunction:
    """Beale's function; minimum 0 at ``(3, 1/2)`` in a flat, curved trough with steep walls."""

    def f(x, y):
        return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
                + (2.625 - x + x * y ** 3) ** 2)

    return TestFunction("beale", f, (3.0, 0.5), (-4.5, 4.5), (-4.5, 4.5))


def quadratic_bowl(condition: float = 50.0, angle: float = 30.0) -> TestFunction:
    """A quadratic ``1/2 p^T A p`` whose Hessian ``A`` has eigenvalues 1 and ``condition``,
    with axes rotated by ``angle`` degrees; minimum 0 at the origin.

    Gradient descent on it zig-zags across the steep direction once ``lr`` nears
    ``2 / condition``, the classic picture of bad conditioning.
    """
    turn = math.radians(angle)
    c, s = math.cos(turn), math.sin(turn)
    # A = R diag(1, condition) R^T with R the rotation by `angle`.
    a11 = c * c + condition * s * s
    a22 = s * s + condition * c * c
    a12 = (1.0 - condition) * c * s

    def f(x, y):
        return 0.5 * (a11 * x ** 2 + 2.0 * a12 * x * y + a22 * y ** 2)

    return TestFunction(f"quadratic_bowl(condition={condition:g}, angle={angle:g})", f,
                        (0.0, 0.0), (-3.0, 3.0), (-3.0, 3.0))


FUNCTIONS: dict[str, Callable[..., TestFunction]] = {
    "rosenbrock": rosenbrock,
    "beale": beale,
    "quadratic_bowl": quadratic_bowl,
}


def make_function(name: str, **params) -> TestFunction:
    """The test function called ``name`` with its ``params``; ValueError lists the names."""
    if name not in FUNCTIONS:
        raise ValueError(f"unknown test function {name!r}; choose one of: "
                         f"{', '.join(FUNCTIONS)}")
    return FUNCTIONS[name](**params)
