"""Functional building blocks: conv-norm-act and the VGG stage.

Each `apply_*` helper takes a tensor and returns a tensor, naming every layer it adds
after `name` so that `model.summary()` reads like the paper's table.
"""

import keras

from kerasrecipes import activations as activations_lib
from kerasrecipes import initializers as initializers_lib
from kerasrecipes.layers import normalization as normalization_lib


def apply_conv_norm_act(
    x,
    filters,
    kernel_size=3,
    strides=1,
    norm="batch",
    activation="relu",
    kernel_initializer="he_normal",
    kernel_regularizer=None,
    kernel_constraint=None,
    pool_size=None,
    name="conv",
):
    """Applies conv → norm → activation, the order the seeds recommend.

    The norm sits after the conv and before the nonlinearity ("insert batch norm
    layers before non-linearities"), and the conv drops its bias when a norm
    follows (the norm's own offset makes it redundant). With `pool_size`, a max
    pooling is placed right after the conv, before the norm and the activation:
    for ReLU-family activations `act(pool(x)) == pool(act(x))`, but the norm and
    the activation then touch `pool_size**2` times fewer values ("don't use ReLU
    before max pooling, apply it after to save computation").

    Args:
        x: input tensor, `(batch, H, W, C)`.
        filters: int, output channels.
        kernel_size: int, defaults to 3 (the seeds' 3×3).
        strides: int, defaults to 1.
        norm: str or None, a name from `kerasrecipes.layers.normalization.names()`.
        activation: str, a name from `kerasrecipes.activations`.
        kernel_initializer: initializer name, config or instance.
        kernel_regularizer: optional regularizer name ("l2:5e-4"), config or instance.
        kernel_constraint: optional constraint name ("max_norm:3"), config or instance.
        pool_size: optional int; max-pool after the conv, before norm and activation.
        name: str, prefix of the layer names.

    Returns:
        The output tensor.
    """
    from kerasrecipes import constraints as constraints_lib
    from kerasrecipes import regularizers as regularizers_lib

    x = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding="same",
        use_bias=norm is None,
        kernel_initializer=initializers_lib.get(kernel_initializer),
        kernel_regularizer=regularizers_lib.get(kernel_regularizer),
        kernel_constraint=constraints_lib.get(kernel_constraint),
        name=f"{name}_conv",
    )(x)
    if pool_size:
        x = keras.layers.MaxPooling2D(pool_size, name=f"{name}_pool")(x)
    if norm is not None:
        x = normalization_lib.get(norm, name=f"{name}_{norm}")(x)
    return activations_lib.layer(activation, name=f"{name}_{activation_name(activation)}")(x)


def activation_name(activation):
    """A short name for an activation identifier, for layer names."""
    if isinstance(activation, str):
        return activation
    if isinstance(activation, dict):
        return activation.get("class_name", "act").lower()
    return getattr(activation, "name", type(activation).__name__.lower())


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
    """
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
