"""The import rules of DESIGN.md and STYLE.md 4.1, checked on the source (AST, no imports run).

Layers, lowest first: L0 autodiff/tree/options/checks, L1 numpy/scipy/builtins, L2 operators/jit/
testing/extend and the ``mlkit`` package root (extend re-exports the extension API of autodiff *and*
numpy, so it sits above both, not at L0 as STYLE.md 4.1 first drew it), L3 nn/optim/data/misc/
metrics, L4 train/registry, L5 config/estimators, L6 experiments, L7 cli. A module may import its
own package and any lower layer, never a higher one, and never another package of its own layer
(exceptions: scipy is built on mlkit.numpy; the engine's core walks values with mlkit.tree; the
package root re-exports operators, jit and extend; test_util re-exports testing and
differential_operators the operators, core, tracer and wrap_util the extension API, and util
testing's deprecated quick_grad_check, under HIPS autograd's module names;
numpy.numpy_wrapper, whose wrap_namespace makes extend's primitives, sits with them at L2
though it lives in numpy/). data and metrics
import nothing of mlkit outside themselves but the plain bounds of mlkit.options and the
array checks both make, in mlkit.checks (a ragged array, a group per row); nothing
below L4 imports yaml, pydantic, tqdm, matplotlib or dask; scikit-learn appears only in
data/datasets.py, experiments/baseline.py and estimators/.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mlkit"

LAYERS = {
    "autodiff": 0, "tree": 0, "options": 0, "checks": 0,
    "numpy": 1, "scipy": 1, "builtins": 1,
    "": 2, "operators": 2, "jit": 2, "testing": 2, "test_util": 2, "extend": 2,
    "differential_operators": 2, "core": 2, "tracer": 2, "wrap_util": 2, "util": 2,
    "numpy_wrapper": 2,
    "nn": 3, "optim": 3, "data": 3, "misc": 3, "metrics": 3,
    "train": 4, "registry": 4,
    "config": 5, "estimators": 5,
    "experiments": 6,
    "cli": 7,
}
SAME_LAYER_ALLOWED = {("scipy", "numpy"), ("autodiff", "tree"), ("", "operators"), ("", "jit"),
                      ("", "extend"), ("", "testing"), ("test_util", "testing"),
                      ("differential_operators", "operators"), ("core", "extend"),
                      ("tracer", "extend"), ("wrap_util", "extend"), ("util", "testing"),
                      ("numpy_wrapper", "extend")}
HEAVY = ("yaml", "pydantic", "tqdm", "matplotlib", "dask")
SKLEARN_ALLOWED = ("data/datasets.py", "experiments/baseline.py", "estimators/")
PLAIN_NUMPY = ("data", "metrics")  # import nothing of mlkit outside themselves but these:
PLAIN_SHARED = ("options", "checks")
# The package root may reach the estimators lazily (inside its module __getattr__, on first
# use of a name such as mlkit.LogisticRegression), never when mlkit itself is imported.
ROOT_LAZY = {"mlkit.estimators"}


def _modules():
    return sorted(path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts)


# HIPS autograd's module paths kept inside a lower package but layered as their own component.
PLACED_APART = {"mlkit.numpy.numpy_wrapper": "numpy_wrapper"}


def _component(dotted: str) -> str:
    """'mlkit.train.loop' -> 'train'; 'mlkit' -> ''."""
    if dotted in PLACED_APART:
        return PLACED_APART[dotted]
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ""


def _own_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path):
    """(line, absolute module name) of every import in the file, function bodies included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    own = _own_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    lazy = set()
    if own == "mlkit":
        for function in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
            lazy.update(id(n) for n in ast.walk(function))
    for node in ast.walk(tree):
        if id(node) in lazy and isinstance(node, ast.ImportFrom) and (
                f"{node.module}" in ROOT_LAZY):
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield node.lineno, module
            if module == "mlkit":
                for alias in node.names:
                    if alias.name in LAYERS:
                        yield node.lineno, f"mlkit.{alias.name}"


