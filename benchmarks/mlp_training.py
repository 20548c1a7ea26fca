"""One epoch of MLP training: mlkit against a hand-written numpy reference and its peers.

Data: 60,000 x 784 float32 synthetic inputs, 10 classes. Large model: hidden (256, 128), batch
128; small model: hidden (64,), batch 32, where per-op overhead dominates. ReLU, cross-entropy,
Adam lr 1e-3, shuffled, float32 throughout. Every contender runs on one core; times are
best-of-N epochs, each round timing every contender once, and are printed as ratios to the
numpy reference measured in the same run. The first epoch of every contender is untimed, so
recording (``mlkit.jit``) and compiling (``torch.compile``, ``jax.jit``) are not in the times.

Contenders: mlkit's training loop ``mlkit.train.fit`` with ``jit`` on and off, the numpy
reference, scikit-learn's MLPClassifier, and, when the ``bench`` extra is installed, PyTorch
eager, ``torch.compile`` and a ``jax.jit`` train step. The "GEMM floor" row runs only the
epoch's matrix products, at their real shapes: no framework can go below it.

Run: python benchmarks/mlp_training.py [--repeat N] [--samples N] [--model large|small]
"""

import argparse
import functools

import common  # noqa: F401  (pins BLAS threads before numpy loads)
import mlp_reference
import numpy
from common import best_times_interleaved, blas_report, optional, table

from mlkit import nn, optim
from mlkit.train import fit

N_FEATURES, N_CLASSES = 784, 10
MODELS = {"large": ((256, 128), 128), "small": ((64,), 32)}
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8


def make_data(n, seed=0):
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((n, N_FEATURES)).astype(numpy.float32)
    y = rng.integers(0, N_CLASSES, n)
    return x, y


def batch_sizes(n, batch):
    """The row count of every batch of one epoch (a short last batch is kept)."""
    return [min(batch, n - start) for start in range(0, n, batch)]


def numpy_epoch(x, y, hidden, batch):
    rng = numpy.random.default_rng(0)
    params = mlp_reference.init_params([N_FEATURES, *hidden, N_CLASSES], rng, numpy.float32)
    adam = mlp_reference.AdamReference(params, lr=LR, betas=BETAS, eps=EPS)
    return lambda: mlp_reference.train_epoch(params, adam, x, y, batch, rng)


def gemm_floor(x, hidden, batch):
    """Only the matrix products of an epoch: per layer and batch, the forward product, the
    weight gradient and (past the first layer) the input gradient, into preallocated arrays."""
    rng = numpy.random.default_rng(0)
    sizes = [N_FEATURES, *hidden, N_CLASSES]
    weights = [rng.standard_normal(shape).astype(numpy.float32)
               for shape in zip(sizes[:-1], sizes[1:])]

    def buffers(rows):
        inputs = [rng.standard_normal((rows, width)).astype(numpy.float32) for width in sizes]
        return inputs, [numpy.empty_like(a) for a in inputs]

    per_rows = {rows: buffers(rows) for rows in set(batch_sizes(len(x), batch))}
    grads = [numpy.empty_like(w) for w in weights]
    plan = [per_rows[rows] for rows in batch_sizes(len(x), batch)]

    def epoch():
        for inputs, deltas in plan:
            for layer, w in enumerate(weights):
                numpy.matmul(inputs[layer], w, out=deltas[layer + 1])
            for layer in reversed(range(len(weights))):
                numpy.matmul(inputs[layer].T, deltas[layer + 1], out=grads[layer])
                if layer:
                    numpy.matmul(deltas[layer + 1], weights[layer].T, out=deltas[layer])

    return epoch


def mlkit_epoch(x, y, hidden, batch, jit):
    """``mlkit.train.fit``, one epoch per call of the returned function.

    The model keeps its training step across ``fit`` calls, so the per-batch-shape programs
    are recorded in the first (untimed) call and replayed after, as in any run of many epochs;
    the optimizer and the shuffling generator carry on from call to call.
    """
    rng = numpy.random.default_rng(0)
    model = nn.MLP(N_FEATURES, list(hidden), N_CLASSES, activation="relu", rng=rng,
                   dtype=numpy.float32)
    adam = optim.Adam(lr=LR, betas=BETAS, eps=EPS)

    def loss_fn(model, xb, yb, weight):
        return nn.cross_entropy(model(xb), yb)

    return lambda: fit(model, loss_fn, adam, x, y, epochs=1, batch_size=batch, seed=rng,
                       jit=jit)


def sklearn_epoch(x, y, hidden, batch):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def epoch():
        model = MLPClassifier(hidden_layer_sizes=hidden, alpha=0.0, batch_size=batch,
                              learning_rate_init=LR, max_iter=1, shuffle=True, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, y)

    return epoch


