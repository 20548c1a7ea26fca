"""The boxes under HIPS autograd's module path (programs test ``isinstance(x, ArrayBox)``, and
``SequenceBox`` for a traced tuple or list)."""

from mlkit.autodiff.containers import SequenceBox
from mlkit.numpy.box import ArrayBox

__all__ = ["ArrayBox", "SequenceBox"]
