"""The one training loop, metrics, callbacks, checkpoints, run directories and plots."""
