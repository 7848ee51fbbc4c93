import keras
import numpy as np
import pytest

from kerasrecipes import initializers
from kerasrecipes.training import callbacks
from kerasrecipes.training import schedules


def mlp(initializer, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((16,)),
        keras.layers.Dense(32, activation="relu", kernel_initializer=initializers.get(initializer),
                           name="hidden_1"),
        keras.layers.Dense(32, activation="relu", kernel_initializer=initializers.get(initializer),
                           name="hidden_2"),
        keras.layers.Dense(3, activation="softmax", kernel_initializer=initializers.get(initializer),
                           name="predictions"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    return model


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    x = (rng.normal(size=(300, 16)) + np.eye(3, 16)[y] * 3).astype("float32")
    return x, y


def test_zero_init_units_stay_identical_through_training(blobs):
    x, y = blobs
    stats = callbacks.ActivationStatistics(x[:64], y[:64])
    mlp("zeros").fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[stats])
    assert [r["epoch"] for r in stats.records] == [0, 1, 2, 3]
    for record in stats.records:
        assert record["activations"]["hidden_1"]["unit_spread"] == 0.0
        assert record["activations"]["hidden_2"]["unit_spread"] == 0.0
        assert any(p.startswith("identical units") for p in record["problems"])
    # Identical units get identical (here: zero) gradients, so nothing breaks the tie.
    assert stats.records[-1]["gradients"]["hidden_1"] == 0.0


def test_he_init_units_differ_and_gradients_flow(blobs):
    x, y = blobs
    stats = callbacks.ActivationStatistics(x[:64], y[:64], every=2)
    mlp("he_normal").fit(x, y, epochs=4, batch_size=32, verbose=0, callbacks=[stats])
    assert [r["epoch"] for r in stats.records] == [0, 2, 4]
    last = stats.records[-1]
    assert last["activations"]["hidden_1"]["unit_spread"] > 0.1
    assert all(0 < g < 100 for g in last["gradients"].values())
    assert not last["problems"]


def test_activation_statistics_config_round_trip(blobs):
    x, y = blobs
    stats = callbacks.ActivationStatistics(x[:4], y[:4], layers=["hidden_1"], every=3, ratio=50.0)
    config = stats.get_config()
    assert set(config) == {"x", "y", "layers", "every", "ratio", "verbose"}
    again = callbacks.ActivationStatistics.from_config(config)
    np.testing.assert_allclose(again.x, x[:4])
    assert (again.layers, again.every, again.ratio) == (["hidden_1"], 3, 50.0)
    revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(stats))
    assert isinstance(revived, callbacks.ActivationStatistics) and revived.every == 3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(every=0), r"`every` must be an integer >= 1. Received: every=0"),
        (dict(ratio=1.0), r"`ratio` must be > 1"),
        (dict(y=np.zeros(3)), r"`y` must have one target per probe input \(4\)"),
    ],
)
def test_activation_statistics_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        callbacks.ActivationStatistics(np.zeros((4, 16)), **kwargs)


def test_learning_rate_logger_reads_the_schedule_per_step(blobs):
    x, y = blobs
    model = mlp("he_normal")
    model.compile(optimizer=keras.optimizers.SGD(
        schedules.get("exponential", 0.1, steps_per_epoch=10, epochs=3)),
        loss="sparse_categorical_crossentropy")
    logger = callbacks.LearningRateLogger()
    history = model.fit(x, y, epochs=3, batch_size=30, verbose=0, callbacks=[logger])
    steps, rates = logger.rates()
    assert steps[0] == 0 and steps[-1] == 29 and len(steps) == 30
    np.testing.assert_allclose(rates, 0.1 * 0.98 ** (steps / 10), rtol=1e-5)
    # The logs get the LR after each epoch.
    assert history.history["learning_rate"] == pytest.approx([0.098, 0.09604, 0.0941192], rel=1e-5)


def test_learning_rate_logger_follows_plateau_drops(blobs):
    x, y = blobs
    model = mlp("he_normal")
    logger = callbacks.LearningRateLogger()
    # min_delta=100: no epoch after the first counts as progress, so the LR drops once
    # `patience` epochs have passed without it (after epoch 2).
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.2, patience=1,
                                                min_delta=100, min_lr=0)
    model.fit(x, y, epochs=3, batch_size=100, verbose=0, callbacks=[logger, plateau])
    steps, rates = logger.rates()
    assert list(steps) == list(range(9))
    np.testing.assert_allclose(rates, [0.1] * 6 + [0.02] * 3, rtol=1e-6)
    assert logger.get_config() == {"max_points": 500}
    revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(
        callbacks.LearningRateLogger(max_points=7)))
    assert isinstance(revived, callbacks.LearningRateLogger) and revived.max_points == 7


def test_learning_rate_logger_needs_a_run():
    with pytest.raises(ValueError, match="no record yet"):
        callbacks.LearningRateLogger().rates()
    with pytest.raises(ValueError, match=r"`max_points` must be an integer >= 2"):
        callbacks.LearningRateLogger(max_points=1)
