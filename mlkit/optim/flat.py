"""Parameter trees seen as flat vectors, and the check that leaves are float arrays.

Full-batch solvers work on a single vector (one ``dot`` per inner product instead of one per
leaf); :class:`FlatParameters` keeps a tree's leaves as views of one vector per dtype, so an
optimizer steps every leaf with a few whole-vector operations. Layouts are checked against a
tree's signature instead of node by node.
"""

from __future__ import annotations

import numpy as np

import mlkit.numpy as mnp
from mlkit.tree import flatten_named, tree_align, tree_builder, tree_flatten, tree_signature


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
        leaves = tree_align(tree, self._structure, self._signature,
                            f"{self._owner}: {what} tree does not match")
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


def dtype_groups(leaves):
    """The layout of ``leaves`` in one vector per dtype: ``(dtypes, sizes, slots)``.

    Groups come in the order their dtype first appears, leaves in their given order within a
    group; ``slots[i] = (group, start, stop)`` places leaf ``i``. Optimizer states and
    :class:`FlatParameters` share this layout, so their vectors line up entry for entry.
    """
    dtypes, sizes, slots = [], [], []
    for leaf in leaves:
        if leaf.dtype not in dtypes:
            dtypes.append(leaf.dtype)
            sizes.append(0)
        group = dtypes.index(leaf.dtype)
        start = sizes[group]
        sizes[group] = start + leaf.size
        slots.append((group, start, sizes[group]))
    return dtypes, sizes, slots


def checked_vectors(owner, vectors, grads):
    """Gradient vectors ``grads`` cast to the dtypes of ``vectors``; an error naming ``owner``
    for a wrong count or size."""
    if len(grads) != len(vectors):
        raise ValueError(f"{owner}: expected {len(vectors)} gradient vectors (one per parameter "
                         f"dtype), got {len(grads)}")
    out = grads
    for group, (vector, grad) in enumerate(zip(vectors, grads)):
        if type(grad) is np.ndarray and grad.dtype == vector.dtype and grad.shape == vector.shape:
            continue
        grad = np.asarray(grad)
        if grad.shape != vector.shape:
            raise ValueError(
                f"{owner}: gradient vector {group} has shape {grad.shape}, expected "
                f"{vector.shape} (the {vector.dtype} parameters, flattened)"
            )
        if out is grads:
            out = list(grads)
        out[group] = grad.astype(vector.dtype)
    return out


