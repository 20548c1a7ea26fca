"""Turn numpy callables into mlkit ones: traced primitives, composites, or non-differentiable.

Every wrapped callable is remembered by its numpy original, so that a numpy function called
directly on a traced value (``numpy.sum(x)``) dispatches to mlkit's version, and so that the
namespace can say which of its names have which rules. A list or tuple argument holding traced
values (``np.mean([a, b])``) becomes one traced array, as ``np.array`` makes it, before a
wrapped function runs.
"""

import functools

import numpy

from mlkit.autodiff.tracer import Box, differentiated, getval, primitive, record_outside

__all__ = ["wrap", "nondifferentiable", "composite", "dispatch_from", "wrapped_for", "kind_of",
           "strip", "holds_box", "in_place", "refuse_out", "refused", "raw_array",
           "holds_complex"]

_wrapped_for_raw: dict = {}
_kinds: dict = {}


def holds_box(x) -> bool:
    """True for a box, or a list or tuple with a box anywhere inside."""
    kind = type(x)
    if issubclass(kind, Box):
        return True
    if kind is list or kind is tuple:
        for item in x:
            kind = type(item)
            if issubclass(kind, Box) or ((kind is list or kind is tuple) and holds_box(item)):
                return True
    return False


def _as_array(sequence):
    """A list or tuple holding traced values as one traced array; any other as it is."""
    if not holds_box(sequence):
        return sequence
    from mlkit.numpy.rules.construction import array  # built from the primitives made here

    return array(sequence)


def _as_operand(sequence):
    """A list or tuple as one array, traced if it holds traced values."""
    return _as_array(sequence) if holds_box(sequence) else numpy.asarray(sequence)


def wrap(raw, name=None, pack_sequences=True, operands_only=False):
    """A traced primitive of numpy's ``raw``; its rules are registered next to it.

    ``pack_sequences=False`` keeps list and tuple arguments as they are (an index tuple);
    ``operands_only=True`` makes every positional list or tuple an array (``x @ [1.0, 2.0]``),
    so that the rules see arrays.
    """
    pack = _as_operand if operands_only else _as_array if pack_sequences else None
    fun = primitive(raw, pack=pack)
    if name:
        fun.__name__ = fun.__qualname__ = name
    _wrapped_for_raw[raw] = fun
    _kinds[fun] = "primitive"
    return fun


def composite(fun, raw=None, pack_sequences=True):
    """Mark ``fun`` as built from primitives (so it needs no rules), standing in for ``raw``.

    Returns the function to publish: ``fun`` with list and tuple arguments holding traced
    values packed into arrays first, and a plain list or tuple as its first argument (the data)
    made a numpy array, unless ``pack_sequences`` is False (for functions such as concatenate
    whose argument is a sequence of separate arrays).
    """
    if pack_sequences:
        inner = fun

        @functools.wraps(inner)
        def fun(*args, **kwargs):
            for arg in args:
                if type(arg) is list or type(arg) is tuple:
                    packed = [_as_array(a) for a in args]
                    if packed[0] is args[0] and type(args[0]) in (list, tuple):
                        packed[0] = numpy.asarray(args[0])
                    return inner(*packed, **kwargs)
            return inner(*args, **kwargs)

    if raw is not None:
        _wrapped_for_raw[raw] = fun
    _kinds[fun] = "composite"
    return fun


def strip(x):
    """``x`` with every box removed, inside lists and tuples too."""
    if issubclass(type(x), Box):
        return getval(x)
    if type(x) in (list, tuple):
        return type(x)(strip(item) for item in x)
    return x


def raw_array(x):
    """The raw value of ``x`` as an array, for rules that compute on raw values; a box of a
    recording trace (mlkit.jit) is kept, as it stands for the array computed at replay."""
    value = getval(x)
    return value if issubclass(type(value), Box) else numpy.asarray(value)


def value_array(x):
    """The values of ``x`` as a plain array, for results read off them (unique's indices,
    frexp's exponents, slogdet's sign). Under mlkit.jit this is a guard, checked at replay as
    ``int(x)`` is: numpy called on the recording box would hand it back to mlkit's own
    version of that function, without end."""
    return numpy.asarray(getval(x))


def nondifferentiable(raw, fun=None):
    """numpy's ``raw`` applied to the raw values of traced arguments (a constant result); or,
    given ``fun``, that function declared as mlkit's non-differentiable version of ``raw``
    (one that refuses the traced arguments a constant result would be wrong for)."""
    if fun is not None:
        _wrapped_for_raw[raw] = fun
        _kinds[fun] = "nondifferentiable"
        return fun

    @functools.wraps(raw)
    def fun(*args, **kwargs):
        args = [strip(a) for a in args]
        kwargs = {k: strip(v) for k, v in kwargs.items()}
        if any(holds_box(a) for a in args) or any(holds_box(v) for v in kwargs.values()):
            return record_outside(raw, args, kwargs)  # values a recording trace stands for
        return raw(*args, **kwargs)

    _wrapped_for_raw[raw] = fun
    _kinds[fun] = "nondifferentiable"
    return fun


def _holds_complex(x):
    """Whether ``x`` is complex, for a result whose dtype numpy or scipy choose from the
    values (eig or sqrtm of a real matrix): read at replay too (a guard under mlkit.jit), so a
    program recorded at one dtype is not replayed at the other."""
    return numpy.iscomplexobj(x)


holds_complex = nondifferentiable(_holds_complex)


def dispatch_from(fun, *raws):
    """Let each numpy callable in ``raws``, called on a traced value, run ``fun`` (for aliases
    such as numpy.amax, and for primitives wrapping a private helper instead of numpy's own)."""
    for raw in raws:
        if raw is not None:
            _wrapped_for_raw[raw] = fun


def wrapped_for(raw):
    """mlkit's version of numpy's ``raw``, or None."""
    return _wrapped_for_raw.get(raw)


def kind_of(fun):
    """'primitive', 'composite', 'nondifferentiable', or None for an unknown callable."""
    return _kinds.get(fun)


def refuse_out(name, out):
    """Refuse ``out=``: mlkit returns new arrays (a traced result cannot be written into one
    given), and ignoring it would leave the caller's array silently unfilled."""
    if out is not None:
        raise TypeError(f"{name}(..., out=...) writes in place, which mlkit does not do; use "
                        "the returned array instead")


def refused(raw, reason, recordable=False):
    """numpy's ``raw`` run on plain arrays, refused with ``np.<name> <reason>`` when any
    argument is traced: for functions whose result would carry a derivative mlkit cannot give
    (so a constant would be a wrong answer). ``recordable``: values mlkit.jit only records
    (no derivative taken) are fine, and ``raw`` becomes a step of the program."""

    @functools.wraps(raw)
    def fun(*args, **kwargs):
        values = (*args, *kwargs.values())
        if any(holds_box(value) for value in values):
            if not recordable or differentiated(*values):
                raise TypeError(f"np.{raw.__name__} {reason}")
            return record_outside(raw, [strip(a) for a in args],
                                  {k: strip(v) for k, v in kwargs.items()})
        return raw(*args, **kwargs)

    _wrapped_for_raw[raw] = fun
    _kinds[fun] = "nondifferentiable"
    return fun


def in_place(raw):
    """numpy's ``raw``, which writes into one of its arguments: refused when any argument is
    traced (a traced value cannot be written into, and a value written into a plain array would
    lose its derivative)."""
    return refused(raw, "writes into an array in place, which traced values cannot take part "
                   "in; build a new array instead, with np.index_update(x, index, values) or "
                   "x.at[index].set(values)")
