import keras
import numpy as np
import pytest

import kerasrecipes as kr
from kerasrecipes.models.folding import fold_batch_norm


def _randomize_batch_norms(model, seed=0, negative_gamma=()):
    """Gives every batch norm moving statistics and affine weights far from the defaults,
    so a fold that ignored any of them would change the outputs."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            channels = layer.moving_mean.shape[0]
            gamma = rng.uniform(0.5, 2.0, channels)
            if layer.name in negative_gamma:
                gamma[0] = -gamma[0]
            layer.gamma.assign(gamma)
            layer.beta.assign(rng.normal(0, 0.5, channels))
            layer.moving_mean.assign(rng.normal(0, 0.5, channels))
            layer.moving_variance.assign(rng.uniform(0.2, 3.0, channels))


def test_default_model_folds_every_batch_norm_with_the_same_outputs():
    keras.utils.set_random_seed(0)
    model = kr.models.get("fashion_vgg_small", width=0.25)
    _randomize_batch_norms(model)
    x = np.random.default_rng(1).uniform(0, 255, (8, 28, 28, 1)).astype("float32")
    folded = fold_batch_norm(model)
    # Two of the four conv ones sit behind the pool-before-ReLU max pool; the last is the
    # dense head's.
    assert folded.folded_batch_norms == ["block1_conv1_batch", "block2_conv1_batch",
                                         "block2_conv2_batch", "block3_conv1_batch",
                                         "fc1_batch"]
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in folded.layers)
    np.testing.assert_allclose(folded.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-5)
    assert folded.get_layer("block1_conv1_conv").use_bias
    assert model.get_layer("block1_conv1_conv").use_bias is False  # the original is untouched


def test_negative_scale_behind_a_max_pool_is_left_in_place():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", use_bias=False, name="conv_a")(inputs)
    x = keras.layers.MaxPooling2D(name="pool_a")(x)
    x = keras.layers.BatchNormalization(name="bn_a")(x)
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv_b")(x)
    x = keras.layers.MaxPooling2D(name="pool_b")(x)
    x = keras.layers.BatchNormalization(name="bn_b")(x)
    model = keras.Model(inputs, keras.layers.ReLU()(x))
    _randomize_batch_norms(model, negative_gamma=("bn_b",))
    folded = fold_batch_norm(model)
    assert folded.folded_batch_norms == ["bn_a"]
    assert isinstance(folded.get_layer("bn_b"), keras.layers.BatchNormalization)
    x = np.random.default_rng(0).normal(size=(4, 8, 8, 3)).astype("float32")
    np.testing.assert_allclose(folded(x), model(x), atol=1e-5)


def test_dense_sequential_and_a_shared_output_are_handled():
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, name="dense"),
                              keras.layers.BatchNormalization(name="bn"),
                              keras.layers.Dense(3, activation="relu", name="act_dense"),
                              keras.layers.BatchNormalization(name="bn_after_act")])
    _randomize_batch_norms(model)
    folded = fold_batch_norm(model)
    assert folded.folded_batch_norms == ["bn"]  # an activation in between: no fold
    x = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    np.testing.assert_allclose(folded(x), model(x), atol=1e-5)

    # The conv's output is also a model output: the batch norm stays.
    inputs = keras.Input((4, 4, 1))
    conv = keras.layers.Conv2D(2, 1, name="conv")(inputs)
    model = keras.Model(inputs, [conv, keras.layers.BatchNormalization(name="bn")(conv)])
    assert fold_batch_norm(model).folded_batch_norms == []


def test_folded_model_round_trips_through_keras_file(tmp_path):
    model = kr.models.get("fashion_vgg_small", width=0.25)
    _randomize_batch_norms(model)
    folded = fold_batch_norm(model)
    path = str(tmp_path / "folded.keras")
    folded.save(path)
    x = np.random.default_rng(0).uniform(0, 255, (4, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(kr.saving.load_model(path)(x), folded(x), atol=1e-6)


def test_subclassed_model_is_refused_by_name():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    net = Net()
    net(np.zeros((1, 3), "float32"))
    with pytest.raises(ValueError, match="subclassed.*Received: a Net"):
        fold_batch_norm(net)
    with pytest.raises(ValueError, match="Argument `model`"):
        fold_batch_norm("model.keras")
