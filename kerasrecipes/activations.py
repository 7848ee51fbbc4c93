"""Activations by name, as layers.

Keras has ReLU, LeakyReLU, ELU, sigmoid, tanh and a PReLU layer. This module adds:

- `PReLU`: per-channel slopes shared over every other axis whatever the input rank,
  starting at 0.1 (the seeds: "use PReLUs with a very small multiplier, usually 0.1").
  Keras' `PReLU` needs `shared_axes` fixed for one input rank, so one name could not
  serve both conv (4-D) and dense (2-D) layers.
- `RReLU`: randomized leaky ReLU (Xu et al., 2015), which Keras lacks.

`layer(name)` returns a fresh layer for a name such as `"relu"`, `"leaky_relu:0.1"`,
`"prelu"`, `"prelu:0.25"` or `"rrelu"`.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, activations: prelu vs relu): +0.24 ± 0.61 pt, within noise / depends (3 seeds).
Measured (tips.json, activations: leaky_relu vs relu): +0.22 ± 0.69 pt, within noise / depends (3 seeds).
Measured (tips.json, activations: rrelu vs relu): +0.14 ± 0.83 pt, within noise / depends (3 seeds).
Measured (tips.json, activations: relu vs elu): +0.04 ± 0.20 s, within noise / depends (3 seeds).
Measured (tips.json, activations: relu vs tanh): -0.17 ± 0.65 pt, within noise / depends (3 seeds).
Measured (tips.json, activations: relu vs sigmoid): +0.91 ± 0.62 pt, confirmed (3 seeds).
"""

import warnings

import keras
from keras import ops

from kerasrecipes._names import split_value
from kerasrecipes._names import unknown_name_error


