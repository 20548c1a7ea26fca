"""``fixed_point``: iterate ``x = f(a)(x)`` to convergence, differentiable in ``a``.

The derivative comes from the implicit function theorem at the solution ``x* = f(a)(x*)``,
not from unrolling the iterations: reverse mode solves ``w = g + (df/dx)^T w`` and returns
``(df/da)^T w``; forward mode solves ``t = (df/dx) t + (df/da) a_dot``. Both equations are
fixed points themselves (linear, contracting wherever the forward iteration contracts), solved
by the same primitive, so higher derivatives follow.
"""

from mlkit.autodiff.vspace import add_values, vspace
from mlkit.builtins import tuple
from mlkit.extend import defjvp, defvjp, primitive
from mlkit.operators import make_jvp, make_vjp

__all__ = ["fixed_point"]


@primitive
def fixed_point(f, a, x0, distance, tol):
    """Iterate ``x = f(a)(x)`` from ``x0`` until ``distance(x, previous x) <= tol``."""
    step = f(a)
    previous, x = x0, step(x0)
    while distance(x, previous) > tol:
        previous, x = x, step(x)
    return x


def _fixed_point_vjp(ans, f, a, x0, distance, tol):
    pull_back_a = make_vjp(lambda a, x: f(a)(x))(a, ans)[0]

    def adjoint_iteration(params):
        a, x_star, g = params
        pull_back_x = make_vjp(f(a))(x_star)[0]
        return lambda w: add_values(pull_back_x(w), g)

    def vjp(g):
        w = fixed_point(adjoint_iteration, tuple((a, ans, g)), vspace(x0).zeros(), distance, tol)
        return pull_back_a(w)

    return vjp


def _fixed_point_jvp(a_dot, ans, f, a, x0, distance, tol):
    offset = make_jvp(lambda a: f(a)(ans))(a)(a_dot)[1]

    def tangent_iteration(params):
        a, x_star, offset = params
        push_forward_x = make_jvp(f(a))(x_star)
        return lambda t: add_values(push_forward_x(t)[1], offset)

    return fixed_point(tangent_iteration, tuple((a, ans, offset)), vspace(x0).zeros(),
                       distance, tol)


defvjp(fixed_point, None, _fixed_point_vjp, None, None, None)
defjvp(fixed_point, None, _fixed_point_jvp, None, None, None)
