import keras
import numpy as np
import pytest

from kerasrecipes.layers import blocks
from kerasrecipes.layers import normalization
from kerasrecipes.layers.weight_norm import WeightNormalization
from tests.layer_test_utils import run_layer_test


def conv_config(filters=4):
    return keras.layers.serialize(keras.layers.Conv2D(filters, 3, padding="same"))


def test_kernel_is_g_times_unit_direction_and_starts_as_the_plain_layer():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 6, 3)).astype("float32")
    conv = keras.layers.Conv2D(5, 3, padding="same", activation="relu")
    plain = keras.ops.convert_to_numpy(conv(x))
    layer = WeightNormalization(conv)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), plain, rtol=1e-5, atol=1e-6)
    # Change g: each output unit's kernel has length |g_j|, its direction that of v.
    layer.g.assign(np.arange(1.0, 6.0, dtype="float32"))
    kernel = keras.ops.convert_to_numpy(layer.kernel())
    np.testing.assert_allclose(np.linalg.norm(kernel.reshape(-1, 5), axis=0), np.arange(1, 6),
                               rtol=1e-5)
    v = conv.kernel.numpy().reshape(-1, 5)
    np.testing.assert_allclose(kernel.reshape(-1, 5), v / np.linalg.norm(v, axis=0) * np.arange(1, 6),
                               rtol=1e-5)


def test_dense_wrapper_and_bad_arguments():
    dense = keras.layers.Dense(3)
    layer = WeightNormalization(dense)
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)),
                               keras.ops.convert_to_numpy(dense(x)), rtol=1e-5)
    assert [w.name for w in layer.trainable_weights] == ["g", "kernel", "bias"]
    with pytest.raises(TypeError, match=r"Argument `layer` must be a keras.layers.Dense"):
        WeightNormalization(keras.layers.ReLU())
    with pytest.raises(ValueError, match=r"Argument `epsilon` must be > 0. Received: epsilon=0"):
        WeightNormalization(keras.layers.Dense(2), epsilon=0)


def test_layer_contract(tmp_path):
    run_layer_test(WeightNormalization, dict(layer=conv_config(4), epsilon=1e-8), (6, 6, 2),
                   (6, 6, 4), tmp_path, expected_num_trainable_weights=3)


def test_norm_weight_in_blocks_wraps_the_conv_and_adds_no_norm_layer():
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, blocks.apply_conv_norm_act(inputs, 4, norm="weight", name="b"))
    assert [type(layer).__name__ for layer in model.layers[1:]] == ["WeightNormalization", "ReLU"]
    wrapped = model.get_layer("b_conv_weightnorm")
    assert wrapped.layer.use_bias  # no norm offset follows, so the conv keeps its bias
    # 3·3·3·4 kernel + 4 bias + 4 lengths.
    assert model.count_params() == 3 * 3 * 3 * 4 + 4 + 4
    with pytest.raises(ValueError, match=r"Norm 'weight' is not a layer placed after a conv"):
        normalization.get("weight")


def test_vgg_with_weight_norm_trains_and_reloads(tmp_path):
    from kerasrecipes import models

    model = models.get("vgg", config=[[4], [6]], input_shape=(8, 8, 1), classes=3,
                       norm="weight", head="dense", dense_units=(5,), dropout=0.0)
    wrapped = [layer.name for layer in model.layers if isinstance(layer, WeightNormalization)]
    assert wrapped == ["block1_conv1_conv_weightnorm", "block2_conv1_conv_weightnorm",
                       "fc1_weightnorm"]
    x = np.random.default_rng(1).uniform(0, 255, (6, 8, 8, 1)).astype("float32")
    path = str(tmp_path / "m.keras")
    model.save(path)
    np.testing.assert_allclose(keras.saving.load_model(path).predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
