import math

import keras
import numpy as np
import pytest

from kerasrecipes.layers.pooling import CeilMaxPooling2D
from tests.layer_test_utils import run_layer_test


def ceil_pool_reference(x, k=3, s=2):
    batch, h, w, c = x.shape
    oh, ow = math.ceil((h - k) / s) + 1, math.ceil((w - k) / s) + 1
    out = np.empty((batch, oh, ow, c), x.dtype)
    for i in range(oh):
        for j in range(ow):
            out[:, i, j] = x[:, i * s:i * s + k, j * s:j * s + k].max(axis=(1, 2))
    return out


@pytest.mark.parametrize("size, expected", [(109, 54), (54, 27), (27, 13), (111, 55), (28, 14), (7, 3), (6, 3)])
def test_caffe_output_sizes_and_values(size, expected):
    x = np.random.default_rng(size).normal(size=(2, size, size, 3)).astype("float32")
    layer = CeilMaxPooling2D(3, 2)
    y = keras.ops.convert_to_numpy(layer(x))
    assert y.shape == (2, expected, expected, 3)
    assert layer.compute_output_shape((None, size, size, 3)) == (None, expected, expected, 3)
    np.testing.assert_array_equal(y, ceil_pool_reference(x))


def test_equals_keras_valid_pooling_when_windows_fit():
    x = np.random.default_rng(0).normal(size=(1, 9, 9, 2)).astype("float32")
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(CeilMaxPooling2D(3, 2)(x)),
        keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(3, 2)(x)),
    )


def test_layer_test(tmp_path):
    run_layer_test(CeilMaxPooling2D, dict(pool_size=3, strides=2), (8, 8, 2), (4, 4, 2), tmp_path,
                   expected_num_trainable_weights=0)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match=r"`padding` of `CeilMaxPooling2D` must be 'valid'. Received: padding='same'"):
        CeilMaxPooling2D(3, 2, padding="same")
    with pytest.raises(ValueError, match=r"pools 3×3 windows but received a map of size 2"):
        CeilMaxPooling2D(3, 2)(np.zeros((1, 2, 2, 1), "float32"))
