"""Primitives of mlkit.numpy by family, each defined next to its VJP and JVP rules."""
