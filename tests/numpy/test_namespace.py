"""Every name of mlkit's numerical namespaces is differentiable (a primitive with rules in both
modes, or a composite of primitives) or declared non-differentiable; coverage() says which,
numpy's own functions called on traced values reach mlkit's, and the spec table exercises
every differentiable name."""

import inspect
import types

import numpy as onp
import pytest
import scipy.special
from specs import covered_names

import mlkit.numpy as np
from mlkit import grad
from mlkit.autodiff.forward import has_jvp
from mlkit.autodiff.reverse import has_vjp
from mlkit.numpy.wrap import kind_of, wrapped_for
from mlkit.scipy import special, stats

KINDS = {"primitive", "composite", "nondifferentiable"}
# (label, namespace module, the numpy/scipy module it mirrors)
NAMESPACES = [("np", np, onp), ("fft", np.fft, onp.fft), ("linalg", np.linalg, onp.linalg),
              ("special", special, scipy.special)]
# Utilities that are part of a namespace but are not numerical functions.
UTILITIES = {"coverage"}


def _public_functions(namespace):
    """The callables of ``__all__`` that compute something (not types, modules, utilities)."""
    names = []
    for name in namespace.__all__:
        value = getattr(namespace, name)
        if (callable(value) and not inspect.isclass(value)
                and not isinstance(value, types.ModuleType) and name not in UTILITIES):
            names.append(name)
    return names


def _function_table():
    rows = [(label, name) for label, module, _ in NAMESPACES
            for name in _public_functions(module)]
    rows += [(f"stats.{dist}", name) for dist in stats.__all__
             for name in getattr(stats, dist).__all__]
    return rows


def _lookup(label, name):
    if label.startswith("stats."):
        return getattr(getattr(stats, label.split(".")[1]), name)
    return getattr({n: m for n, m, _ in NAMESPACES}[label], name)


FUNCTIONS = _function_table()


@pytest.mark.parametrize("label, name", FUNCTIONS, ids=[f"{lab}.{n}" for lab, n in FUNCTIONS])
def test_every_function_is_differentiable_or_declared_not(label, name):
    fun = _lookup(label, name)
    kind = kind_of(fun)
    assert kind in KINDS, (
        f"{label}.{name} is neither a primitive, a composite nor declared nondifferentiable")
    if kind == "primitive":
        assert has_vjp(fun) and has_jvp(fun), f"{label}.{name} lacks a rule in one mode"


@pytest.mark.parametrize("label, namespace, _", NAMESPACES, ids=[n[0] for n in NAMESPACES])
def test_coverage_reports_the_whole_partition(label, namespace, _):
    table = np.coverage(namespace)
    assert set(table) == set(_public_functions(namespace))
    for name, row in table.items():
        fun = getattr(namespace, name)
        assert row["kind"] == kind_of(fun)
        differentiable = row["kind"] != "nondifferentiable"
        if row["kind"] == "primitive":
            assert (row["reverse"], row["forward"]) == (has_vjp(fun), has_jvp(fun)) == (True, True)
        else:
            assert row["reverse"] == row["forward"] == differentiable
    kinds = {row["kind"] for row in table.values()}
    assert kinds <= KINDS


def _other_namespaces():
    from mlkit.scipy import integrate, linalg, signal

    rows = [("random", np.random), ("scipy.linalg", linalg), ("signal", signal),
            ("integrate", integrate)]
    return rows + [(f"stats.{dist}", getattr(stats, dist)) for dist in stats.__all__]


@pytest.mark.parametrize("label, namespace", _other_namespaces(),
                         ids=[row[0] for row in _other_namespaces()])
