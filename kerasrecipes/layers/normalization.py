"""Normalization layers by name: `"batch"`, `"layer"`, `"group"`, `"instance"`.

All come from Keras: instance norm is `GroupNormalization` with one group per channel,
layer norm normalises over (H, W, C) as in the Layer Norm paper for conv features.
"""

import keras

from kerasrecipes._names import unknown_name_error


def names():
    """Returns the sorted normalization names that `get()` accepts."""
    return ["batch", "group", "instance", "layer"]


def get(identifier, name=None, groups=8):
    """Returns a new normalization layer for `identifier`.

    Args:
        identifier: a name from `names()`, a layer config dict or a layer.
        name: optional str, the layer's name.
        groups: int, groups for `"group"` norm. Defaults to 8.

    Returns:
        A `keras.layers.Layer`.

    Raises:
        ValueError: unknown name, listing the known ones.
    """
    if isinstance(identifier, keras.layers.Layer):
        return identifier
    if isinstance(identifier, dict):
        return keras.layers.deserialize(identifier)
    if identifier == "batch":
        # momentum 0.9 (Keras' default is 0.99): the moving statistics then settle
        # within tens of steps, so short runs and small datasets evaluate sensibly.
        return keras.layers.BatchNormalization(momentum=0.9, name=name)
    if identifier == "layer":
        return keras.layers.LayerNormalization(axis=[-3, -2, -1], name=name)
    if identifier == "group":
        return keras.layers.GroupNormalization(groups=groups, name=name)
    if identifier == "instance":
        return keras.layers.GroupNormalization(groups=-1, name=name)
    raise unknown_name_error("norm", identifier, names())
