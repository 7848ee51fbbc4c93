"""Activations by name, as layers.

Keras has ReLU, LeakyReLU, ELU, sigmoid, tanh and a PReLU layer; the seeds want PReLU
with its slope starting at 0.1, shared over space ("use PReLUs with a very small
multiplier, usually 0.1"), which `layer("prelu")` configures.
"""

import keras

from kerasrecipes._names import unknown_name_error

_SIMPLE = ("relu", "elu", "sigmoid", "tanh", "linear", "gelu", "swish")


def names():
    """Returns the sorted activation names that `layer()` accepts."""
    return sorted(set(_SIMPLE) | {"leaky_relu", "prelu"})


def layer(identifier, name=None):
    """Returns an activation layer from a name, a config dict or a layer instance.

    Args:
        identifier: a name from `names()`; `"leaky_relu:0.1"` sets the negative
            slope (default 0.01); a Keras layer config dict; or a layer.
        name: optional str, the layer's name.

    Returns:
        A `keras.layers.Layer`.

    Raises:
        ValueError: unknown name, listing the known ones.
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
    base, _, value = identifier.partition(":")
    if base == "relu" and not value:
        return keras.layers.ReLU(name=name)
    if base == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=float(value or 0.01), name=name)
    if base == "prelu":
        return keras.layers.PReLU(
            alpha_initializer=keras.initializers.Constant(float(value or 0.1)),
            shared_axes=[1, 2],
            name=name,
        )
    if base in _SIMPLE and not value:
        return keras.layers.Activation(base, name=name)
    raise unknown_name_error("activation", identifier, names())
