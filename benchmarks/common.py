"""Shared benchmark plumbing: one BLAS thread for every contender, best-of-N timing, peers.

Import this module before numpy (it pins the BLAS thread count through the environment).
"""

import importlib
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"


def best_time(fn, repeat=7, number=1):
    """The best of ``repeat`` timings of ``number`` calls of ``fn``, in seconds per call."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def optional(module_name):
    """The peer module, or None when the ``bench`` extra is not installed."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        print(f"({module_name} not installed: pip install -e '.[bench]' to compare with it)")
        return None
    if module_name == "torch":
        module.set_num_threads(1)
    return module


def table(rows, headers):
    """Print rows as an aligned text table."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    for row in [headers] + rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)))
