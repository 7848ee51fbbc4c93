"""Normalization layers by name: `"batch"`, `"layer"`, `"group"`, `"instance"`, `"lrn"`
(and `"weight"`, which wraps the conv or dense layer itself rather than following it).

Batch, layer, group and instance norm all come from Keras: instance norm is
`GroupNormalization` with one group per channel, layer norm normalises over
(H, W, C) for conv features as in the Layer Norm paper. Batch norm is Keras' layer with
TensorFlow's fused kernel in training where it applies (`FusedBatchNormalization`: Keras
3 computes it op by op, which made a small VGG's training step 1.2x to 1.9x slower on
CPUs). `"lrn"` is AlexNet's local response normalization (`LocalResponseNormalization`),
only so its cost can be compared ("avoid LRN, prefer max pooling").

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, batch_norm: bn_before vs bn_after): +0.29 ± 0.88 pt, within noise / depends (3 seeds).
Measured (tips.json, batch_norm: bn_before vs no_bn): +1.96 ± 1.11 pt, confirmed (3 seeds).
Measured (tips.json, batch_norm: bn_before vs no_bn_lr0.01): +5.50 ± 1.62 pt, confirmed (3 seeds).
"""

import math

import keras

from kerasrecipes._names import split_value
from kerasrecipes._names import unknown_name_error
from kerasrecipes.layers.batch_norm import FusedBatchNormalization
from kerasrecipes.layers.lrn import LocalResponseNormalization

_NAMES = ("batch", "group", "instance", "layer", "lrn")
# Not in `names()`: no layer follows the conv, the conv itself is wrapped.
WEIGHT = "weight"


def weight_normalized(layer, norm):
    """Returns `layer` wrapped in `WeightNormalization` when `norm` is `"weight"`, else `layer`.

    Blocks call this on their conv and dense layers: weight normalization (the seeds'
    alternative to batch norm) reparameterises the layer's kernel instead of adding a
    layer after it.
    """
    if norm != WEIGHT:
        return layer
    from kerasrecipes.layers.weight_norm import WeightNormalization

    return WeightNormalization(layer, name=f"{layer.name}_weightnorm")


def names():
    """Returns the sorted normalization names that `get()` accepts.

    Blocks and builders also take `norm="weight"` (`weight_normalized`).
    """
    return sorted(_NAMES)


def get(identifier, name=None, groups=8, channels=None, rank=4):
    """Returns a new normalization layer for `identifier`.

    Args:
        identifier: a name from `names()` (`"group:4"` sets the groups), a layer
            config dict or a layer (returned as is).
        name: optional str, the layer's name.
        groups: int, groups for `"group"` norm. Defaults to 8.
        channels: optional int, the channels to normalise; `"group"` then uses the
            largest divisor of `channels` that divides `groups` too, so width
            multipliers never break it.
        rank: int, the input rank: 4 for conv maps `(batch, H, W, C)`, 2 for dense
            features `(batch, C)`. For rank 2, `"layer"` normalises the features and
            `"instance"` (a single value per group there) falls back to layer norm.

    Returns:
        A `keras.layers.Layer`.

    Raises:
        ValueError: unknown name, listing the known ones.

    Example:

    >>> layer = get("batch", name="block1_conv1_batch")
    """
    if isinstance(identifier, keras.layers.Layer):
        return identifier
    if isinstance(identifier, dict):
        return keras.layers.deserialize(identifier)
    if not isinstance(identifier, str):
        raise unknown_name_error("norm", identifier, names())
    base, value = split_value(identifier)
    if base == WEIGHT:
        raise ValueError(
            "Norm 'weight' is not a layer placed after a conv: it reparameterises the conv "
            "or dense layer itself. Pass norm='weight' to a block or builder, or wrap the "
            f"layer in kerasrecipes.layers.WeightNormalization. Received: norm={identifier!r}"
        )
    if base == "group":
        groups = int(value) if value is not None else groups
        if groups < 1:
            raise ValueError(f"The groups of norm 'group' must be >= 1. Received: {identifier!r}")
        if channels is not None:
            groups = math.gcd(groups, int(channels))
        return keras.layers.GroupNormalization(groups=groups, name=name)
    if value is not None:
        raise unknown_name_error("norm", identifier, names())
    if base == "batch":
        # momentum 0.9 (Keras' default is 0.99): the moving statistics then settle
        # within tens of steps, so short runs and small datasets evaluate sensibly.
        return FusedBatchNormalization(momentum=0.9, name=name)
    if base == "layer" or (base == "instance" and rank == 2):
        axes = [-1] if rank == 2 else list(range(-(rank - 1), 0))
        return keras.layers.LayerNormalization(axis=axes, name=name)
    if base == "instance":
        return keras.layers.GroupNormalization(groups=-1, name=name)
    if base == "lrn":
        return LocalResponseNormalization(name=name)
    raise unknown_name_error("norm", identifier, names())
