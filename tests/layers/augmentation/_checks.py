"""Shared checks for augmentation layers: config round trip and .keras save/load."""

import inspect

import keras
import numpy as np


def check_config_round_trip(layer):
    """Every __init__ argument is in get_config, and from_config rebuilds the same config."""
    config = layer.get_config()
    for name in inspect.signature(type(layer).__init__).parameters:
        if name not in ("self", "kwargs"):
            assert name in config, f"{type(layer).__name__}.get_config() lacks `{name}`"
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    return clone


def check_save_load(layer, images, tmp_path):
    """A model holding `layer` reloads (safe_mode, no custom_objects) and gives the same
    augmented output for the same seed, and the identity in inference."""
    inputs = keras.Input(images.shape[1:])
    model = keras.Model(inputs, layer(inputs))
    path = str(tmp_path / "layer.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    before = keras.ops.convert_to_numpy(model(images, training=True))
    after = keras.ops.convert_to_numpy(loaded(images, training=True))
    np.testing.assert_allclose(before, after, atol=1e-4)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(images, training=False)), images)
    return loaded
