"""The model and loss sections of a config, each a discriminated union on `name`.

Each name accepts only its own options, so a misplaced option is reported against the
component that was chosen.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .fields import ClassWeight, Fraction, NonNegativeFloat, PositiveFloat, PositiveInt, Section
from .tables import ActivationName, InitName

# ----------------------------------------------------------------------------- model


class LinearModel(Section):
    """A single linear layer: logistic (binary), softmax (multiclass) or linear regression."""

    name: Literal["logistic_regression", "softmax_regression", "linear_regression"]
    """Which linear model."""
    init: InitName = "zeros"
    """Weight initializer; zeros is fine for a convex objective."""
    bias: bool = True
    """Learn an intercept."""


def _with_init(data: Any) -> Any:
    """Default `init` to the activation's usual scheme: He for ReLU-like, Glorot otherwise."""
    if isinstance(data, dict) and "init" not in data:
        smooth = data.get("activation") in ("tanh", "sigmoid", "softplus")
        return {**data, "init": "glorot_uniform" if smooth else "he_normal"}
    return data


class Mlp(Section):
    """A multilayer perceptron: Linear, [BatchNorm], activation, [Dropout] per hidden layer."""

    name: Literal["mlp"]
    """Multilayer perceptron."""
    hidden: Annotated[list[PositiveInt], Field(min_length=1)]
    """Width of each hidden layer, e.g. [128, 64]."""
    activation: ActivationName = "relu"
    """Nonlinearity after each hidden layer."""
    dropout: Fraction = 0.0
    """Probability of zeroing a hidden unit while training; 0 disables dropout."""
    batch_norm: bool = False
    """Batch normalization before each activation."""
    init: InitName
    """Weight initializer; defaults to he_normal, or glorot_uniform for tanh/sigmoid/softplus."""
    bias: bool = True
    """Learn a bias in every layer."""

    _default_init = model_validator(mode="before")(_with_init)


Model = Annotated[LinearModel | Mlp, Field(discriminator="name")]

# ----------------------------------------------------------------------------- loss


class _Penalties(Section):
    """Weight penalties shared by every loss; biases are never penalized."""

    name: str
    l2: NonNegativeFloat = 0.0
    """Adds l2/2 * sum(w**2) over the weights to the mean loss (scikit-learn's C = 1/(n*l2))."""
    l1: NonNegativeFloat = 0.0
    """Adds l1 * sum(|w|) over the weights to the mean loss."""


class CrossEntropy(_Penalties):
    """Softmax cross-entropy on logits, for multiclass (or binary) classification."""

    name: Literal["cross_entropy"]
    label_smoothing: Fraction = 0.0
    """Mix the one-hot target with the uniform distribution by this amount."""
    class_weight: ClassWeight = "none"
    """none, balanced (inverse class frequency), or {label: weight}."""


class BinaryCrossEntropy(_Penalties):
    """Sigmoid cross-entropy on one logit, for two-class problems."""

    name: Literal["binary_cross_entropy"]
    class_weight: ClassWeight = "none"
    """none, balanced (inverse class frequency), or {label: weight}."""


class Hinge(_Penalties):
    """Multiclass hinge (SVM) loss on the logits."""

    name: Literal["hinge"]
    margin: PositiveFloat = 1.0
    """Required gap between the true class's score and the others'."""
    class_weight: ClassWeight = "none"
    """none, balanced (inverse class frequency), or {label: weight}."""


class PlainRegressionLoss(_Penalties):
    """Mean squared error (mse) or mean absolute error (l1), for regression."""

    name: Literal["mse", "l1"]


class Huber(_Penalties):
    """Squared error below delta, absolute error above it: robust regression."""

    name: Literal["huber"]
    delta: PositiveFloat = 1.0
    """Where the loss turns from quadratic to linear."""


Loss = Annotated[CrossEntropy | BinaryCrossEntropy | Hinge | PlainRegressionLoss | Huber,
                 Field(discriminator="name")]
