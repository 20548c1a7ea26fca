"""An MLP on the 8x8 handwritten digits, with the Module API and a hand-written training loop.

`mlkit train configs/mlp.yaml` does all of this (and more) from a config file; here every
step is spelled out: load and split the data, standardize it, build the model, and loop over
epochs of shuffled mini-batches taking one Adam step per batch.
"""

import numpy

from mlkit import nn, optim
from mlkit.data import Standardizer, load_dataset, minibatches, train_val_test_split


def accuracy(model, X, y):
    """Fraction of rows whose largest logit is the true class (model in eval mode)."""
    model.eval()
    predicted = numpy.argmax(model(X), axis=1)
    model.train()
    return float(numpy.mean(predicted == y))


def main(epochs=8, batch_size=64, lr=3e-3, seed=0):
    digits = load_dataset("digits")  # 1797 images, 64 pixels each, classes 0..9
    train, _, test = train_val_test_split(digits.y, test=0.2, stratify=True, seed=seed)
    scaler = Standardizer().fit(digits.X[train])  # statistics of the training rows only
    X_train, y_train = scaler.transform(digits.X[train]), digits.y[train]
    X_test, y_test = scaler.transform(digits.X[test]), digits.y[test]

    # A Module is a tree of parameter arrays; MLP is Linear -> ReLU -> Linear here.
    model = nn.MLP(64, [64], 10, activation="relu", rng=seed, dtype=numpy.float64)
    optimizer = optim.Adam(lr=lr)

    def loss_fn(X, y):
        return nn.cross_entropy(model(X), y)

    # value_and_grad(model, fn) differentiates fn with respect to the model's parameters
    # and returns the gradients as a tree shaped like model.parameters().
    loss_and_grads = nn.value_and_grad(model, loss_fn)
    rng = numpy.random.default_rng(seed)
    losses = []
    for epoch in range(1, epochs + 1):
        total = 0.0
        for rows in minibatches(len(X_train), batch_size, rng):  # a fresh shuffle each epoch
            loss, grads = loss_and_grads(X_train[rows], y_train[rows])
            optimizer.update(model, grads)  # model.update(optimizer.step(params, grads))
            total += float(loss) * len(rows)
        losses.append(total / len(X_train))
        print(f"epoch {epoch}: train loss {losses[-1]:.4f}")
    return losses, accuracy(model, X_test, y_test)


if __name__ == "__main__":
    losses, test_accuracy = main()
    print(f"test accuracy: {test_accuracy:.3f}")
