"""``Jitted.profile``'s result: where one call of a jitted function spent its time.

The replay is timed call by call in a second compilation of the same program (``Program.
profiled``), so plain replays carry no timer; each call's seconds go to its kind (kinds.py).
"""

from mlkit.jit.kinds import KINDS

__all__ = ["Profile"]


class Profile:
    """The time of one profiled call, by kind of numpy call.

    Attributes
    ----------
    value
        What the call returned (equal to a plain call's result).
    first_call : float
        Seconds of the first call with this signature: recording, compiling and running.
    recording : float
        Seconds this call spent recording (a new signature, or a new path at a failed guard);
        0.0 when it only replayed.
    replay : float
        Seconds of the timed replay (every program run, a path abandoned at a failed guard
        included).
    calls, seconds : dict
        ``{kind: number of calls}`` and ``{kind: seconds}`` for each kind of ``KINDS``
        (``"GEMM"``, ``"reduction"``, ``"elementwise"``, ``"data movement"``, ``"other"``).
    overhead : float
        The replay's seconds outside its numpy calls: Python's own work (passing values,
        checking guards, releasing them) and the timer's.
    eager : float
        Seconds run eagerly (a path past ``max_paths``), not in the replay.
    runs : int
        How many calls the profile sums: ``a + b`` (or ``sum(profiles)``) adds up the calls,
        seconds and recordings of several calls, keeps the later value and the longest first
        call (several signatures each have one).
    """

    def __init__(self, name):
        self.name = name
        self.runs = 1
        self.value = None
        self.first_call = self.recording = self.replay = self.eager = 0.0
        self.spent = [0.0] * len(KINDS)
        self.count = [0] * len(KINDS)

    @property
    def calls(self):
        return dict(zip(KINDS, self.count))

    @property
    def seconds(self):
        return dict(zip(KINDS, self.spent))

    @property
    def overhead(self):
        return max(self.replay - sum(self.spent), 0.0)

    def __add__(self, other):
        if not isinstance(other, Profile):
            return NotImplemented
        total = Profile(self.name)
        total.runs = self.runs + other.runs
        total.value = other.value
        total.first_call = max(self.first_call, other.first_call)
        total.recording = self.recording + other.recording
        total.replay = self.replay + other.replay
        total.eager = self.eager + other.eager
        total.spent = [a + b for a, b in zip(self.spent, other.spent)]
        total.count = [a + b for a, b in zip(self.count, other.count)]
        return total

    def __radd__(self, other):  # sum(profiles) starts from 0
        return self if other == 0 else NotImplemented

    def __repr__(self):
        return (f"<Profile of {self.name}: replay {self.replay * 1e3:.3f} ms, "
                f"{sum(self.count)} calls>")

    def __str__(self):
        rows = [[kind, str(count), _ms(spent), _share(spent, self.replay)]
                for kind, count, spent in zip(KINDS, self.count, self.spent)]
        rows.append(["Python overhead", "", _ms(self.overhead),
                     _share(self.overhead, self.replay)])
        rows.append(["replay", str(sum(self.count)), _ms(self.replay),
                     _share(self.replay, self.replay)])
        headers = ["", "calls", "ms", "share"]
        widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
        calls = "" if self.runs == 1 else f" ({self.runs} calls summed)"
        lines = [f"mlkit.jit profile of {self.name}{calls}",
                 f"first call (recording, compiling, running): {_ms(self.first_call)} ms"]
        if self.recording:
            lines.append(f"recording in this call: {_ms(self.recording)} ms")
        if self.eager:
            lines.append(f"run eagerly (past max_paths): {_ms(self.eager)} ms")
        for row in [headers, *rows]:
            lines.append("  ".join([row[0].ljust(widths[0])]
                                   + [cell.rjust(width) for cell, width in
                                      zip(row[1:], widths[1:])]).rstrip())
        return "\n".join(lines)


def _ms(seconds):
    return f"{seconds * 1e3:.3f}"


def _share(seconds, total):
    return f"{100 * seconds / total:.1f}%" if total > 0 else ""