class FlatParameters:
    """A parameter tree kept in one contiguous vector per dtype, its leaves views of them.

    ``FlatParameters(tree)`` copies the floating-point leaves of ``tree`` (nested dicts, lists
    and tuples) into ``vectors``, one 1-D array per dtype (in the order the dtypes first
    appear; leaves in tree order within a vector). ``tree`` has the input's structure with
    leaves that are reshaped views of ``vectors``: writing into a vector moves them. With
    ``parameters()`` and ``update(tree)`` it is a model any optimizer can step; an
    optimizer's ``descend`` on it updates ``vectors`` in place with whole-vector operations.

    Attributes
    ----------
    vectors : list of ndarray
        The flat vectors, one per dtype group.
    dtypes : list of numpy.dtype
        Their dtypes.
    size : int
        Number of parameter entries in all vectors together.
    tree : tree of ndarray
        The parameters as views of ``vectors``.
    """

    def __init__(self, tree):
        leaves, structure = tree_flatten(tree)
        self._names = list(flatten_named(tree))
        if len(set(self._names)) != len(leaves):
            raise ValueError(f"FlatParameters: parameter names collide: {self._names}")
        check_parameters("FlatParameters", self._names, leaves)
        self._structure = structure
        self._build = tree_builder(structure)
        self._signature = tree_signature(tree)[1]
        self._shapes = [leaf.shape for leaf in leaves]
        self.dtypes, sizes, self._slots = dtype_groups(leaves)
        self.size = sum(sizes)
        self.vectors = [np.empty(size, dtype) for size, dtype in zip(sizes, self.dtypes)]
        for leaf, (group, start, stop) in zip(leaves, self._slots):
            self.vectors[group][start:stop] = leaf.reshape(-1)
        self._views = self._leaf_views(self.vectors)
        self.tree = self._build(self._views)

    def _leaf_views(self, vectors):
        return [vectors[group][start:stop].reshape(shape)
                for (group, start, stop), shape in zip(self._slots, self._shapes)]

    def parameters(self):
        """The parameter tree (views of ``vectors``)."""
        return self.tree

    def views(self, vectors):
        """The tree whose leaves are pieces of ``vectors`` (laid out as ``self.vectors``).

        Only basic slices and reshapes are taken, so traced vectors (under ``mlkit.grad`` or
        ``mlkit.jit``) give traced leaves.
        """
        if len(vectors) != len(self.dtypes):
            raise ValueError(f"FlatParameters.views: expected {len(self.dtypes)} vectors (one "
                             f"per dtype {[str(d) for d in self.dtypes]}), got {len(vectors)}")
        return self._build(self._leaf_views(vectors))

    def join(self, tree):
        """The per-dtype vectors of ``tree`` (shaped like ``tree``), e.g. of a gradient.

        Built with ``mlkit.numpy``, so traced leaves give traced, differentiable vectors.
        Leaves are cast to their group's dtype; ``None`` leaves count as zeros.
        """
        leaves = tree_align(tree, self._structure, self._signature,
                            "FlatParameters.join: tree does not match the parameters")
        parts = [[] for _ in self.dtypes]
        for i, leaf in enumerate(leaves):
            group, start, stop = self._slots[i]
            dtype = self.dtypes[group]
            if leaf is None:
                parts[group].append(np.zeros(stop - start, dtype))
                continue
            if mnp.shape(leaf) != self._shapes[i]:
                raise ValueError(
                    f"FlatParameters.join: leaf {self._names[i] or '<root>'!r} has shape "
                    f"{mnp.shape(leaf)}, expected {self._shapes[i]}"
                )
            if mnp.result_type(leaf) != dtype:
                leaf = mnp.asarray(leaf).astype(dtype)
            parts[group].append(mnp.reshape(leaf, (-1,)))
        return [group[0] if len(group) == 1 else mnp.concatenate(group) for group in parts]

    def spans(self, leaves) -> list | None:
        """Where the leaves numbered ``leaves`` (in tree order) lie when back to back in that
        order (a layer's weight and bias, say): ``(vector, start, stop)`` per dtype, the vector
        by its number, in order of first appearance; None when they do not."""
        spans = {}
        for i in leaves:
            vector, start, stop = self._slots[i]
            span = spans.setdefault(vector, [start, start])
            if span[1] != start:
                return None
            span[1] = stop
        return [(vector, start, stop) for vector, (start, stop) in spans.items()]

    def holds(self, tree) -> bool:
        """True when every leaf of ``tree`` is (by identity) the matching view of ``tree``."""
        leaves = tree_signature(tree)[0]
        return len(leaves) == len(self._views) and all(
            leaf is view for leaf, view in zip(leaves, self._views))

    def update(self, tree) -> None:
        """Copy the values of ``tree`` (this structure and shapes) into ``vectors``."""
        leaves = tree_align(tree, self._structure, self._signature,
                            "FlatParameters.update: tree does not match the parameters")
        for i, (leaf, view) in enumerate(zip(leaves, self._views)):
            if leaf is view:
                continue
            if not isinstance(leaf, np.ndarray):
                leaf = np.asarray(leaf)
            if leaf.shape != view.shape:
                raise ValueError(
                    f"FlatParameters.update: leaf {self._names[i] or '<root>'!r} has shape "
                    f"{leaf.shape}, expected {view.shape}"
                )
            view[...] = leaf
