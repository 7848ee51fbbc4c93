import keras
import numpy as np
import pytest

from kerasrecipes import initializers
from kerasrecipes.training import statistics


def plain_relu_stack(initializer, depth=10, width=256, seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((width,))
    x = inputs
    for i in range(depth):
        x = keras.layers.Dense(width, activation="relu", kernel_initializer=initializers.get(initializer),
                               name=f"dense_{i + 1}")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs)


@pytest.fixture(scope="module")
def probe():
    rng = np.random.default_rng(0)
    return rng.normal(size=(128, 256)).astype("float32"), rng.integers(0, 10, 128)


def stds(model, x):
    stats = statistics.activation_statistics(model, x)
    return np.array([stats[f"dense_{i}"]["std"] for i in range(1, 11)])


def test_he_init_keeps_the_activation_std_about_constant(probe):
    x, _ = probe
    values = stds(plain_relu_stack("he_normal"), x)
    # ReLU of N(0, 2·q) keeps the second moment q, so the std stays put layer after layer.
    assert 0.5 < values[-1] / values[0] < 2.0
    assert np.all((values > 0.3) & (values < 1.5))


def test_small_random_init_collapses_the_activations(probe):
    x, _ = probe
    values = stds(plain_relu_stack("small_random"), x)
    # Each layer multiplies the scale by about 0.001·sqrt(256/2) ≈ 0.011.
    ratios = values[1:] / values[:-1]
    assert np.all((ratios > 0.005) & (ratios < 0.02))
    assert values[-1] < 1e-15
    problems = statistics.find_problems(statistics.activation_statistics(
        plain_relu_stack("small_random"), x), input_std=1.0)
    assert any("vanishing activations: layer 'dense_1'" in p for p in problems)
    assert any("vanishing activations: layer 'dense_10'" in p for p in problems)


def test_all_zero_init_makes_the_units_of_a_layer_identical(probe):
    x, _ = probe
    zero = statistics.activation_statistics(plain_relu_stack("zeros", depth=2), x)
    he = statistics.activation_statistics(plain_relu_stack("he_normal", depth=2), x)
    assert zero["dense_1"]["unit_spread"] == 0.0 and zero["dense_2"]["unit_spread"] == 0.0
    assert he["dense_1"]["unit_spread"] > 0.3
    problems = statistics.find_problems(zero)
    assert any(p.startswith("identical units: the 256 units of layer 'dense_1'") for p in problems)
    assert not any(p.startswith("identical units") for p in statistics.find_problems(he))


def test_dead_relu_fraction():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    outputs = keras.layers.Dense(4, activation="relu", bias_initializer="zeros", name="d")(inputs)
    model = keras.Model(inputs, outputs)
    kernel, bias = model.get_layer("d").get_weights()
    model.get_layer("d").set_weights([kernel, np.array([0.0, 0.0, -100.0, -100.0], "float32")])
    x = np.random.default_rng(0).uniform(-1, 1, (64, 8)).astype("float32")
    stats = statistics.activation_statistics(model, x)
    assert stats["d"]["dead_fraction"] == 0.5
    assert any("dead ReLUs: 50% of the units of layer 'd'" in p for p in statistics.find_problems(stats))


def test_gradient_norms_vanish_with_small_init_and_not_with_he(probe):
    x, y = probe
    he = statistics.gradient_norms(plain_relu_stack("he_normal"), x, y)
    small = statistics.gradient_norms(plain_relu_stack("small_random"), x, y)
    assert set(he) == {f"dense_{i}" for i in range(1, 11)} | {"predictions"}
    assert max(he.values()) / min(he.values()) < 100
    assert small["dense_1"] < 1e-12 * small["predictions"]
    problems = statistics.find_problems({}, small)
    assert any("vanishing gradients: layer 'dense_1'" in p for p in problems)
    assert not any("vanishing" in p for p in statistics.find_problems({}, he))


def test_layer_selection_and_unknown_layer(probe):
    x, _ = probe
    model = plain_relu_stack("he_normal", depth=2)
    assert list(statistics.activation_statistics(model, x, layers=["dense_2"])) == ["dense_2"]
    with pytest.raises(ValueError, match=r"`layers` must be one of .*Did you mean 'dense_2'"):
        statistics.activation_statistics(model, x, layers=["dense_22"])