def torch_epoch(torch, x, y, hidden, batch, compiled=False):
    """PyTorch's usual loop; ``compiled`` runs the model through ``torch.compile`` (its
    forward and backward graphs are compiled during the first, untimed epoch)."""
    torch.manual_seed(0)
    sizes = [N_FEATURES, *hidden]
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-1], N_CLASSES))
    adam = torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
    forward = torch.compile(model) if compiled else model
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        order = torch.randperm(len(tx))
        for start in range(0, len(tx), batch):
            index = order[start:start + batch]
            adam.zero_grad()
            loss_fn(forward(tx[index]), ty[index]).backward()
            adam.step()

    return epoch


def jax_epoch(jax, x, y, hidden, batch):
    """A ``jax.jit`` train step: the batch gathered from device arrays, the loss's
    ``value_and_grad`` and Adam (written out, as optax may be absent) in one program."""
    jnp = jax.numpy
    rng = numpy.random.default_rng(0)
    flat = mlp_reference.init_params([N_FEATURES, *hidden, N_CLASSES], rng, numpy.float32)
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in zip(flat[::2], flat[1::2])]
    state = (jax.tree.map(jnp.zeros_like, params), jax.tree.map(jnp.zeros_like, params),
             jnp.zeros((), jnp.float32))
    data_x, data_y = jax.device_put(x), jax.device_put(y)

    def loss(params, xb, yb):
        h = xb
        for w, b in params[:-1]:
            h = jax.nn.relu(h @ w + b)
        w, b = params[-1]
        log_probs = jax.nn.log_softmax(h @ w + b)
        return -jnp.take_along_axis(log_probs, yb[:, None], axis=1).mean()

    @functools.partial(jax.jit, donate_argnums=(0, 1))
    def step(params, state, data_x, data_y, index):
        m, v, t = state
        value, grads = jax.value_and_grad(loss)(params, data_x[index], data_y[index])
        t = t + 1
        m = jax.tree.map(lambda m, g: BETAS[0] * m + (1 - BETAS[0]) * g, m, grads)
        v = jax.tree.map(lambda v, g: BETAS[1] * v + (1 - BETAS[1]) * g * g, v, grads)
        c1, c2 = 1 - BETAS[0] ** t, 1 - BETAS[1] ** t
        params = jax.tree.map(lambda p, m, v: p - (LR / c1) * m / (jnp.sqrt(v / c2) + EPS),
                              params, m, v)
        return params, (m, v, t), value

    shapes = jax.eval_shape(step, params, state, data_x, data_y, numpy.arange(batch))
    assert all(leaf.dtype == jnp.float32 for leaf in jax.tree.leaves(shapes[:2]))
    carry = [params, state]

    def epoch():
        order = rng.permutation(len(x))
        params, state = carry
        for start in range(0, len(x), batch):
            params, state, _ = step(params, state, data_x, data_y, order[start:start + batch])
        jax.block_until_ready(params)
        carry[:] = params, state

    return epoch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="epochs timed per contender")
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--model", choices=sorted(MODELS), help="run only this model")
    args = parser.parse_args()
    blas_report()
    x, y = make_data(args.samples)
    torch, jax = optional("torch"), optional("jax")
    for name, (hidden, batch) in MODELS.items():
        if args.model and name != args.model:
            continue
        contenders = {"numpy reference": numpy_epoch(x, y, hidden, batch),
                      "GEMM floor (matmuls only)": gemm_floor(x, hidden, batch),
                      "mlkit fit, jit": mlkit_epoch(x, y, hidden, batch, jit=True),
                      "mlkit fit, no jit": mlkit_epoch(x, y, hidden, batch, jit=False),
                      "scikit-learn": sklearn_epoch(x, y, hidden, batch)}
        if torch is not None:
            contenders["pytorch eager"] = torch_epoch(torch, x, y, hidden, batch)
            contenders["torch.compile"] = torch_epoch(torch, x, y, hidden, batch, compiled=True)
        if jax is not None:
            contenders["jax.jit"] = jax_epoch(jax, x, y, hidden, batch)
        times = dict(zip(contenders, best_times_interleaved(list(contenders.values()),
                                                            repeat=args.repeat)))
        reference = times["numpy reference"]
        print(f"\n{name} model: hidden {hidden}, batch {batch}, {args.samples} samples")
        table([[label, f"{t:.3f}", f"{t / reference:.2f}"] for label, t in times.items()],
              ["contender", "s/epoch", "ratio to numpy"])


if __name__ == "__main__":
    main()