@keras.saving.register_keras_serializable(package="kerasrecipes")
class PReLU(keras.layers.Layer):
    """Parametric ReLU with one learned slope per channel, starting at 0.1.

    `f(x) = x` for `x >= 0`, `f(x) = alpha_c · x` otherwise, with one `alpha` per
    channel (the last axis) shared over all other axes, so the same layer works
    after a conv (`(batch, H, W, C)`) and after a dense layer (`(batch, C)`).

    Args:
        initial_slope: float, the starting value of every slope. Defaults to 0.1.
        alpha_regularizer: optional regularizer for the slopes (the PReLU paper
            uses none: weight decay pushes the slopes to zero, i.e. to ReLU).
        alpha_constraint: optional constraint for the slopes.
        **kwargs: base layer arguments (`name`, `dtype`, …).

    Input shape:
        Any shape with a known last axis.

    Output shape:
        Same as the input.

    Example:

    >>> layer = PReLU()
    >>> layer(keras.ops.convert_to_tensor([[-1.0, 2.0]]))  # [[-0.1, 2.0]]

    Reference:
        He et al., "Delving Deep into Rectifiers: Surpassing Human-Level Performance
        on ImageNet Classification", ICCV 2015 (https://arxiv.org/abs/1502.01852).
    """

    def __init__(self, initial_slope=0.1, alpha_regularizer=None, alpha_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.initial_slope = float(initial_slope)
        self.alpha_regularizer = keras.regularizers.get(alpha_regularizer)
        self.alpha_constraint = keras.constraints.get(alpha_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(
                f"Layer `{self.name}` needs a known last (channel) axis. "
                f"Received: input_shape={input_shape}"
            )
        self.alpha = self.add_weight(
            shape=(input_shape[-1],),
            initializer=keras.initializers.Constant(self.initial_slope),
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
            name="alpha",
        )

    def call(self, inputs):
        alpha = ops.cast(self.alpha, inputs.dtype)
        return ops.relu(inputs) - alpha * ops.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "initial_slope": self.initial_slope,
            "alpha_regularizer": keras.regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": keras.constraints.serialize(self.alpha_constraint),
        }


@keras.saving.register_keras_serializable(package="kerasrecipes")
class RReLU(keras.layers.Layer):
    """Randomized leaky ReLU: a random negative slope in training, its mean at inference.

    In training, each element's negative slope is drawn from `U(lower, upper)`
    afresh at every call; at inference the slope is the fixed mean
    `(lower + upper) / 2`, so predictions are deterministic. Keras has no such
    layer. The defaults are the paper's (its divisor `a ~ U(3, 8)` is a slope in
    `[1/8, 1/3]`); like PyTorch's `RReLU`, inference uses the mean slope.

    Args:
        lower: float >= 0, the smallest slope. Defaults to 1/8.
        upper: float >= lower, the largest slope. Defaults to 1/3.
        seed: optional int, seeds the layer's `SeedGenerator`.
        **kwargs: base layer arguments.

    Call arguments:
        inputs: a tensor.
        training: bool, whether to draw random slopes.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> layer = RReLU(seed=0)
    >>> y = layer(keras.ops.ones((2, 4)) * -1.0, training=True)  # in [-1/3, -1/8]

    Reference:
        Xu et al., "Empirical Evaluation of Rectified Activations in Convolutional
        Network", 2015 (https://arxiv.org/abs/1505.00853).
    """

    def __init__(self, lower=1.0 / 8.0, upper=1.0 / 3.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= lower <= upper:
            raise ValueError(
                "Arguments `lower` and `upper` must satisfy 0 <= lower <= upper. "
                f"Received: lower={lower}, upper={upper}"
            )
        self.lower = float(lower)
        self.upper = float(upper)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training:
            slope = keras.random.uniform(
                ops.shape(inputs), self.lower, self.upper, dtype=inputs.dtype,
                seed=self.seed_generator,
            )
        else:
            slope = ops.cast((self.lower + self.upper) / 2.0, inputs.dtype)
        return ops.where(inputs >= 0, inputs, inputs * slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "lower": self.lower, "upper": self.upper,
                "seed": self.seed}


_SIMPLE = ("relu", "elu", "sigmoid", "tanh", "linear", "gelu", "swish")
SATURATING = ("sigmoid", "tanh")


def warn_saturating(name):
    """Warns, in one line, that the hidden-layer activation `name` saturates.

    The seeds: "Sigmoids saturate and kill gradients & outputs are not zero centered",
    tanh "still kills gradient when saturated", "avoid Sigmoid's, TanH's gates ... the
    deeper your network the less attractive". Nothing is changed; the statistics
    callback measures how many units actually saturate (`saturated_fraction`).
    """
    if name in SATURATING:
        centred = " and its outputs are not zero-centred" if name == "sigmoid" else ""
        warnings.warn(
            f"Activation {name!r} in a hidden layer saturates: its gradient vanishes for "
            f"large |x|{centred} (the seeds: avoid sigmoid/tanh in hidden layers); "
            "prefer 'relu' or 'prelu'.",
            stacklevel=3,
        )


def names():
    """Returns the sorted activation names that `layer()` accepts."""
    return sorted(set(_SIMPLE) | {"leaky_relu", "prelu", "rrelu"})


def layer(identifier, name=None):
    """Returns a new hidden-layer activation from a name, a config dict or a layer.

    `"sigmoid"` and `"tanh"` log a one-line warning (`warn_saturating`): the seeds
    advise against saturating activations in hidden layers. Output activations belong
    to the classifier layer (`Dense(activation="softmax")`), not here.

    Args:
        identifier: a name from `names()`; `"leaky_relu:0.1"` sets the negative
            slope (default 0.01), `"prelu:0.25"` the initial slope (default 0.1);
            a Keras layer config dict; or a layer (returned as is).
        name: optional str, the layer's name.

    Returns:
        A `keras.layers.Layer`.

    Raises:
        ValueError: unknown name, listing the known ones.

    Example:

    >>> layer("prelu", name="block1_act")
    """
    if isinstance(identifier, keras.layers.Layer):
        return identifier
    if isinstance(identifier, dict):
        return keras.layers.deserialize(identifier)
    if not isinstance(identifier, str):
        raise TypeError(
            "Argument `activation` must be a name, a layer config dict or a layer. "
            f"Received: activation={identifier!r}"
        )
    base, value = split_value(identifier)
    if base == "leaky_relu":
        if value is not None and value < 0:
            raise ValueError(
                f"The slope of activation 'leaky_relu' must be >= 0. Received: {identifier!r}"
            )
        return keras.layers.LeakyReLU(negative_slope=0.01 if value is None else value, name=name)
    if base == "prelu":
        return PReLU(initial_slope=0.1 if value is None else value, name=name)
    if value is not None:
        raise unknown_name_error("activation", identifier, names())
    if base == "relu":
        return keras.layers.ReLU(name=name)
    if base == "rrelu":
        return RReLU(name=name)
    if base in _SIMPLE:
        warn_saturating(base)
        return keras.layers.Activation(base, name=name)
    raise unknown_name_error("activation", identifier, names())

