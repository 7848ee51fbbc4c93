import keras
import numpy as np
import pytest

from kerasrecipes.layers.views import ImageView
from kerasrecipes.training.tta import shift_image
from tests.layer_test_utils import run_layer_test


def images():
    return np.random.default_rng(0).integers(0, 256, (2, 5, 6, 3)).astype("float32")


@pytest.mark.parametrize("flip, shift", [(True, (0, 0)), (False, (1, 0)), (False, (0, -2)),
                                         (True, (-1, 2)), (False, (0, 0))])
def test_view_equals_the_numpy_mirror_then_zero_filled_shift(flip, shift):
    x = images()
    expected = shift_image(x[:, :, ::-1] if flip else x, *shift)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(ImageView(flip=flip, shift=shift)(x)), expected)


def test_view_is_the_same_in_training_and_inference():
    x, layer = images(), ImageView(flip=True, shift=(1, 1))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=True)),
                                  keras.ops.convert_to_numpy(layer(x, training=False)))


@pytest.mark.parametrize("kwargs, message", [
    (dict(flip=1), r"Argument `flip` must be True or False. Received: flip=1"),
    (dict(shift=1), r"Argument `shift` must be a pair of integers \(dy, dx\). Received: shift=1"),
    (dict(shift=(1.5, 0)), r"Received: shift=\(1.5, 0\)"),
])
def test_bad_arguments_name_the_argument_and_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ImageView(**kwargs)


def test_shift_as_large_as_the_image_is_refused():
    with pytest.raises(ValueError, match=r"less than its size. Received: dx=6"):
        ImageView(shift=(0, 6))(images())
    with pytest.raises(ValueError, match=r"batch of images \(batch, H, W, C\)"):
        ImageView(flip=True)(np.zeros((2, 5), "float32"))


def test_layer_test(tmp_path):
    run_layer_test(ImageView, dict(flip=True, shift=(1, -1)), (6, 6, 2), (6, 6, 2), tmp_path,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)
