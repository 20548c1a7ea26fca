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


class FlatParameters:
    """A parameter tree kept as one contiguous vector per dtype, its leaves views into them."""

    def __init__(self, tree):
        import mlkit.numpy as mnp

        self._mnp = mnp
        leaves, self._structure = tree_flatten(tree)
        check_parameters("FlatParameters", list(flatten_named(tree)), leaves)
        self._build = tree_builder(self._structure)
        self.dtypes = list(dict.fromkeys(leaf.dtype for leaf in leaves))
        self._places = []
        sizes = [0] * len(self.dtypes)
        for leaf in leaves:
            group = self.dtypes.index(leaf.dtype)
            self._places.append((group, sizes[group], sizes[group] + leaf.size, leaf.shape))
            sizes[group] += leaf.size
        self.vectors = [np.empty(size, dtype) for size, dtype in zip(sizes, self.dtypes)]
        for leaf, (group, start, stop, _) in zip(leaves, self._places):
            self.vectors[group][start:stop] = leaf.reshape(-1)
        self.size = sum(sizes)
        self.tree = self.views(self.vectors)
        self._leaves = tree_flatten(self.tree)[0]

    def views(self, vectors):
        return self._build([vectors[g][a:b].reshape(shape) for g, a, b, shape in self._places])

    def join(self, tree):
        mnp = self._mnp
        leaves = tree_flatten(tree_map(lambda _, leaf: leaf, self._structure, tree))[0]
        parts = [[] for _ in self.dtypes]
        for leaf, (group, _, _, shape) in zip(leaves, self._places):
            if leaf is None:
                leaf = np.zeros(shape, self.dtypes[group])
            parts[group].append(mnp.reshape(leaf, (-1,)))
        return [part[0] if len(part) == 1 else mnp.concatenate(part) for part in parts]

    def holds(self, tree) -> bool:
        leaves = tree_flatten(tree)[0]
        return len(leaves) == len(self._leaves) and all(
            a is b for a, b in zip(leaves, self._leaves))

    def update(self, tree):
        for leaf, (group, start, stop, _) in zip(tree_flatten(tree)[0], self._places):
            self.vectors[group][start:stop] = np.ravel(leaf)

    def parameters(self):
        return self.tree
