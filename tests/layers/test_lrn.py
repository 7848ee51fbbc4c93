import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasrecipes.layers.lrn import LocalResponseNormalization
from tests.layer_test_utils import run_layer_test


@pytest.mark.parametrize("radius, bias, alpha, beta", [(2, 2.0, 1e-4, 0.75), (1, 1.0, 0.1, 0.5)])
def test_matches_tensorflow(radius, bias, alpha, beta):
    x = np.random.default_rng(0).normal(0, 3, size=(2, 4, 4, 11)).astype("float32")
    ours = keras.ops.convert_to_numpy(LocalResponseNormalization(radius, bias, alpha, beta)(x))
    reference = tf.nn.local_response_normalization(x, radius, bias, alpha, beta).numpy()
    np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-6)


def test_radius_zero_is_a_per_value_squash():
    x = np.array([[1.0, 2.0, 3.0]], "float32")
    y = keras.ops.convert_to_numpy(LocalResponseNormalization(0, 1.0, 1.0, 1.0)(x))
    np.testing.assert_allclose(y, x / (1 + x ** 2), rtol=1e-6)


def test_layer_test(tmp_path):
    run_layer_test(LocalResponseNormalization, dict(depth_radius=1, alpha=1e-3), (5, 5, 4),
                   (5, 5, 4), tmp_path, expected_num_trainable_weights=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(depth_radius=-1), r"`depth_radius` must be an integer >= 0. Received: depth_radius=-1"),
        (dict(bias=0), r"`bias` must be > 0"),
        (dict(beta=-1), r"`alpha` and `beta` must be >= 0"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LocalResponseNormalization(**kwargs)
