"""Functional building blocks: conv-norm-act, 1×1 projection and the VGG stage.

Each `apply_*` helper takes a tensor and returns a tensor, naming every layer it adds
after `name` so that `model.summary()` reads like the paper's table. The SqueezeNet
Fire module is in `kerasrecipes.layers.fire`.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, pooling: act_after_pool vs act_before_pool): -1.08 ± 0.08 s, confirmed (3 seeds).
"""

import keras

from kerasrecipes import activations as activations_lib
from kerasrecipes import constraints as constraints_lib
from kerasrecipes import initializers as initializers_lib
from kerasrecipes import regularizers as regularizers_lib
from kerasrecipes._names import check_rate  # noqa: F401  (its home is _names; models use it from here)
from kerasrecipes._names import split_value
from kerasrecipes.layers import normalization as normalization_lib




def part_name(identifier, default="act"):
    """A short name for a part identifier (`"leaky_relu:0.1"` → `"leaky_relu"`)."""
    if isinstance(identifier, str):
        return split_value(identifier)[0]
    if isinstance(identifier, dict):
        return str(identifier.get("class_name", default)).lower()
    return default


def apply_conv_norm_act(
    x,
    filters,
    kernel_size=3,
    strides=1,
    padding="same",
    norm="batch",
    activation="relu",
    kernel_initializer="he_normal",
    kernel_regularizer=None,
    kernel_constraint=None,
    pool_size=None,
    dropout=0.0,
    name="conv",
):
    """Applies conv → norm → activation (→ spatial dropout), the order the seeds recommend.

    The norm sits after the conv and before the nonlinearity ("insert batch norm
    layers before non-linearities"), and the conv drops its bias when a norm with
    its own offset follows (the offset makes the bias redundant). With `pool_size`,
    a max pooling is placed right after the conv, before the norm and the
    activation: for ReLU-family activations `act(pool(x)) == pool(act(x))`, but the
    norm and the activation then touch `pool_size**2` times fewer values ("apply
    ReLU after max pooling to save computation").

    Args:
        x: input tensor, `(batch, H, W, C)`.
        filters: int > 0, output channels.
        kernel_size: int, defaults to 3 (the seeds' 3×3).
        strides: int, defaults to 1.
        padding: `"same"` or `"valid"`. Defaults to `"same"`.
        norm: None or a name from `kerasrecipes.layers.normalization.names()`;
            `"weight"` wraps the conv in `WeightNormalization` (`w = g·v/‖v‖`)
            instead of adding a layer after it.
        activation: a name from `kerasrecipes.activations.names()`, or None.
        kernel_initializer: initializer name, config or instance.
        kernel_regularizer: optional regularizer name ("l2:5e-4"), config or instance.
        kernel_constraint: optional constraint name ("max_norm:3"), config or instance.
        pool_size: optional int; max-pool after the conv, before norm and activation.
        dropout: float in [0, 1), spatial dropout (whole channels) after the
            activation. Defaults to 0.
        name: str, prefix of the layer names.

    Returns:
        The output tensor.

    Example:

    >>> x = keras.Input((28, 28, 1))
    >>> y = apply_conv_norm_act(x, 32, norm="batch", activation="prelu", name="block1")
    """
    if not (isinstance(filters, int) and filters > 0):
        raise ValueError(f"Argument `filters` must be a positive integer. Received: filters={filters!r}")
    check_rate("dropout", dropout)
    norm_base = part_name(norm, "norm") if norm is not None else None
    conv = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=norm is None or norm_base in ("lrn", normalization_lib.WEIGHT),
        kernel_initializer=initializers_lib.get(kernel_initializer),
        kernel_regularizer=regularizers_lib.get(kernel_regularizer),
        kernel_constraint=constraints_lib.get(kernel_constraint),
        name=f"{name}_conv",
    )
    x = normalization_lib.weight_normalized(conv, norm)(x)
    if pool_size:
        x = keras.layers.MaxPooling2D(pool_size, name=f"{name}_pool")(x)
    if norm is not None and norm != normalization_lib.WEIGHT:
        x = normalization_lib.get(norm, name=f"{name}_{norm_base}", channels=filters)(x)
    if activation is not None:
        x = activations_lib.layer(activation, name=f"{name}_{part_name(activation)}")(x)
    if dropout:
        x = keras.layers.SpatialDropout2D(dropout, name=f"{name}_dropout")(x)
    return x


