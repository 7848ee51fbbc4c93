"""What every builder starts with: the raw-pixel input and the width multiplier."""

import math
import warnings

import keras

PREPROCESSING = ("squeeze", None)


def check_preprocessing(preprocessing):
    """Raises a `ValueError` unless `preprocessing` is one of `PREPROCESSING`."""
    if preprocessing not in PREPROCESSING:
        raise ValueError(
            "Argument `preprocessing` must be 'squeeze' or None. "
            f"Received: preprocessing={preprocessing!r}"
        )


def check_pad_to_multiple(pad_to_multiple):
    """Raises a `ValueError` unless `pad_to_multiple` is None or an integer >= 1."""
    if pad_to_multiple is not None and not (
            isinstance(pad_to_multiple, int) and not isinstance(pad_to_multiple, bool)
            and pad_to_multiple >= 1):
        raise ValueError(
            "Argument `pad_to_multiple` must be None or an integer >= 1. "
            f"Received: pad_to_multiple={pad_to_multiple!r}"
        )


def padded_size(input_shape, pad_to_multiple):
    """Returns `(H, W)` rounded up to multiples of `pad_to_multiple` (unchanged for None)."""
    height, width = input_shape[0], input_shape[1]
    if not pad_to_multiple:
        return height, width
    return (math.ceil(height / pad_to_multiple) * pad_to_multiple,
            math.ceil(width / pad_to_multiple) * pad_to_multiple)


def warn_dropped_pixels(size, poolings, builder):
    """Warns when a 2×2 pooling would drop the last row or column of an odd-sized map.

    The seeds prefer input sizes that are powers of 2 ("the size of input images
    prefers to be power-of-2, such as 32, 64, 224"): every 2×2/2 pooling of an odd
    map silently discards its last row or column. The warning names the stage and the
    `pad_to_multiple` that avoids it.

    Args:
        size: `(H, W)` of the map entering the first pooling stage.
        poolings: int, the number of 2×2 floor poolings in a row.
        builder: str, the builder's name for the message.

    Returns:
        The list of stages (1-based) whose pooling drops pixels.
    """
    height, width = size
    dropping = []
    for stage in range(1, poolings + 1):
        if height % 2 or width % 2:
            dropping.append((stage, height, width))
        height, width = height // 2, width // 2
    if dropping:
        stage, h, w = dropping[0]
        warnings.warn(
            f"{builder}: the 2×2 pooling of stage {stage} drops the last row or column of "
            f"its {h}×{w} map (input {size[0]}×{size[1]}; the seeds prefer sizes divisible "
            f"by 2 at every pooling). Pass pad_to_multiple={2 ** poolings} to pad the "
            "input inside the model.",
            stacklevel=3,
        )
    return [stage for stage, _, _ in dropping]


def apply_image_input(input_shape, preprocessing="squeeze", pad_to_multiple=None):
    """Returns `(inputs, x)`: the model's image input and the tensor the body starts from.

    With `preprocessing="squeeze"`, raw 0..255 pixels are scaled to [-1, 1] by a
    `Rescaling` layer named `squeeze` inside the model (the seeds' "training and
    deployment trick"), so an exported model takes raw images. With
    `pad_to_multiple=m`, a `ZeroPadding2D` named `pad` first pads the raw image with
    zeros (split evenly, the odd pixel at the bottom and right) up to the next
    multiples of `m`, so every pooling divides the map evenly (the seeds' input sizes
    divisible by 2); the model still takes images of `input_shape`.

    Args:
        input_shape: tuple `(H, W, C)`.
        preprocessing: `"squeeze"` or None.
        pad_to_multiple: optional int >= 1.

    Returns:
        The `keras.Input` and the (possibly padded and rescaled) tensor.
    """
    check_preprocessing(preprocessing)
    check_pad_to_multiple(pad_to_multiple)
    inputs = keras.Input(shape=tuple(input_shape), name="images")
    x = inputs
    height, width = padded_size(input_shape, pad_to_multiple)
    extra_h, extra_w = height - input_shape[0], width - input_shape[1]
    if extra_h or extra_w:
        x = keras.layers.ZeroPadding2D(
            ((extra_h // 2, extra_h - extra_h // 2), (extra_w // 2, extra_w - extra_w // 2)),
            name="pad")(x)
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
