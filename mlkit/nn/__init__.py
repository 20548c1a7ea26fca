"""Modules, layers, initializers and losses built on mlkit.numpy."""
