"""``mlkit.jit``: trace a function once per signature, then replay it as plain numpy calls.

The recording trace (recording.py) writes down every numpy call a run makes, the backward
pass of any derivative taken inside included, with guards wherever a traced value steered the
Python; program.py compiles that record into one Python function, after the value-preserving
rewrites of simplify.py; jitted.py keeps the programs per signature and per path and replays
them. ``Jitted.profile`` times a replay call by call (profile.py), each call counted under the
kind of work it does (kinds.py).
"""

from mlkit.jit.jitted import Jitted, jit
from mlkit.jit.profile import Profile

__all__ = ["Jitted", "Profile", "jit"]
