"""Forward mode: the JVP registry, linear declarations and ``make_jvp``.

A JVP rule for argument i receives that argument's tangent, the output and the inputs, and
returns the output's tangent contribution. Tangents are computed as the function runs.
"""

from mlkit.autodiff.tracer import Node
from mlkit.autodiff.vspace import Deferred, add_values, vspace

__all__ = ["JVPNode", "def_linear", "defjvp", "defjvp_argnum", "has_jvp"]

# fun -> {argnum: rule(g, ans, *args, **kwargs) -> tangent}; None means a zero tangent.
_jvp_rules: dict = {}
# fun -> rule(argnum, g, ans, args, kwargs), for functions of any number of arguments.
_jvp_any_argnum: dict = {}


def defjvp(fun, *rules, argnums=None):
    """Register forward-mode rules for ``fun``, one per argument (None: zero tangent)."""
    table = _jvp_rules.setdefault(fun, {})
    for argnum, rule in zip(range(len(rules)) if argnums is None else argnums, rules):
        table[argnum] = rule


def defjvp_argnum(fun, rule):
    """Register one rule ``rule(argnum, g, ans, args, kwargs)`` serving every argument."""
    _jvp_any_argnum[fun] = rule


def def_linear(fun, argnums=None):
    """Declare ``fun`` linear in each of ``argnums`` (all, if None): its JVP is ``fun`` itself.

    For a multilinear function (a product, ``dot``, ``einsum``) this holds for each argument
    separately: the tangent replaces that argument and the others keep their values.
    """

    def jvp(argnum, g, ans, args, kwargs):
        args = list(args)
        args[argnum] = g
        return fun(*args, **kwargs)

    if argnums is None:
        defjvp_argnum(fun, jvp)
        return
    defjvp(
        fun,
        *[lambda g, ans, *args, _i=i, **kwargs: jvp(_i, g, ans, args, kwargs) for i in argnums],
        argnums=argnums,
    )


def has_jvp(fun, argnum=0) -> bool:
    """Whether ``fun`` has a JVP rule for ``argnum`` (for some argument, if None)."""
    rules = _jvp_rules.get(fun, ())
    return (bool(rules) if argnum is None else argnum in rules) or fun in _jvp_any_argnum


def _jvp_contribution(fun, argnum, g, ans, args, kwargs):
    table = _jvp_rules.get(fun)
    if table is not None and argnum in table:
        rule = table[argnum]
        return None if rule is None else rule(g, ans, *args, **kwargs)
    any_rule = _jvp_any_argnum.get(fun)
    if any_rule is not None:
        return any_rule(argnum, g, ans, args, kwargs)
    name = getattr(fun, "__qualname__", repr(fun))
    raise NotImplementedError(
        f"no forward-mode (JVP) rule for argument {argnum} of {name}; register one with "
        f"mlkit.defjvp({name}, ...) or use reverse mode"
    )


class JVPNode(Node):
    """A value's tangent, computed from its inputs' tangents when the value is computed."""

    __slots__ = ("tangent",)

    def __init__(self, ans, fun, args, kwargs, argnums, parents):
        tangent = None
        zero_rule = False
        for argnum, parent in zip(argnums, parents):
            t = _jvp_contribution(fun, argnum, parent.tangent, ans, args, kwargs)
            if t is None:
                zero_rule = True
            else:
                tangent = t if tangent is None else add_values(tangent, t)
        if isinstance(tangent, Deferred):
            tangent = tangent.resolve()
        if tangent is None:
            tangent = vspace(ans).zeros()
        elif zero_rule:
            # As in HIPS autograd, a traced argument without a rule adds the output's zero: a
            # rule's tangent that only broadcasts to the output (zeros(n) for a (2, n) output)
            # takes the output's shape, as programs written for autograd rely on.
            tangent = add_values(tangent, vspace(ans).zeros())
        self.tangent = tangent

    @classmethod
    def root(cls, tangent):
        return cls.new_root(tangent)

    def initialize_root(self, tangent):
        self.parents = ()
        self.tangent = tangent
