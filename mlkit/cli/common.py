"""What every subcommand shares: its exit statuses and how it prints to the terminal."""

EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 2, 1, 130


def say(text: str = "") -> None:
    """Print a line of the command's output at once (progress bars share the terminal)."""
    print(text, flush=True)
