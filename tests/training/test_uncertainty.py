"""MC-dropout: predictions with dropout on, batch norm off, the original model untouched."""

import keras
import numpy as np
import pytest

import kerasrecipes as kr
from kerasrecipes.layers.mc_dropout import MCDropout
from kerasrecipes.training import predict_mc_dropout
from tests import benchmark_modules
from tests.layer_test_utils import run_layer_test


def dropout_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,))
    x = keras.layers.Dense(32, activation="relu", name="hidden")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Dropout(0.5, name="drop")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs)


def test_mean_and_spread_of_dropout_passes_leave_the_model_alone():
    model = dropout_model()
    x = np.random.default_rng(0).normal(size=(40, 6)).astype("float32")
    before = [w.copy() for w in model.get_weights()]
    deterministic = model.predict(x, verbose=0)
    keras.utils.set_random_seed(1)
    mean, spread = predict_mc_dropout(model, x, samples=20)
    assert mean.shape == spread.shape == (40, 3)
    np.testing.assert_allclose(mean.sum(-1), 1.0, rtol=1e-5)
    assert spread.min() >= 0 and spread.mean() > 0.01  # the passes differ
    # The mean over dropout passes is close to (not equal to) the deterministic output.
    assert np.abs(mean - deterministic).mean() < 0.1
    assert not np.allclose(mean, deterministic, atol=1e-4)
    # Batch norm's moving statistics and every weight are unchanged.
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    np.testing.assert_array_equal(model.predict(x, verbose=0), deterministic)


def test_spread_is_zero_without_dropout_rate_and_bad_arguments_fail():
    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Dropout(0.0)(inputs))
    x = np.ones((5, 4), "float32")
    mean, spread = predict_mc_dropout(keras.Model(inputs, outputs), x, samples=3)
    np.testing.assert_allclose(spread, 0.0, atol=1e-7)
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"`model` must contain a dropout layer"):
        predict_mc_dropout(plain, x)
    with pytest.raises(ValueError, match=r"`samples` must be an integer >= 2. Received: samples=1"):
        predict_mc_dropout(dropout_model(), np.ones((2, 6), "float32"), samples=1)
    with pytest.raises(TypeError, match=r"Argument `layer` must be a Keras dropout layer"):
        MCDropout(keras.layers.Dense(2))


def test_mc_dropout_layer_contract(tmp_path):
    # Always dropping: its output differs between two calls even at inference.
    layer = MCDropout(keras.layers.Dropout(0.5, seed=1))
    x = np.ones((4, 8), "float32")
    assert not np.array_equal(np.asarray(layer(x, training=False)), np.asarray(layer(x)))
    run_layer_test(MCDropout, dict(layer=keras.layers.serialize(keras.layers.Dropout(0.0))),
                   (4, 4, 2), (4, 4, 2), tmp_path, expected_num_trainable_weights=0)


def _benchmark_module():
    return benchmark_modules.load("benchmarks/mc_dropout.py")


@pytest.mark.slow
def test_spread_is_larger_on_out_of_domain_digits_than_on_fashion_mnist():
    # A small dropout MLP trained briefly on 3,000 Fashion-MNIST images (~80 % test
    # accuracy), then 20 MC-dropout passes on 300 test images and on 300 scikit-learn
    # digits resized to 28×28 (benchmarks/mc_dropout.py does the same with the default
    # recipe's model). Stated margins: the digits' mean spread is over 1.3× the
    # garments' and separates them with ROC AUC over 0.7 (measured here: 1.60 and 0.78).
    from sklearn.metrics import roc_auc_score

    (x, y), (x_test, _) = kr.data.load("fashion_mnist")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((28, 28, 1)), keras.layers.Rescaling(1 / 255.0), keras.layers.Flatten(),
        keras.layers.Dense(256, activation="relu"), keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x[:3000].astype("float32"), y[:3000], epochs=5, batch_size=64, verbose=0)
    keras.utils.set_random_seed(0)
    spreads = {}
    for name, images in (("fashion", x_test[:300].astype("float32")),
                         ("digits", _benchmark_module().digits_28(300))):
        mean, std = predict_mc_dropout(model, images, samples=20)
        spreads[name] = std[np.arange(len(mean)), mean.argmax(-1)]
    ratio = spreads["digits"].mean() / spreads["fashion"].mean()
    auc = roc_auc_score(np.r_[np.zeros(300), np.ones(300)],
                        np.r_[spreads["fashion"], spreads["digits"]])
    assert ratio > 1.3, (ratio, auc)
    assert auc > 0.7, (ratio, auc)
