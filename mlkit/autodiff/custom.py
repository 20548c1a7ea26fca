"""``custom_vjp``: a function whose forward pass hands its backward pass the values it saved.

``f = custom_vjp(fun)`` wraps a reference function written with ``mlkit.numpy``;
``f.defvjp(fwd, bwd)`` gives it a faster first reverse derivative. ``fwd`` runs on plain
values and returns ``(output, residuals)``; ``bwd(residuals, g)`` returns the cotangents.
The call is recorded as one node whose arguments hold the residuals, so they belong to that
call alone: nothing is kept between calls, and they are freed with the node.

``fwd`` and ``bwd`` serve calls on plain values recorded by one reverse-mode trace (or on the
values an ``mlkit.jit`` recording stands for: the recording takes ``fwd``'s call whole). Any other
call (forward mode, derivatives of a derivative, arguments traced by several traces, untraced)
runs ``fun`` itself, so every derivative beyond the first stays the engine's exact one however
``fwd`` and ``bwd`` were written.
"""

import functools

from mlkit.autodiff.reverse import VJPNode, defvjp_argnum
from mlkit.autodiff.tracer import Box, primitive, record_outside
from mlkit.tree import tree_leaves

__all__ = ["custom_vjp"]

_CONTAINERS = (tuple, list, dict)


def _holds_box(value) -> bool:
    """Whether a tuple/list/dict holds a traced value at any depth."""
    return any(issubclass(type(leaf), Box) for leaf in tree_leaves(value, exact=True))


class custom_vjp:
    """``fun`` with a hand-written first reverse derivative, in the shape of JAX's custom_vjp.

    ``argnums`` lists the positional arguments ``bwd`` differentiates (all, if None); a call
    tracing any other argument runs ``fun``, whose derivatives the engine takes.
    """

    def __init__(self, fun, argnums=None):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.argnums = None if argnums is None else tuple(argnums)
        self.fwd = self.bwd = self._record = None

    def defvjp(self, fwd, bwd):
        """``fwd(*args, **kwargs) -> (output, residuals)`` on plain values, and
        ``bwd(residuals, g)`` -> a tuple of cotangents, one per argument of ``argnums`` (or per
        positional argument), each shaped like its argument. ``bwd`` is linear in ``g``;
        written with ``mlkit.numpy`` where it touches ``g``, the VJP itself can be
        differentiated in ``g``. Returns the function itself."""
        name = getattr(self.fun, "__qualname__", repr(self.fun))

        def saved(output, residuals, *args, **kwargs):
            return output

        saved.__name__ = saved.__qualname__ = f"custom_vjp({name})"
        record = primitive(saved)
        defvjp_argnum(record, functools.partial(self._vjp, saved.__name__))
        self.fwd, self.bwd, self._record = fwd, bwd, record
        return self

    def _vjp(self, name, argnum, ans, args, kwargs):
        """The VJP of the recorded call for ``argnum`` (counting the two saved values)."""
        residuals, position, argnums = args[1], argnum - 2, self.argnums
        count = len(args) - 2 if argnums is None else len(argnums)
        index = position if argnums is None else argnums.index(position)

        def vjp(g):
            cotangents = self.bwd(residuals, g)
            if type(cotangents) not in (tuple, list) or len(cotangents) != count:
                listed = tuple(range(count)) if argnums is None else argnums
                raise ValueError(f"the bwd of {name} must return a tuple of {count} "
                                 f"cotangent(s), one per argument in {listed}; got "
                                 f"{cotangents!r:.80}")
            cotangent = cotangents[index]
            if cotangent is None:
                raise ValueError(f"the bwd of {name} returned None for argument {position}, "
                                 "which is being differentiated; return its cotangent (or "
                                 "leave it out of argnums to differentiate the reference)")
            return cotangent

        return vjp

    def __call__(self, *args, **kwargs):
        values = self._plain_values(args, kwargs)
        if values is None:
            return self.fun(*args, **kwargs)
        if any(issubclass(type(value), Box) for value in values):  # recorded by mlkit.jit
            output, residuals = record_outside(self.fwd, values, kwargs)
        else:
            output, residuals = self.fwd(*values, **kwargs)
        return self._record(output, residuals, *args, **kwargs)

    def _plain_values(self, args, kwargs):
        """The arguments with their boxes opened, when one reverse trace records this call
        with plain values under its boxes; None when ``fwd`` and ``bwd`` cannot serve it
        (then ``fun`` runs)."""
        if self._record is None or (kwargs and _holds_box(kwargs)):
            return None
        argnums = self.argnums
        values = list(args)
        trace = None
        for i, arg in enumerate(args):
            kind = type(arg)
            if issubclass(kind, Box):
                if arg._node.opaque:  # recorded by mlkit.jit: fwd's call is recorded whole
                    continue
                value = arg._value
                if ((issubclass(type(value), Box) and not value._node.opaque)
                        or type(arg._node) is not VJPNode
                        or (trace is not None and arg._trace != trace)
                        or (argnums is not None and i not in argnums)):
                    return None
                trace = arg._trace
                values[i] = value
            elif kind in _CONTAINERS and _holds_box(arg):
                return None
        return None if trace is None else values
