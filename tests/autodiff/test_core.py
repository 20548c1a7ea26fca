"""The autodiff core on a tiny number type of its own, with no array layer involved: tracing,
the backward pass (ordering, accumulation, depth), forward mode, nesting and independence of
traces, containers, and the rule registries."""

import math
import warnings

import pytest

from mlkit.autodiff.entry import make_jvp, make_vjp
from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import Box, Node, getval, is_box, new_trace_id, primitive, trace
from mlkit.autodiff.vspace import VSpace, vspace


class Num:
    """A real number the rest of mlkit knows nothing about."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = float(v)

    def __add__(self, other):
        if is_box(other):  # a traced contribution summed into a constant one
            return add(self, other)
        return Num(self.v + other.v)

    def __eq__(self, other):
        return isinstance(other, Num) and math.isclose(self.v, other.v, rel_tol=1e-12)

    def __repr__(self):
        return f"Num({self.v})"


@primitive
def add(a, b):
    return Num(a.v + b.v)


@primitive
def mul(a, b):
    return Num(a.v * b.v)


@primitive
def neg(a):
    return Num(-a.v)


@primitive
def sin(a):
    return Num(math.sin(a.v))


@primitive
def cos(a):
    return Num(math.cos(a.v))


class NumBox(Box):
    __slots__ = ()

    def __add__(self, other):
        return add(self, other)

    def __mul__(self, other):
        return mul(self, other)


class NumSpace(VSpace):
    __slots__ = ()
    size = 1

    def __init__(self, value):
        pass

    def spec(self):
        return ()

    def zeros(self):
        return Num(0.0)

    def ones(self):
        return Num(1.0)

    def standard_basis(self):
        yield Num(1.0)

    def randn(self, rng):
        return Num(rng.standard_normal())

    def inner_prod(self, a, b):
        return a.v * b.v

    def flatten(self, x):
        return [x.v]


NumBox.register(Num)
NumSpace.register(Num)
Num.__mul__ = lambda self, other: mul(self, other)

# Rules written with the primitives themselves, so that they differentiate again.
defvjp(add, lambda ans, a, b: lambda g: g, lambda ans, a, b: lambda g: g)
defvjp(mul, lambda ans, a, b: lambda g: mul(g, b), lambda ans, a, b: lambda g: mul(g, a))
defvjp(neg, lambda ans, a: lambda g: neg(g))
defvjp(sin, lambda ans, a: lambda g: mul(g, cos(a)))
defvjp(cos, lambda ans, a: lambda g: neg(mul(g, sin(a))))
defjvp(add, lambda t, ans, a, b: t, lambda t, ans, a, b: t)
defjvp(mul, lambda t, ans, a, b: mul(t, b), lambda t, ans, a, b: mul(a, t))
defjvp(neg, lambda t, ans, a: neg(t))
defjvp(sin, lambda t, ans, a: mul(t, cos(a)))
defjvp(cos, lambda t, ans, a: neg(mul(t, sin(a))))


def derivative(f):
    """f' in reverse mode, itself traceable."""
    return lambda x: make_vjp(f, x)[0](Num(1.0))


def forward_derivative(f):
    return lambda x: make_jvp(f, x)(Num(1.0))[1]


def f(x):
    return add(mul(x, x), sin(x))


X = Num(0.7)


# --- first derivatives in both modes --------------------------------------------------------
def test_reverse_and_forward_modes_agree_with_the_hand_derivative():
    expected = Num(2 * 0.7 + math.cos(0.7))
    vjp, value = make_vjp(f, X)
    assert value == Num(0.49 + math.sin(0.7))
    assert vjp(Num(1.0)) == expected
    assert vjp(Num(3.0)) == Num(3 * expected.v)
    value, tangent = make_jvp(f, X)(Num(1.0))
    assert tangent == expected


def test_a_primitive_without_boxes_runs_untraced():
    out = mul(Num(2.0), Num(3.0))
    assert type(out) is Num and out == Num(6.0)


# --- higher orders and nesting --------------------------------------------------------------
@pytest.mark.parametrize("outer", [derivative, forward_derivative])
@pytest.mark.parametrize("inner", [derivative, forward_derivative])
def test_second_derivative_in_every_combination_of_modes(outer, inner):
    assert outer(inner(f))(X) == Num(2 - math.sin(0.7))


def test_third_derivative():
    assert derivative(derivative(derivative(sin)))(X) == Num(-math.cos(0.7))


def test_independent_traces_do_not_mix():
    """d/dx [x * d/dy (x + y)] = 1: the inner derivative is 1 whatever x is (a nested trace
    that confused its inputs with the outer ones would give 2)."""

    def outer(x):
        inner = derivative(lambda y: add(x, y))(Num(1.0))
        return mul(x, inner)

    assert derivative(outer)(Num(1.0)) == Num(1.0)
    assert forward_derivative(outer)(Num(1.0)) == Num(1.0)


def test_the_inner_trace_sees_the_outer_variable_as_a_constant_that_is_still_traced():
    def outer(x):
        return derivative(lambda y: mul(x, mul(y, y)))(x)  # 2 x y at y = x: 2 x^2

    assert derivative(outer)(Num(1.5)) == Num(4 * 1.5)


