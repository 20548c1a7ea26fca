"""The cost of profiling a CSV file: ``inspect_csv`` against pandas reading the same file.

A file of 250,000 rows (an id, three float columns, a city of three values, a 0/1 target;
``--rows`` for another size) is written to a temporary folder, then read by ``pd.read_csv``
(its numbers parsed, and every column as text, as mlkit reads a file to inspect it), loaded
with ``load_csv`` and profiled with ``inspect_csv`` (with the target). Each is timed in turn,
best of a few rounds, on one core; the ratio is to ``pd.read_csv``'s own read.

Run: python benchmarks/inspect_speed.py [--rows N]
"""

import argparse
import os
import tempfile

import common  # noqa: F401  (one core, one BLAS thread)
import numpy as np
import pandas as pd
from common import best_times_interleaved, table

from mlkit.data import inspect_csv, load_csv


def write_csv(path, rows):
    """The benchmark's file: ``rows`` rows of id, a, b, c (floats), city, y (0/1)."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"id": np.arange(rows), "a": rng.normal(size=rows).round(6),
                          "b": rng.random(rows).round(6), "c": rng.random(rows).round(6),
                          "city": rng.choice(["Nice", "Paris", "Lyon"], rows),
                          "y": rng.integers(0, 2, rows)})
    frame.to_csv(path, index=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "profiled.csv")
        write_csv(path, args.rows)
        contenders = {"pd.read_csv": lambda: pd.read_csv(path),
                      "pd.read_csv, text": lambda: pd.read_csv(path, dtype=str),
                      "load_csv": lambda: load_csv(path, "y", categorical=["city"], ids=["id"]),
                      "inspect_csv": lambda: inspect_csv(path, "y")}
        times = best_times_interleaved(list(contenders.values()), repeat=args.repeat)
        size = os.path.getsize(path) / 1e6
    print(f"{args.rows} rows, 6 columns, {size:.0f} MB; best of {args.repeat}, one core\n")
    table([[name, f"{t:.3f}", f"{t / times[0]:.1f}x"]
                 for name, t in zip(contenders, times)], ["", "seconds", "x pd.read_csv"])


if __name__ == "__main__":
    main()