def _violations():
    found = []
    for path in _modules():
        own = _own_name(path)
        component = _component(own)
        layer = LAYERS[component]
        relative = path.relative_to(PACKAGE).as_posix()
        for line, module in _imports(path):
            where = f"mlkit/{relative}:{line} imports {module}"
            top = module.split(".")[0]
            if top == "mlkit":
                target = _component(module)
                if target == component or (target == "" and module != "mlkit"):
                    continue
                if component in PLAIN_NUMPY and target not in (component, *PLAIN_SHARED):
                    found.append(f"{where}: {component} is plain numpy and imports no other "
                                 "mlkit code than mlkit.options and mlkit.checks")
                elif LAYERS[target] > layer:
                    found.append(f"{where}: L{layer} {component or 'mlkit'} must not import "
                                 f"L{LAYERS[target]} {target}")
                elif (LAYERS[target] == layer and target != component
                      and (component, target) not in SAME_LAYER_ALLOWED):
                    found.append(f"{where}: {component} and {target} share layer L{layer} "
                                 "and must not import each other")
            elif top in HEAVY and layer < 4:
                found.append(f"{where}: {top} is only allowed from train/ (L4) upwards")
            elif top == "sklearn" and not relative.startswith(SKLEARN_ALLOWED):
                found.append(f"{where}: scikit-learn is only imported by "
                             f"{', '.join(SKLEARN_ALLOWED)}")
    return found


def test_every_package_has_a_layer():
    components = {_component(_own_name(path)) for path in _modules()}
    assert components <= set(LAYERS), f"add {components - set(LAYERS)} to LAYERS"


def test_imports_point_down_only():
    violations = _violations()
    assert not violations, "layer violations:\n" + "\n".join(violations)


@pytest.mark.parametrize("source, expected", [
    ("mlkit/nn/bad.py", "import mlkit.train\n"),
    ("mlkit/optim/bad.py", "from mlkit import nn\n"),
    ("mlkit/data/bad.py", "import mlkit.numpy as np\n"),
    ("mlkit/metrics/bad.py", "from mlkit.data import minibatches\n"),
    ("mlkit/optim/bad.py", "import tqdm\n"),
    ("mlkit/__init__.py", "from mlkit.estimators import LogisticRegression\n"),
    ("mlkit/train/bad.py", "from sklearn.linear_model import Ridge\n"),
    ("mlkit/autodiff/bad.py", "from ..numpy import box\n"),
    ("mlkit/estimators/bad.py", "from mlkit.config import load_config\n"),
    ("mlkit/experiments/bad.py", "import mlkit.cli\n"),
])
def test_the_checker_catches_each_kind_of_violation(source, expected, tmp_path, monkeypatch):
    fake = tmp_path / "mlkit"
    target = fake / Path(source).relative_to("mlkit")
    target.parent.mkdir(parents=True)
    target.write_text(expected)
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert len(_violations()) == 1


def test_estimators_load_from_the_root_only_on_first_use():
    import subprocess
    import sys

    code = ("import sys, mlkit; assert 'mlkit.estimators' not in sys.modules; "
            "from mlkit import LogisticRegression, MLPClassifier, MLPRegressor; "
            "assert LogisticRegression.__module__.startswith('mlkit.estimators')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_cli_starts_without_scipy_stats_and_scipy_loads_on_use():
    """scipy.stats and scipy.integrate take 0.4 s to import: `mlkit.nn` needs scipy.special
    alone, and every CLI command imports the config (drift checks import scipy.stats when
    they run)."""
    import subprocess
    import sys

    code = ("import sys, mlkit.config, mlkit.nn, mlkit.scipy as s; "
            "assert 'scipy.stats' not in sys.modules and 'mlkit.scipy.stats' not in sys.modules; "
            "assert float(s.stats.norm.cdf(0.0)) == 0.5 and 'scipy.stats' in sys.modules; "
            "from mlkit.scipy import integrate; assert 'integrate' in dir(s); "
            "import mlkit.scipy.signal")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
