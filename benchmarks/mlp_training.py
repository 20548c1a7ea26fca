"""One epoch of MLP training: mlkit against a hand-written numpy reference and its peers.

Data: 60,000 x 784 float32 synthetic inputs, 10 classes. Large model: hidden (256, 128), batch
128; small model: hidden (64,), batch 32, where per-op overhead dominates. ReLU, cross-entropy,
Adam lr 1e-3, shuffled. Every contender runs one BLAS thread; times are best-of-N epochs, each
round timing every contender once, and are printed as ratios to the numpy reference measured
in the same run.

Run: python benchmarks/mlp_training.py [--repeat N] [--samples N] [--model large|small]
"""

import argparse

import common  # noqa: F401  (pins BLAS threads before numpy loads)
import mlp_reference
import numpy
from common import best_times_interleaved, optional, table

from mlkit import nn, optim

N_FEATURES, N_CLASSES = 784, 10
MODELS = {"large": ((256, 128), 128), "small": ((64,), 32)}


def make_data(n, seed=0):
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((n, N_FEATURES)).astype(numpy.float32)
    y = rng.integers(0, N_CLASSES, n)
    return x, y


def numpy_epoch(x, y, hidden, batch):
    rng = numpy.random.default_rng(0)
    params = mlp_reference.init_params([N_FEATURES, *hidden, N_CLASSES], rng, numpy.float32)
    adam = mlp_reference.AdamReference(params, lr=1e-3)
    return lambda: mlp_reference.train_epoch(params, adam, x, y, batch, rng)


def mlkit_epoch(x, y, hidden, batch):
    """The Module API with a plain loop: value_and_grad, then the optimizer's update."""
    rng = numpy.random.default_rng(0)
    model = nn.MLP(N_FEATURES, list(hidden), N_CLASSES, activation="relu", rng=rng,
                   dtype=numpy.float32)
    adam = optim.Adam(lr=1e-3)
    step = nn.value_and_grad(model, lambda xb, yb: nn.cross_entropy(model(xb), yb))

    def epoch():
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            index = order[start:start + batch]
            _, grads = step(x[index], y[index])
            adam.update(model, grads)

    return epoch


def sklearn_epoch(x, y, hidden, batch):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def epoch():
        model = MLPClassifier(hidden_layer_sizes=hidden, alpha=0.0, batch_size=batch,
                              learning_rate_init=1e-3, max_iter=1, shuffle=True, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, y)

    return epoch


def torch_epoch(torch, x, y, hidden, batch):
    torch.manual_seed(0)
    sizes = [N_FEATURES, *hidden]
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-1], N_CLASSES))
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        order = torch.randperm(len(tx))
        for start in range(0, len(tx), batch):
            index = order[start:start + batch]
            adam.zero_grad()
            loss_fn(model(tx[index]), ty[index]).backward()
            adam.step()

    return epoch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="epochs timed per contender")
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--model", choices=sorted(MODELS), help="run only this model")
    args = parser.parse_args()
    x, y = make_data(args.samples)
    torch = optional("torch")
    for name, (hidden, batch) in MODELS.items():
        if args.model and name != args.model:
            continue
        contenders = {"numpy reference": numpy_epoch(x, y, hidden, batch),
                      "mlkit": mlkit_epoch(x, y, hidden, batch),
                      "scikit-learn": sklearn_epoch(x, y, hidden, batch)}
        if torch is not None:
            contenders["pytorch eager"] = torch_epoch(torch, x, y, hidden, batch)
        times = dict(zip(contenders, best_times_interleaved(list(contenders.values()),
                                                            repeat=args.repeat)))
        reference = times["numpy reference"]
        print(f"\n{name} model: hidden {hidden}, batch {batch}, {args.samples} samples")
        table([[label, f"{t:.2f}", f"{t / reference:.2f}"] for label, t in times.items()],
              ["contender", "s/epoch", "ratio to numpy"])


if __name__ == "__main__":
    main()
