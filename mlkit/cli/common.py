"""What every subcommand shares: its exit statuses and how it prints to the terminal."""

from __future__ import annotations

from pathlib import Path

EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 2, 1, 130


def usage_error(command: str, *problem, **details) -> Exception:
    """The error of one bad option of ``command`` (``"mlkit predict"``), given as the fields of
    a :class:`mlkit.config.Problem`: printed as a config's problems are."""
    from mlkit.config import ConfigError, Problem

    return ConfigError(command, [Problem(*problem, **details)])


def say(text: str = "") -> None:
    """Print a line of the command's output at once (progress bars share the terminal)."""
    print(text, flush=True)


def say_drift(report, run_dir, full: bool, path: Path | None = None) -> None:
    """The drifted columns (every column when ``full``, then also written to ``path``), or a
    note when the run has no training profile; nothing when no column drifted."""
    from mlkit.data.drift import drift_summary, drift_table
    from mlkit.train.checkpoint import atomic_write_text

    if report is None:
        say(f"note: {run_dir} has no training profile (it was trained before mlkit kept one), "
            "so the input columns are not checked for drift; train again to have them checked")
        return
    if not full:
        summary = drift_summary(report)
        if summary:
            say(summary)
        return
    say("drift from training (PSI: < 0.1 stable, 0.1-0.25 moderate, >= 0.25 major shift):")
    say(drift_table(report))
    if path is not None:
        atomic_write_text(path, report.to_csv(index=False))
        say(f"wrote the drift of every input column to {path}")
