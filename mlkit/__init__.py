"""mlkit: a machine-learning training toolkit on its own automatic differentiation engine."""