def test_trace_ids_increase_and_boxes_carry_their_trace():
    first, second = new_trace_id(), new_trace_id()
    assert second > first
    seen = []

    def spy(x):
        seen.append(x)
        return mul(x, x)

    make_vjp(spy, X)
    assert is_box(seen[0]) and getval(seen[0]) is X


class LoggingNode(Node):
    """A node of one's own: it writes each recorded call to the log its root was given."""

    def __init__(self, ans, fun, args, kwargs, argnums, parents):
        self.log = parents[0].log
        names = [parents[argnums.index(i)].name if i in argnums else repr(a)
                 for i, a in enumerate(args)]
        self.name = f"{fun.__name__}({', '.join(names)})"
        self.log.append(self.name)

    def initialize_root(self, log):
        super().initialize_root()
        self.log = log
        self.name = "x"


def test_trace_drives_a_node_class_of_ones_own_through_the_computation():
    log = []
    value, node = trace(LoggingNode.new_root(log), lambda x: sin(mul(x, x)), X)
    assert value == Num(math.sin(0.49))
    assert log == ["mul(x, x)", "sin(mul(x, x))"] and node.name == log[-1]


def test_trace_records_the_derivative_computed_inside_it():
    """A derivative taken of the traced value records its backward pass in the outer trace."""
    log = []
    value, _ = trace(LoggingNode.new_root(log), derivative(lambda y: mul(y, y)), X)
    assert value == Num(2 * 0.7)
    assert log == ["mul(x, x)",  # the function, then the two halves of its VJP, summed
                   "mul(Num(1.0), x)", "mul(Num(1.0), x)",
                   "add(mul(Num(1.0), x), mul(Num(1.0), x))"]


def test_trace_of_an_output_independent_of_the_input_warns_and_has_no_node():
    with pytest.warns(UserWarning, match="does not depend on its input"):
        assert trace(LoggingNode.new_root([]), lambda x: Num(2.0), X) == (Num(2.0), None)


# --- the backward pass ----------------------------------------------------------------------
calls = []


@primitive
def observed(a):
    return Num(a.v)


defvjp(observed, lambda ans, a: lambda g: calls.append(g.v) or g)


def test_a_node_is_expanded_once_with_all_its_contributions_summed():
    calls.clear()

    def g(x):
        y = observed(x)
        z = mul(y, y)
        return add(add(z, y), mul(y, Num(3.0)))  # y^2 + y + 3y

    vjp, _ = make_vjp(g, X)
    assert vjp(Num(1.0)) == Num(2 * 0.7 + 4.0)
    assert calls == [pytest.approx(2 * 0.7 + 4.0)]


def test_diamond_graph_accumulates_both_paths():
    def g(x):
        y = mul(x, x)
        return add(mul(y, y), y)  # x^4 + x^2

    assert derivative(g)(X) == Num(4 * 0.7 ** 3 + 2 * 0.7)


def test_a_chain_twenty_thousand_nodes_deep_needs_no_recursion():
    def g(x):
        for _ in range(20000):
            x = add(x, Num(2.5e-5))
        return mul(x, x)

    assert derivative(g)(X) == Num(2 * (0.7 + 0.5))


def test_a_chain_of_one_parent_steps_is_pulled_back_step_by_step():
    """No fan-in anywhere: each step's VJP in turn, however deep; a zero rule on the way
    zeroes the result, and a missing one is named."""
    def g(x):
        for _ in range(20000):
            x = add(x, Num(2.5e-5))
        return sin(neg(x))

    assert derivative(g)(X).v == pytest.approx(-math.cos(-(0.7 + 0.5)), rel=1e-12)
    assert derivative(lambda x: sin(flat(x, Num(1.0))))(X) == Num(0.0)
    with pytest.raises(NotImplementedError, match="reverse-mode.*ruleless"):
        derivative(lambda x: sin(ruleless(x)))(X)


