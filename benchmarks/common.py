"""Shared benchmark plumbing: one thread and one core for every contender, numpy's BLAS on
this CPU's own kernels, best-of-N timing, peers.

Import this module before numpy (it sets the BLAS up through the environment).
"""

import importlib
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
# Some machines set OPENBLAS_CORETYPE (with OPENBLAS_L2_SIZE) for older OpenBLAS builds that
# misbehave on their processor. They hold numpy's current OpenBLAS to an older CPU's kernels
# (Haswell's for an AVX-512 CPU: half the GEMM speed) while PyTorch and JAX use the CPU's own,
# so the benchmarks drop them; ``blas_report()`` prints the kernel that runs.
BLAS_OVERRIDES = {var: os.environ.pop(var) for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
                  if var in os.environ}
# XLA (JAX's compiler) keeps a thread pool of its own that no flag or variable limits: a jax.jit
# step used 1.75 cores of 2 here. The process is held to one core, so every contender gets one.
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


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


def best_times_interleaved(fns, repeat=7):
    """The best of ``repeat`` timings of each function in ``fns``, timed in turn each round.

    On a shared machine whose speed drifts over seconds, timing every contender once per
    round lets all of them see the same fast and slow spells, so their ratios hold.
    """
    for fn in fns:
        fn()
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
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
    if module_name == "jax":  # float64 like every other contender (JAX defaults to float32)
        module.config.update("jax_enable_x64", True)
    return module


def blas_report():
    """Print each BLAS loaded (numpy's, scipy's), its kernel and thread count, and the
    overrides dropped."""
    from threadpoolctl import threadpool_info

    for pool in threadpool_info():
        if pool["user_api"] == "blas":
            owner = os.path.basename(os.path.dirname(pool["filepath"]))
            print(f"BLAS in {owner}: {pool['internal_api']} {pool['version']}, kernel "
                  f"{pool.get('architecture', '?')}, {pool['num_threads']} thread(s)")
    if BLAS_OVERRIDES:
        print("dropped for this run: " + ", ".join(f"{k}={v}" for k, v in BLAS_OVERRIDES.items()))


def table(rows, headers):
    """Print rows as an aligned text table."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    for row in [headers] + rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)))
