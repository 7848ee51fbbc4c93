import math

import keras
import numpy as np
import pytest

from kerasrecipes import initializers

# Fixed seeds, and sizes large enough that the tolerances below are > 5 standard errors
# of the estimates (std of a sample std ≈ std / sqrt(2N)).
SHAPE = (3, 3, 64, 128)  # fan_in = 576, N = 73,728
FAN_IN = 3 * 3 * 64


def draw(identifier, shape=SHAPE):
    init = initializers.get(identifier) if isinstance(identifier, str) else identifier
    return keras.ops.convert_to_numpy(init(shape, dtype="float32"))


@pytest.mark.parametrize("scale", [0.001, 0.01])
def test_small_random_normal_std_is_the_scale(scale):
    w = draw(initializers.SmallRandom(scale=scale, seed=1))
    assert abs(w.std() / scale - 1) < 0.02
    assert abs(w.mean()) < 0.02 * scale


def test_small_random_by_name_with_value_and_uniform():
    assert initializers.get("small_random").scale == 0.001
    assert initializers.get("small_random:0.05").scale == 0.05
    init = initializers.get("small_random_uniform:0.01")
    w = draw(init)
    assert init.distribution == "uniform"
    assert w.min() >= -0.01 and w.max() <= 0.01
    assert abs(w.std() / (0.01 / math.sqrt(3)) - 1) < 0.02


@pytest.mark.parametrize("identifier", ["calibrated", "calibrated_uniform"])
def test_calibrated_std_is_one_over_sqrt_fan_in(identifier):
    w = draw(identifier)
    assert abs(w.std() * math.sqrt(FAN_IN) - 1) < 0.02


@pytest.mark.parametrize("identifier", ["he_normal", "he_uniform"])
def test_he_std_is_sqrt_two_over_fan_in(identifier):
    w = draw(identifier)
    assert abs(w.std() / math.sqrt(2.0 / FAN_IN) - 1) < 0.03


def test_dense_fan_in_is_the_input_width():
    w = draw("calibrated", shape=(400, 300))
    assert abs(w.std() * math.sqrt(400) - 1) < 0.02


def test_xavier_is_glorot_and_zeros_is_all_zero():
    assert type(initializers.get("xavier")) is type(keras.initializers.get("glorot_uniform"))
    assert type(initializers.get("xavier_normal")) is keras.initializers.GlorotNormal
    assert not draw("zeros").any()


def test_seeded_draws_repeat_and_successive_calls_differ():
    a = initializers.SmallRandom(seed=3)
    b = initializers.SmallRandom(seed=3)
    first = draw(a, (64, 64))
    np.testing.assert_array_equal(first, draw(b, (64, 64)))
    assert not np.array_equal(first, draw(a, (64, 64)))  # the next layer gets new weights


def test_zeros_is_the_symmetry_trap():
    # Every hidden unit starts equal, gets the same gradient and stays equal.
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((5,)),
        keras.layers.Dense(4, activation="tanh", kernel_initializer=initializers.get("zeros")),
        keras.layers.Dense(3, kernel_initializer=initializers.get("zeros")),
    ])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    x = np.random.default_rng(0).normal(size=(32, 5)).astype("float32")
    y = np.random.default_rng(1).normal(size=(32, 3)).astype("float32")
    model.fit(x, y, epochs=3, verbose=0)
    hidden = model.layers[0].kernel.numpy()
    np.testing.assert_allclose(hidden, hidden[:, :1].repeat(4, axis=1), atol=1e-7)
    # The same net from small random numbers breaks the symmetry.
    model.layers[0].kernel.assign(draw("small_random:0.1", (5, 4)))
    model.fit(x, y, epochs=3, verbose=0)
    hidden = model.layers[0].kernel.numpy()
    assert np.abs(hidden - hidden[:, :1]).max() > 1e-3


def test_get_accepts_config_dict_class_and_instance():
    init = initializers.SmallRandom(scale=0.02, distribution="uniform", seed=7)
    assert initializers.get(init) is init
    config = keras.initializers.serialize(init)
    restored = initializers.get(config)
    assert isinstance(restored, initializers.SmallRandom)
    assert restored.get_config() == init.get_config()
    assert isinstance(initializers.get(initializers.Calibrated), initializers.Calibrated)
    assert initializers.get(None) is None


@pytest.mark.parametrize(
    "identifier, message",
    [
        ("he_norml", r"Argument `initializer` must be one of .*Did you mean 'he_normal'"),
        ("calibrated:2", r"Argument `initializer` must be one of"),
        ("small_random:abc", r"must be a number"),
        ("small_random:-1", r"Argument `scale` must be > 0. Received: scale=-1"),
        (3.5, r"Could not interpret initializer identifier"),
    ],
)
def test_bad_identifiers_raise(identifier, message):
    with pytest.raises(ValueError, match=message):
        initializers.get(identifier)


def test_bad_distribution_and_seed_raise():
    with pytest.raises(ValueError, match=r"`distribution` must be one of .*Received: distribution='cauchy'"):
        initializers.SmallRandom(distribution="cauchy")
    with pytest.raises(ValueError, match=r"`seed` must be None or an int"):
        initializers.Calibrated(seed="x")