def test_an_output_independent_of_the_input_has_zero_derivative_and_a_warning():
    with pytest.warns(UserWarning, match="does not depend on its input"):
        assert make_vjp(lambda x: Num(2.0), X)[0](Num(1.0)) == Num(0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert make_jvp(lambda x: Num(2.0), X)(Num(1.0))[1] == Num(0.0)


# --- containers -----------------------------------------------------------------------------
def test_tuple_and_dict_inputs_get_gradients_in_their_structure():
    def g(p):
        a, b = p["pair"]
        return add(mul(a, b), sin(p["c"]))

    point = {"pair": (Num(2.0), Num(3.0)), "c": Num(0.5)}
    gradient = make_vjp(g, point)[0](Num(1.0))
    assert set(gradient) == {"pair", "c"}
    assert isinstance(gradient["pair"], tuple)
    assert gradient["pair"] == (Num(3.0), Num(2.0))
    assert gradient["c"] == Num(math.cos(0.5))
    tangent = make_jvp(g, point)({"pair": (Num(1.0), Num(0.0)), "c": Num(2.0)})[1]
    assert tangent == Num(3.0 + 2 * math.cos(0.5))


def test_container_outputs_pull_back_slot_by_slot():
    def g(x):
        return [mul(x, x), {"s": sin(x), "k": Num(4.0)}]

    vjp, value = make_vjp(g, X)
    assert value[1]["k"] == Num(4.0)
    cotangent = [Num(1.0), {"s": Num(2.0), "k": Num(5.0)}]
    assert vjp(cotangent) == Num(2 * 0.7 + 2 * math.cos(0.7))
    tangent = make_jvp(g, X)(Num(1.0))[1]
    assert tangent[0] == Num(1.4) and tangent[1]["s"] == Num(math.cos(0.7))
    assert tangent[1]["k"] == Num(0.0)


def test_container_vspace_describes_its_items():
    space = vspace({"a": Num(1.0), "b": (Num(2.0), Num(3.0))})
    assert space.size == 3
    assert space.zeros() == {"a": Num(0.0), "b": (Num(0.0), Num(0.0))}
    assert len(list(space.standard_basis())) == 3


# --- registries and errors ------------------------------------------------------------------
@primitive
def ruleless(a):
    return Num(a.v)


@primitive
def flat(a, b):
    return Num(round(a.v) + b.v)


defvjp(flat, None, lambda ans, a, b: lambda g: g)
defjvp(flat, None, lambda t, ans, a, b: t)


def test_none_rules_mean_zero_and_missing_rules_name_the_function():
    assert derivative(lambda x: flat(x, x))(X) == Num(1.0)
    assert forward_derivative(lambda x: flat(x, x))(X) == Num(1.0)
    with pytest.raises(NotImplementedError, match="reverse-mode.*ruleless.*mlkit.defvjp"):
        derivative(ruleless)(X)
    with pytest.raises(NotImplementedError, match="forward-mode.*ruleless.*mlkit.defjvp"):
        forward_derivative(ruleless)(X)


def test_untraceable_values_are_named():
    with pytest.raises(TypeError, match="cannot trace a value of type set"):
        make_vjp(lambda s: s, {1})
    with pytest.raises(TypeError, match="type set"):
        vspace({1})


@primitive
def scaled_sum(a, b=None, scale=None, *, note=None):
    """a * scale + b, with b and scale usually given by keyword."""
    return Num(a.v * scale.v + b.v)


defvjp(scaled_sum, lambda ans, a, b, scale, **kw: lambda g: mul(g, scale),
       lambda ans, a, b, scale, **kw: lambda g: g,
       lambda ans, a, b, scale, **kw: lambda g: mul(g, a))
defjvp(scaled_sum, lambda t, ans, a, b, scale, **kw: mul(t, scale),
       lambda t, ans, a, b, scale, **kw: t,
       lambda t, ans, a, b, scale, **kw: mul(a, t))


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_traced_keyword_arguments_are_bound_to_their_positions(mode):
    """A traced value given by keyword is recorded as the argument at its position, whether
    or not a positional argument is traced too, in both modes and to second order."""
    calls = {
        "all positional": lambda x: scaled_sum(x, x, mul(x, x)),
        "keywords": lambda x: scaled_sum(x, b=x, scale=mul(x, x)),
        "only keywords": lambda x: scaled_sum(a=Num(2.0), b=x, scale=mul(x, x)),
        "untraced first": lambda x: scaled_sum(Num(2.0), scale=x, b=Num(1.0), note="n"),
    }
    x = Num(0.7)
    expected = {"all positional": 3 * 0.49 + 1, "keywords": 3 * 0.49 + 1,
                "only keywords": 4 * 0.7 + 1, "untraced first": 2.0}
    second = {"all positional": 6 * 0.7, "keywords": 6 * 0.7, "only keywords": 4.0,
              "untraced first": 0.0}
    for label, f in calls.items():
        if mode == "rev":
            d1 = derivative(f)
            d2 = derivative(d1)
        else:
            d1 = lambda x, _f=f: make_jvp(_f, x)(Num(1.0))[1]  # noqa: E731
            d2 = lambda x, _d=d1: make_jvp(_d, x)(Num(1.0))[1]  # noqa: E731
        assert d1(x) == Num(expected[label]), label
        with warnings.catch_warnings():  # the derivative of a linear function is constant
            warnings.filterwarnings("ignore", message=".*does not depend")
            assert d2(x) == Num(second[label]), label


def test_a_traced_keyword_only_argument_is_refused_by_name():
    with pytest.raises(TypeError, match="keyword-only argument 'note'"):
        derivative(lambda x: scaled_sum(x, b=x, scale=x, note=x))(Num(1.0))


def test_the_extension_api_exports_the_tracer_pieces_under_autograds_names():
    import mlkit.extend
    from mlkit.autodiff import forward, reverse, tracer

    assert mlkit.extend.trace is tracer.trace and mlkit.extend.Node is tracer.Node
    assert mlkit.extend.VJPNode is reverse.VJPNode and mlkit.extend.JVPNode is forward.JVPNode
