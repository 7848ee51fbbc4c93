"""The SqueezeNet Fire module: squeeze 1×1 → (expand 1×1 ‖ expand 3×3), concatenated.

Reference:
    Iandola et al., "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and
    <0.5MB model size", 2016 (https://arxiv.org/abs/1602.07360), section 3.2 and 6.
"""

import keras

from kerasrecipes.layers.blocks import apply_conv_norm_act
from kerasrecipes.layers.blocks import apply_projection

BYPASSES = (None, "simple", "complex")


def apply_fire_block(
    x,
    squeeze,
    expand1x1,
    expand3x3,
    bypass=None,
    name="fire",
    **conv_kwargs,
):
    """Applies a Fire module, optionally with a simple or complex bypass.

    The squeeze layer (1×1 convs) cuts the channels fed to the expand layer, which
    mixes 1×1 and 3×3 convs and concatenates them along the channels: fewer 3×3
    filters, and fewer input channels to them (the paper's strategies 1 and 2).

    Args:
        x: input tensor `(batch, H, W, C)`.
        squeeze: int > 0, the squeeze layer's 1×1 filters (`s1x1`).
        expand1x1: int > 0, the expand layer's 1×1 filters (`e1x1`).
        expand3x3: int > 0, the expand layer's 3×3 filters (`e3x3`).
        bypass: None; `"simple"` adds the input to the output (ResNet-style; the
            input must have `expand1x1 + expand3x3` channels); `"complex"` adds a
            1×1 conv projection of the input, for any channel count.
        name: str, prefix of the layer names (`fire2_squeeze1x1_conv`, …).
        **conv_kwargs: passed to each `apply_conv_norm_act` (norm, activation,
            kernel_initializer, kernel_regularizer, kernel_constraint).

    Returns:
        The output tensor, `(batch, H, W, expand1x1 + expand3x3)`.

    Raises:
        ValueError: a width is not a positive integer, `bypass` is unknown, or a
            simple bypass meets an input whose channels differ from the output's.

    Example:

    >>> x = keras.Input((55, 55, 96))
    >>> y = apply_fire_block(x, 16, 64, 64, name="fire2", norm=None)  # 55×55×128
    """
    for argument, value in (("squeeze", squeeze), ("expand1x1", expand1x1),
                            ("expand3x3", expand3x3)):
        if not (isinstance(value, int) and value > 0):
            raise ValueError(
                f"Argument `{argument}` must be a positive integer. Received: {argument}={value!r}"
            )
    if bypass not in BYPASSES:
        raise ValueError(f"Argument `bypass` must be one of {list(BYPASSES)}. Received: bypass={bypass!r}")
    channels_in = x.shape[-1]
    channels_out = expand1x1 + expand3x3
    if bypass == "simple" and channels_in != channels_out:
        raise ValueError(
            f"Argument `bypass` is 'simple' in Fire module {name!r}, which needs the input "
            f"channels to equal expand1x1 + expand3x3 = {channels_out}; use bypass='complex' "
            f"or None. Received: bypass='simple' with {channels_in} input channels"
        )
    squeezed = apply_conv_norm_act(x, squeeze, kernel_size=1, name=f"{name}_squeeze1x1",
                                   **conv_kwargs)
    left = apply_conv_norm_act(squeezed, expand1x1, kernel_size=1, name=f"{name}_expand1x1",
                               **conv_kwargs)
    right = apply_conv_norm_act(squeezed, expand3x3, kernel_size=3, name=f"{name}_expand3x3",
                                **conv_kwargs)
    y = keras.layers.Concatenate(axis=-1, name=f"{name}_concat")([left, right])
    if bypass == "simple":
        y = keras.layers.Add(name=f"{name}_bypass")([x, y])
    elif bypass == "complex":
        # The paper's complex bypass is a plain 1×1 conv: no nonlinearity on the skip path.
        projected = apply_projection(
            x, channels_out, name=f"{name}_bypass_proj", **{**conv_kwargs, "activation": None}
        )
        y = keras.layers.Add(name=f"{name}_bypass")([projected, y])
    return y
