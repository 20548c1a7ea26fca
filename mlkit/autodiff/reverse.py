"""Reverse mode: the VJP registry, the backward pass and ``make_vjp``.

A VJP maker for argument i of a primitive receives the primitive's output and inputs and returns
a closure from the output's cotangent to argument i's cotangent. Makers run only during the
backward pass, so recording a call costs one small node and nothing more.
"""

from mlkit.autodiff.tracer import Node
from mlkit.autodiff.vspace import Deferred, add_values

__all__ = ["DeprecatedFormWarning", "VJPNode", "backward_pass", "defvjp", "defvjp_argnum",
           "has_vjp"]

# fun -> {argnum: maker(ans, *args, **kwargs) -> vjp(g)}; a maker of None means a zero cotangent.
_vjp_makers: dict = {}
# fun -> maker(argnum, ans, args, kwargs) -> vjp(g), for functions of any number of arguments.
_vjp_any_argnum: dict = {}


class DeprecatedFormWarning(FutureWarning, UserWarning):
    """The notice for a HIPS autograd rule form kept for old programs (``f.defvjp(vjp,
    argnum)``, ``quick_grad_check``). autograd gives these as UserWarnings, shown by default;
    so is this one, a FutureWarning (Python's category for deprecations meant for the people
    running a program, where a DeprecationWarning is hidden outside ``__main__``)."""


def defvjp(fun, *makers, argnums=None):
    """Register reverse-mode rules for ``fun``, one maker per argument (None: zero cotangent)."""
    table = _vjp_makers.setdefault(fun, {})
    for argnum, maker in zip(range(len(makers)) if argnums is None else argnums, makers):
        table[argnum] = maker


def defvjp_argnum(fun, maker):
    """Register one maker ``maker(argnum, ans, args, kwargs)`` serving every argument of ``fun``."""
    _vjp_any_argnum[fun] = maker


def has_vjp(fun, argnum=0) -> bool:
    """Whether ``fun`` has a VJP rule for ``argnum`` (for some argument, if None)."""
    makers = _vjp_makers.get(fun, ())
    return (bool(makers) if argnum is None else argnum in makers) or fun in _vjp_any_argnum


class VJPNode(Node):
    """A recorded call: enough to build its VJPs when the backward pass reaches it."""

    __slots__ = ("ans", "argnums", "args", "fun", "kwargs")

    def __init__(self, ans, fun, args, kwargs, argnums, parents):
        self.parents = parents
        self.fun = fun
        self.ans = ans
        self.args = args
        self.kwargs = kwargs
        self.argnums = argnums

    @classmethod
    def root(cls):
        return cls(None, None, (), {}, (), [])

    def initialize_root(self):
        self.__init__(None, None, (), {}, (), [])


def _vjp_of(node, argnum):
    fun = node.fun
    table = _vjp_makers.get(fun)
    if table is not None and argnum in table:
        maker = table[argnum]
        return None if maker is None else maker(node.ans, *node.args, **node.kwargs)
    any_maker = _vjp_any_argnum.get(fun)
    if any_maker is not None:
        return any_maker(argnum, node.ans, node.args, node.kwargs)
    name = getattr(fun, "__qualname__", repr(fun))
    raise NotImplementedError(
        f"no reverse-mode (VJP) rule for argument {argnum} of {name}; register one with "
        f"mlkit.defvjp({name}, ...) or compute this part outside the differentiated function"
    )


def backward_pass(g, end_node, start_nodes):
    """Propagate cotangent ``g`` from ``end_node`` back to the root nodes ``start_nodes``.

    Returns ``{root: cotangent}`` for the roots that were reached. Nodes are visited in
    reverse topological order with explicit stacks (no recursion), so graphs of any depth
    work; each node's contributions are summed before it is expanded. A chain (every node
    with one parent: one input through unary steps) needs no ordering and is walked directly.
    """
    root = end_node
    while len(root.parents) == 1:
        root = root.parents[0]
    if not root.parents:
        return _backward_chain(g, end_node, root, start_nodes)
    pending = {}
    stack = [end_node]
    while stack:
        node = stack.pop()
        if node in pending:
            pending[node] += 1
        else:
            pending[node] = 1
            stack.extend(node.parents)
    starts = set(start_nodes)
    results = {}
    outgrads = {end_node: g}
    ready = [end_node]
    while ready:
        node = ready.pop()
        g = outgrads.pop(node, None)
        if isinstance(g, Deferred):
            g = g.resolve()
        if not node.parents:
            if g is not None and node in starts:
                results[node] = g
            continue
        table = _vjp_makers.get(node.fun)
        for argnum, parent in zip(node.argnums, node.parents):
            if g is not None:
                if table is not None and argnum in table:
                    maker = table[argnum]
                    vjp = None if maker is None else maker(node.ans, *node.args, **node.kwargs)
                else:
                    vjp = _vjp_of(node, argnum)
                if vjp is not None:
                    contribution = vjp(g)
                    previous = outgrads.get(parent)
                    outgrads[parent] = (
                        contribution if previous is None else add_values(previous, contribution)
                    )
            pending[parent] -= 1
            if not pending[parent]:
                ready.append(parent)
    return results


def _backward_chain(g, node, root, start_nodes):
    """``backward_pass`` for a chain from ``node`` to ``root``: each step's VJP in turn."""
    while node is not root:
        if g is None:
            return {}
        table = _vjp_makers.get(node.fun)
        argnum = node.argnums[0]
        if table is not None and argnum in table:
            maker = table[argnum]
            vjp = None if maker is None else maker(node.ans, *node.args, **node.kwargs)
        else:
            vjp = _vjp_of(node, argnum)
        if vjp is None:
            return {}
        g = vjp(g)
        if isinstance(g, Deferred):
            g = g.resolve()
        node = node.parents[0]
    return {} if g is None or root not in start_nodes else {root: g}