def test_coverage_lists_every_function_of_the_other_namespaces(label, namespace):
    table = np.coverage(namespace)
    assert set(table) == set(_public_functions(namespace)), label
    for name, row in table.items():
        if row["kind"] == "primitive":  # rules in both modes, or none (refused by name)
            assert row["reverse"] == row["forward"], f"{label}.{name}"
    if label == "random":
        assert {row["kind"] for row in table.values()} == {"nondifferentiable"}
        onp.random.seed(3)
        expected = onp.random.normal(size=4)
        onp.random.seed(3)  # mlkit's draws are numpy's global generator's, number for number
        assert (np.random.normal(size=4) == expected).all()


def test_coverage_of_known_names():
    table = np.coverage()
    assert table["exp"] == {"kind": "primitive", "reverse": True, "forward": True}
    assert table["var"]["kind"] == "composite"
    assert table["argmax"] == {"kind": "nondifferentiable", "reverse": False, "forward": False}


def _dispatched_names():
    rows = []
    for label, namespace, raw_module in NAMESPACES:
        for name in _public_functions(namespace):
            raw = getattr(raw_module, name, None)
            if callable(raw) and kind_of(getattr(namespace, name)) is not None:
                rows.append((label, name))
    return rows


DISPATCHED = _dispatched_names()


@pytest.mark.parametrize("label, name", DISPATCHED, ids=[f"{lab}.{n}" for lab, n in DISPATCHED])
def test_numpy_functions_on_traced_values_run_mlkit_versions(label, name):
    namespace, raw_module = {n: (m, r) for n, m, r in NAMESPACES}[label]
    assert wrapped_for(getattr(raw_module, name)) is getattr(namespace, name), (
        f"{raw_module.__name__}.{name} called on a traced value does not reach mlkit's version")


def test_numpy_calls_on_traced_values_differentiate():
    x = onp.array([0.5, -1.0, 2.0])
    assert onp.allclose(grad(lambda x: onp.sum(onp.exp(x)))(x), onp.exp(x))
    assert onp.allclose(grad(lambda x: onp.mean(onp.amax(onp.stack([x, -x]), axis=0)))(x),
                        onp.sign(x) / 3)
    assert onp.allclose(grad(lambda x: onp.real(onp.fft.fft(x))[0])(x), onp.ones(3))
    assert onp.allclose(grad(lambda x: scipy.special.expit(x).sum())(x),
                        scipy.special.expit(x) * (1 - scipy.special.expit(x)))


def _tested_elsewhere():
    """Differentiable names whose spec-style tests live with their own module
    (tests/numpy/test_arrangement.py, test_linalg.py)."""
    names = {f"linalg.{n}" for n in _public_functions(np.linalg)}
    try:
        from mlkit.numpy.rules import arrangement
    except ImportError:
        return names
    return names | {f"np.{n}" for n in arrangement.__all__}


def test_the_spec_table_exercises_every_differentiable_function():
    differentiable = {f"{label}.{name}" for label, name in FUNCTIONS
                      if kind_of(_lookup(label, name)) in ("primitive", "composite")}
    missing = differentiable - covered_names() - _tested_elsewhere()
    assert not missing, f"no spec exercises {sorted(missing)}: add them to tests/numpy/specs.py"


def test_namespace_lists_each_public_name_once_and_exports_nothing_else():
    assert len(np.__all__) == len(set(np.__all__))
    for name in np.__all__:
        assert hasattr(np, name), f"np.__all__ names {name!r}, which np does not define"
    public = {name for name, value in vars(np).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert public <= set(np.__all__), sorted(public - set(np.__all__))


def test_the_spec_table_exercises_every_differentiable_scipy_signal_and_linalg_function():
    from mlkit.scipy import linalg, signal

    differentiable = {f"{label}.{name}" for label, module in (("signal", signal),
                                                              ("scipy.linalg", linalg))
                      for name in module.__all__
                      if kind_of(getattr(module, name)) == "composite"
                      or (kind_of(getattr(module, name)) == "primitive"
                          and name not in linalg._WITHOUT_RULES)}
    missing = differentiable - covered_names()
    assert not missing, f"no spec exercises {sorted(missing)}: add them to tests/numpy/specs.py"