def apply_projection(x, filters, name="projection", **conv_kwargs):
    """Applies a 1×1 conv projection (norm and activation as in `apply_conv_norm_act`).

    A 1×1 conv mixes channels at each position: it changes the width cheaply
    (SqueezeNet's squeeze layers, a bypass that must match channels) without
    touching the spatial layout.

    Args:
        x: input tensor.
        filters: int, output channels.
        name: str, prefix of the layer names.
        **conv_kwargs: passed to `apply_conv_norm_act` (norm, activation, strides, …).

    Returns:
        The output tensor.
    """
    return apply_conv_norm_act(x, filters, kernel_size=1, name=name, **conv_kwargs)


def apply_vgg_stage(
    x,
    filters,
    pool=True,
    activation_after_pool=False,
    name="stage",
    **conv_kwargs,
):
    """Applies one VGG stage: `len(filters)` 3×3 stride-1 same convs, then 2×2 max pooling.

    Args:
        x: input tensor.
        filters: list of int, the output channels of each conv in the stage.
        pool: bool, whether the stage ends with 2×2 max pooling. Defaults to True.
        activation_after_pool: bool, whether the last conv's norm and activation
            come after the pooling (see `apply_conv_norm_act(pool_size=…)`).
        name: str, prefix of the layer names.
        **conv_kwargs: passed to `apply_conv_norm_act` (norm, activation, …).

    Returns:
        The output tensor.

    Example:

    >>> y = apply_vgg_stage(keras.Input((32, 32, 3)), [64, 64], name="block1")
    """
    if not filters:
        raise ValueError(f"Argument `filters` must list at least one width. Received: filters={filters!r}")
    for index, width in enumerate(filters):
        last = index == len(filters) - 1
        fused_pool = 2 if (pool and last and activation_after_pool) else None
        x = apply_conv_norm_act(
            x, width, kernel_size=3, strides=1, pool_size=fused_pool,
            name=f"{name}_conv{index + 1}", **conv_kwargs,
        )
    if pool and not activation_after_pool:
        x = keras.layers.MaxPooling2D(2, name=f"{name}_pool")(x)
    return x


def apply_residual_block(x, filters, strides=1, name="residual", **conv_kwargs):
    """Applies a residual block: two 3×3 conv-norm-act with an identity or 1×1 shortcut.

    The seeds' "adaptive" architectures ("ResNet and Inception adjust to the complexity
    needed"): the block learns a correction `F(x)` added to its input, so a block that
    is not needed can stay near the identity and depth costs little. Layout (the
    "basic block" of He et al.): conv3×3(strides) → norm → act → conv3×3 → norm, plus
    the shortcut, then the activation. The shortcut is the identity when shape and
    width are unchanged, else a 1×1 conv (with the same strides) and a norm.

    Args:
        x: input tensor `(batch, H, W, C)`.
        filters: int > 0, the output channels.
        strides: int, 1 or 2 (2 halves the map with `same` padding: `ceil(H / 2)`).
        name: str, prefix of the layer names (`{name}_conv1`, `{name}_conv2`,
            `{name}_shortcut`, `{name}_add`, `{name}_out`).
        **conv_kwargs: passed to `apply_conv_norm_act` (norm, activation,
            kernel_initializer, kernel_regularizer, kernel_constraint).

    Returns:
        The output tensor.

    Example:

    >>> y = apply_residual_block(keras.Input((32, 32, 16)), 32, strides=2, name="stage2_block1")

    Reference:
        He et al., "Deep Residual Learning for Image Recognition", CVPR 2016
        (https://arxiv.org/abs/1512.03385).
    """
    if strides not in (1, 2):
        raise ValueError(f"Argument `strides` must be 1 or 2. Received: strides={strides!r}")
    activation = conv_kwargs.pop("activation", "relu")
    y = apply_conv_norm_act(x, filters, 3, strides=strides, activation=activation,
                            name=f"{name}_conv1", **conv_kwargs)
    y = apply_conv_norm_act(y, filters, 3, activation=None, name=f"{name}_conv2", **conv_kwargs)
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = apply_conv_norm_act(x, filters, 1, strides=strides, activation=None,
                                       name=f"{name}_shortcut", **conv_kwargs)
    y = keras.layers.Add(name=f"{name}_add")([y, shortcut])
    if activation is not None:
        y = activations_lib.layer(activation, name=f"{name}_out_{part_name(activation)}")(y)
    return y
