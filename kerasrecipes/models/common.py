"""What every builder starts with: the raw-pixel input and the width multiplier."""

import keras

PREPROCESSING = ("squeeze", None)


def check_preprocessing(preprocessing):
    """Raises a `ValueError` unless `preprocessing` is one of `PREPROCESSING`."""
    if preprocessing not in PREPROCESSING:
        raise ValueError(
            "Argument `preprocessing` must be 'squeeze' or None. "
            f"Received: preprocessing={preprocessing!r}"
        )


def apply_image_input(input_shape, preprocessing="squeeze"):
    """Returns `(inputs, x)`: the model's image input and the tensor the body starts from.

    With `preprocessing="squeeze"`, raw 0..255 pixels are scaled to [-1, 1] by a
    `Rescaling` layer named `squeeze` inside the model (the seeds' "training and
    deployment trick"), so an exported model takes raw images.

    Args:
        input_shape: tuple `(H, W, C)`.
        preprocessing: `"squeeze"` or None.

    Returns:
        The `keras.Input` and the (possibly rescaled) tensor.
    """
    check_preprocessing(preprocessing)
    inputs = keras.Input(shape=tuple(input_shape), name="images")
    x = inputs
    if preprocessing == "squeeze":
        from kerasrecipes.layers.preprocessing import squeeze

        x = squeeze(name="squeeze")(x)
    return inputs, x


def width_scaler(width):
    """Returns `scaled(units)`: `units · width` rounded, at least 1."""

    def scaled(units):
        return max(1, int(round(units * width)))

    return scaled


def conv_options(norm, activation, kernel_initializer, kernel_regularizer, kernel_constraint):
    """Returns the keyword arguments every conv block of a builder shares."""
    return dict(
        norm=norm,
        activation=activation,
        kernel_initializer=kernel_initializer,
        kernel_regularizer=kernel_regularizer,
        kernel_constraint=kernel_constraint,
    )
