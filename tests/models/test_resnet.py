import warnings

import keras
import numpy as np
import pytest

from kerasrecipes import models
from kerasrecipes.layers import blocks
from kerasrecipes.models.resnet import resnet


def conv(cin, cout, k=3):
    return k * k * cin * cout


def bn(c):
    return 4 * c  # gamma, beta, moving mean, moving variance


def test_parameter_count_with_distinct_widths_per_stage():
    # Distinct widths and block counts per stage, so a dropped or repeated stage shows.
    model = resnet((4, 6, 10), (1, 2, 1), input_shape=(12, 12, 1), classes=3)
    expected = (
        conv(1, 4) + bn(4)                                                       # stem
        + 2 * (conv(4, 4) + bn(4))                                               # stage1 block1
        + conv(4, 6) + bn(6) + conv(6, 6) + bn(6) + conv(4, 6, 1) + bn(6)        # stage2 block1
        + 2 * (conv(6, 6) + bn(6))                                               # stage2 block2
        + conv(6, 10) + bn(10) + conv(10, 10) + bn(10) + conv(6, 10, 1) + bn(10)  # stage3 block1
        + 10 * 3 + 3                                                             # classifier
    )
    assert model.count_params() == expected
    names = [layer.name for layer in model.layers]
    assert "stage2_block1_shortcut_conv" in names and "stage3_block1_shortcut_conv" in names
    assert "stage1_block1_shortcut_conv" not in names  # identity: same width, stride 1
    assert "stage2_block2_shortcut_conv" not in names
    assert model.get_layer("stage3_block1_add").output.shape[1:] == (3, 3, 10)  # 12 → 6 → 3


def test_presets_for_28_and_32_pixel_inputs():
    fashion = models.get("fashion_resnet")
    cifar = models.get("cifar_resnet")
    assert fashion.input_shape == (None, 28, 28, 1) and cifar.input_shape == (None, 32, 32, 3)
    assert fashion.output_shape == (None, 10)
    assert fashion.get_layer("stage3_block2_add").output.shape[1:] == (7, 7, 64)
    assert cifar.get_layer("stage3_block2_add").output.shape[1:] == (8, 8, 64)
    # The recipe passes these keys to every builder.
    models.get("fashion_resnet", width=0.5, norm="weight", activation="prelu",
               kernel_initializer="he_normal", kernel_regularizer="l2:1e-4",
               kernel_constraint="max_norm:3", dropout=0.1)


def test_identity_block_adds_its_input():
    inputs = keras.Input((5, 5, 3))
    outputs = blocks.apply_residual_block(inputs, 3, norm=None, activation=None, name="r")
    model = keras.Model(inputs, outputs)
    for layer in model.layers:
        for weight in layer.weights:
            weight.assign(np.zeros(weight.shape, "float32"))
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 3)).astype("float32")
    # F(x) = 0 with zero weights: the block is exactly the identity.
    np.testing.assert_allclose(model.predict(x, verbose=0), x, atol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    (dict(stage_filters=(16, 32), stage_blocks=(2,)), r"same length. Received: stage_filters"),
    (dict(stage_filters=(16, 0), stage_blocks=(1, 1)), r"positive integers"),
    (dict(dropout=1.0), r"`dropout` must be in \[0, 1\)"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        resnet(**kwargs)
    with pytest.raises(ValueError, match=r"`strides` must be 1 or 2. Received: strides=3"):
        blocks.apply_residual_block(keras.Input((4, 4, 2)), 2, strides=3)
