"""The rule registries seen as HIPS autograd's ``primitive_vjps``/``primitive_jvps`` tables.

Programs written for autograd read ``table[fun]`` and call it in autograd's all-argument form
(``vjp_maker(argnums, ans, args, kwargs)``, ``jvp_maker(argnums, tangents, ans, args,
kwargs)``), store such a maker with ``table[fun] = maker``, or take a function's rules out for
a while (``maker = table.pop(fun)``, later ``table[fun] = maker``). Each table is a view of the
engine's own registry, so what it shows is what the passes use.
"""

from collections.abc import MutableMapping

from mlkit.autodiff import forward, reverse
from mlkit.autodiff.vspace import add_values, vspace

__all__ = ["defjvp_argnums", "defvjp_argnums", "primitive_jvps", "primitive_vjps"]


class _Rules:
    """One function's registered rules, callable in autograd's all-argument form; putting it
    back into its table registers exactly those rules again."""

    def __init__(self, per_argnum, any_argnum, call):
        self.per_argnum, self.any_argnum, self._call = per_argnum, any_argnum, call

    def __call__(self, argnums, *rest):
        return self._call(self, argnums, *rest)

    def lookup(self, argnum, kind):
        """Argument ``argnum``'s rule, and whether it is per-argument (else all-argument)."""
        if argnum in self.per_argnum:
            return self.per_argnum[argnum], True
        if self.any_argnum is None:
            raise NotImplementedError(f"no {kind} rule for argument {argnum} of this function")
        return self.any_argnum, False


def _call_vjps(rules, argnums, ans, args, kwargs):
    vjps = []
    for argnum in argnums:
        maker, per_argnum = rules.lookup(argnum, "reverse-mode (VJP)")
        if maker is None:
            vjps.append(lambda g, _x=args[argnum]: vspace(_x).zeros())
        else:
            vjps.append(maker(ans, *args, **kwargs) if per_argnum
                        else maker(argnum, ans, args, kwargs))
    return lambda g: tuple(vjp(g) for vjp in vjps)


def _call_jvps(rules, argnums, tangents, ans, args, kwargs):
    total = None
    for argnum, g in zip(argnums, tangents):
        rule, per_argnum = rules.lookup(argnum, "forward-mode (JVP)")
        if rule is not None:
            t = rule(g, ans, *args, **kwargs) if per_argnum else rule(argnum, g, ans, args, kwargs)
            total = t if total is None else add_values(total, t)
    return vspace(ans).zeros() if total is None else total


class _RuleTable(MutableMapping):
    """``{primitive: rules}`` over one pass's two registries (per argument, any argument)."""

    def __init__(self, per_argnum, any_argnum, call, define):
        self._per, self._any, self._call, self._define = per_argnum, any_argnum, call, define

    def __getitem__(self, fun):
        if not self._per.get(fun) and fun not in self._any:
            raise KeyError(fun)
        return _Rules(dict(self._per.get(fun, {})), self._any.get(fun), self._call)

    def __setitem__(self, fun, maker):
        self._per.pop(fun, None)
        self._any.pop(fun, None)
        if isinstance(maker, _Rules):
            if maker.per_argnum:
                self._per[fun] = dict(maker.per_argnum)
            if maker.any_argnum is not None:
                self._any[fun] = maker.any_argnum
        else:
            self._define(fun, maker)

    def __delitem__(self, fun):
        if not self._per.get(fun) and fun not in self._any:
            raise KeyError(fun)
        self._per.pop(fun, None)
        self._any.pop(fun, None)

    def __iter__(self):
        return iter({**{f: None for f, table in self._per.items() if table}, **self._any})

    def __len__(self):
        return sum(1 for _ in self)


def defvjp_argnums(fun, maker):
    """Rules for every argument at once, in the form HIPS autograd programs write them:
    ``maker(argnums, ans, args, kwargs)`` returns a VJP giving the cotangents (a tuple or any
    iterable) of the arguments in ``argnums``. The engine asks for one argument at a time, so
    ``maker`` is called with a one-element ``argnums``."""

    def one(argnum, ans, args, kwargs):
        vjp = maker((argnum,), ans, args, kwargs)
        return lambda g: next(iter(vjp(g)))

    reverse.defvjp_argnum(fun, one)


def defjvp_argnums(fun, maker):
    """Forward rules for every argument at once, as autograd writes them:
    ``maker(argnums, tangents, ans, args, kwargs)`` returns the output's tangent for the
    given arguments' tangents; the engine passes one argument at a time."""
    forward.defjvp_argnum(fun, lambda argnum, g, ans, args, kwargs: maker(
        (argnum,), (g,), ans, args, kwargs))


primitive_vjps = _RuleTable(reverse._vjp_makers, reverse._vjp_any_argnum, _call_vjps,
                            defvjp_argnums)
primitive_jvps = _RuleTable(forward._jvp_rules, forward._jvp_any_argnum, _call_jvps,
                            defjvp_argnums)
