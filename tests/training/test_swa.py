import keras
import numpy as np
import pytest

from kerasrecipes.training.swa import StochasticWeightAveraging
from kerasrecipes.training.swa import update_batch_norm


class Snapshots(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append([w.copy() for w in self.model.get_weights()])


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 3.0, (n, 4)).astype("float32")
    return x, (x[:, 0] > 2).astype("int64")


def test_swa_weights_are_the_mean_of_the_last_epochs_snapshots():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy")
    x, y = data()
    snapshots, swa = Snapshots(), StochasticWeightAveraging(epochs=3)
    model.fit(x, y, batch_size=16, epochs=5, callbacks=[swa, snapshots], verbose=0)
    assert swa.averaged == 3
    for got, *last in zip(model.get_weights(), *snapshots.weights[-3:]):
        np.testing.assert_allclose(got, np.mean(last, axis=0), rtol=1e-5, atol=1e-7)
    assert not np.allclose(model.get_weights()[0], snapshots.weights[-1][0])


def test_batch_norm_statistics_are_re_estimated_on_the_data():
    model = keras.Sequential([keras.Input((4,)), keras.layers.BatchNormalization(momentum=0.99),
                              keras.layers.Dense(2, activation="softmax")])
    x, _ = data(96)
    batches = [x[i:i + 32] for i in range(0, 96, 32)]
    assert update_batch_norm(model, batches) == 3
    norm = model.layers[0]
    np.testing.assert_allclose(norm.moving_mean.numpy(), x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(norm.moving_variance.numpy(), np.mean([b.var(0) for b in batches], 0),
                               rtol=1e-4)
    assert norm.momentum == 0.99  # restored
    assert update_batch_norm(model, [(b, None) for b in batches], batches=1) == 1
    np.testing.assert_allclose(norm.moving_mean.numpy(), batches[0].mean(0), rtol=1e-5)


def test_swa_callback_re_estimates_batch_norm_after_averaging():
    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4),
                              keras.layers.BatchNormalization(), keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy")
    x, y = data()
    swa = StochasticWeightAveraging(epochs=2, data=[(x, y)])
    model.fit(x, y, batch_size=16, epochs=3, callbacks=[swa], verbose=0)
    hidden = x @ model.layers[0].kernel.numpy() + model.layers[0].bias.numpy()
    np.testing.assert_allclose(model.layers[1].moving_mean.numpy(), hidden.mean(0), rtol=1e-4, atol=1e-5)


def test_bad_arguments_and_short_runs():
    with pytest.raises(ValueError, match=r"Argument `epochs` must be an integer >= 1. Received: epochs=0"):
        StochasticWeightAveraging(epochs=0)
    with pytest.raises(ValueError, match=r"Argument `batches` must be None or an integer >= 1"):
        StochasticWeightAveraging(batches=0)
    with pytest.raises(ValueError, match=r"Argument `data` must yield at least one batch"):
        update_batch_norm(keras.Sequential([keras.Input((2,)), keras.layers.BatchNormalization()]), [])
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.warns(UserWarning, match=r"averages the last 5 epochs but fit runs 2"):
        model.fit(*data(), epochs=2, callbacks=[StochasticWeightAveraging(epochs=5)], verbose=0)
