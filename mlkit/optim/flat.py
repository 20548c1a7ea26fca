"""Parameter trees seen as one flat vector, and the check that leaves are float arrays.

Full-batch solvers work on a single vector (one ``dot`` per inner product instead of one per
leaf); the layout is checked against a tree's signature instead of node by node.
"""

from __future__ import annotations

import numpy as np

from mlkit.tree import flatten_named, tree_builder, tree_flatten, tree_map, tree_signature


def check_parameters(owner, names, leaves):
    """Raise ``TypeError`` naming the first leaf that is not a floating-point numpy array."""
    for name, leaf in zip(names, leaves):
        if not isinstance(leaf, np.ndarray) or leaf.dtype.kind != "f":
            got = f"{leaf.dtype} array" if isinstance(leaf, np.ndarray) else type(leaf).__name__
            raise TypeError(
                f"{owner}: parameter {name or '<root>'!r} must be a floating-point numpy "
                f"array, got a {got}"
            )


class FlatView:
    """The layout of one parameter tree inside a flat vector of the widest leaf dtype."""

    def __init__(self, params, owner):
        leaves, self._structure = tree_flatten(params)
        self._build = tree_builder(self._structure)
        self._names = list(flatten_named(params))
        check_parameters(owner, self._names, leaves)
        self._owner = owner
        self._signature = tree_signature(params)[1]
        self._shapes = [leaf.shape for leaf in leaves]
        self._dtypes = [leaf.dtype for leaf in leaves]
        self.dtype = np.result_type(*self._dtypes) if leaves else np.dtype(np.float64)
        self._same_dtype = all(dtype == self.dtype for dtype in self._dtypes)
        stops = np.cumsum([leaf.size for leaf in leaves]).tolist()
        self._bounds = list(zip([0] + stops[:-1], stops))
        self.size = stops[-1] if stops else 0
        # A model of one array in a dict (a linear model's coefficients) skips the tree walks.
        single = type(params) is dict and len(params) == 1 and len(leaves) == 1
        self._single_key = next(iter(params)) if single and self._signature[1] is None else None

    def matches(self, params) -> bool:
        """True when ``params`` has this layout (structure, shapes and dtypes)."""
        leaves, signature = tree_signature(params)
        if signature != self._signature:
            return False
        return all(
            isinstance(leaf, np.ndarray) and leaf.shape == shape and leaf.dtype == dtype
            for leaf, shape, dtype in zip(leaves, self._shapes, self._dtypes)
        )

    def vector(self, tree, gradient=False):
        """A new flat vector of ``tree``'s leaves (``None`` gradient leaves count as zeros)."""
        if self._single_key is not None and type(tree) is dict and len(tree) == 1:
            leaf = tree.get(self._single_key)
            if type(leaf) is np.ndarray and leaf.shape == self._shapes[0]:
                return leaf.reshape(-1).astype(self.dtype, copy=True)
        what = "gradient" if gradient else "parameter"
        leaves, signature = tree_signature(tree)
        if signature != self._signature:
            try:
                tree_map(lambda a, b: None, self._structure, tree)
            except ValueError as error:
                raise ValueError(f"{self._owner}: {what} tree does not match: {error}") from None
            leaves = tree_signature(tree_map(lambda _, leaf: leaf, self._structure, tree))[0]
        parts = []
        for name, shape, leaf in zip(self._names, self._shapes, leaves):
            if leaf is None and gradient:
                leaf = np.zeros(shape, dtype=self.dtype)
            elif type(leaf) is not np.ndarray:
                leaf = np.asarray(leaf)
            if leaf.shape != shape:
                raise ValueError(
                    f"{self._owner}: {what} {name or '<root>'!r} has shape {leaf.shape}, "
                    f"expected {shape}"
                )
            parts.append(leaf.reshape(-1))
        if len(parts) == 1:
            return parts[0].astype(self.dtype, copy=True)
        if not parts:
            return np.zeros(0, dtype=self.dtype)
        return np.concatenate(parts).astype(self.dtype, copy=False)

    def tree(self, x):
        """The tree whose leaves are views of ``x`` (copies for leaves of a narrower dtype)."""
        if self._single_key is not None and self._same_dtype:
            return {self._single_key: x.reshape(self._shapes[0])}
        leaves = [x[start:stop].reshape(shape) for (start, stop), shape in
                  zip(self._bounds, self._shapes)]
        if not self._same_dtype:
            leaves = [leaf.astype(dtype) for leaf, dtype in zip(leaves, self._dtypes)]
        return self._build(leaves)
