"""The peak memory a call allocates, by which tests bound how a derivative's cost grows."""

import tracemalloc


def call_with_peak(call, *args):
    """``(call(*args), peak bytes allocated during it)``, as tracemalloc counts them."""
    tracemalloc.start()
    try:
        result = call(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
