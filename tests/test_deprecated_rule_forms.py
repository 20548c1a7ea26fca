"""HIPS autograd's deprecated rule forms, kept so that programs written for older autograd run:
``f.defvjp(vjp, argnum)`` with ``vjp(g, ans, vs, gvs, *args)``, ``f.defgrad``,
``f.defvjp_is_zero`` and ``util.quick_grad_check``, each with a FutureWarning that is also a
UserWarning, the category autograd gives them, shown by default from any module."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as onp
import pytest

import mlkit
import mlkit.numpy as np
from mlkit.core import primitive
from mlkit.testing import check_grads
from mlkit.util import quick_grad_check

A = onp.array([[0.5, -1.2], [2.0, 0.3]])
B = onp.array([[1.5, 0.25], [-0.75, 2.0]])


def _scaled_product(scale):
    @primitive
    def product(x, y):
        return scale * x * y

    return product


def test_old_defvjp_receives_the_gradient_answer_and_spaces_first():
    product = _scaled_product(3.0)
    seen = []

    def vjp_x(g, ans, vs, gvs, x, y):
        seen.append((vs.shape, gvs.shape))
        return 3.0 * y * g

    with pytest.warns(FutureWarning, match="deprecated rule form"):
        product.defvjp(vjp_x)
    with pytest.warns(FutureWarning):
        product.defvjp(lambda g, ans, vs, gvs, x, y: 3.0 * x * g, argnum=1)
    check_grads(lambda x, y: np.sum(np.sin(product(x, y))), argnum=(0, 1), modes=["rev"],
                order=2)(A, B)
    assert seen[0] == ((2, 2), (2, 2))


def test_old_defgrad_and_defvjp_is_zero():
    product = _scaled_product(2.0)
    with pytest.warns(FutureWarning):
        product.defgrad(lambda ans, x, y: lambda g: 2.0 * y * g)
    with pytest.warns(FutureWarning):
        product.defvjp_is_zero([1])
    g = mlkit.grad(lambda y: np.sum(product(A, y) + y ** 2))(B)
    onp.testing.assert_allclose(g, 2 * B)  # the product's share is declared zero
    check_grads(lambda x: np.sum(product(x, B) ** 2), modes=["rev"], order=2)(A)


def test_a_wrong_old_style_rule_is_caught_by_the_checks():
    product = _scaled_product(3.0)
    with pytest.warns(FutureWarning):
        product.defvjp(lambda g, ans, vs, gvs, x, y: y * g)  # misses the factor 3
    with pytest.raises(AssertionError):
        check_grads(lambda x: np.sum(product(x, B)), modes=["rev"], order=1)(A)


def test_quick_grad_check_checks_the_first_argument():
    with pytest.warns(FutureWarning, match="check_grads"):
        quick_grad_check(lambda x, y: x ** 2 + y, 1.0, (2.0,))
    product = _scaled_product(3.0)
    with pytest.warns(FutureWarning):
        product.defvjp(lambda g, ans, vs, gvs, x, y: y * g)
    with pytest.warns(FutureWarning), pytest.raises(AssertionError):
        quick_grad_check(lambda x, y: np.sum(product(x, y)), A, (B,))


def test_each_notice_is_also_a_user_warning_as_hips_autograds_are():
    # autograd gives these notices as UserWarnings; programs that filter or expect that
    # category must see mlkit's too.
    product = _scaled_product(1.0)
    forms = [lambda: product.defvjp(lambda g, ans, vs, gvs, x, y: y * g),
             lambda: product.defgrad(lambda ans, x, y: lambda g: x * g, 1),
             lambda: product.defvjp_is_zero([1]),
             lambda: quick_grad_check(lambda x: x ** 2, 1.0)]
    for form in forms:
        with pytest.warns(UserWarning) as notices:
            form()
        assert all(isinstance(n.message, FutureWarning) for n in notices)


def test_the_notice_shows_under_pythons_default_filters_from_a_library_module(tmp_path):
    # Python hides a DeprecationWarning raised outside __main__; autograd's notice shows there,
    # so mlkit's must too: an old program's module, imported, run with no -W option.
    (tmp_path / "old_rules.py").write_text(
        "from mlkit.core import primitive\n"
        "@primitive\n"
        "def double(x):\n"
        "    return 2.0 * x\n"
        "double.defvjp(lambda g, ans, vs, gvs, x: 2.0 * g)\n")
    run = subprocess.run([sys.executable, "-c", "import old_rules"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60,
                         env=_environment_without_warning_options(tmp_path))
    assert run.returncode == 0, run.stderr
    assert "DeprecatedFormWarning" in run.stderr and "deprecated rule form" in run.stderr


def _environment_without_warning_options(folder):
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONWARNINGS"}
    environment["PYTHONPATH"] = os.pathsep.join([str(folder), str(Path(mlkit.__file__).parents[1])])
    return environment
