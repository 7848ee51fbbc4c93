import keras
import numpy as np
import pytest

from kerasrecipes import activations
from tests.layer_test_utils import run_layer_test


def numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_prelu_starts_at_0_1_per_channel_at_any_rank():
    for shape in [(4, 6), (2, 5, 5, 6)]:
        layer = activations.layer("prelu")
        x = -np.ones(shape, "float32")
        np.testing.assert_allclose(numpy(layer(x)), -0.1 * np.ones(shape), rtol=1e-6)
        assert tuple(layer.alpha.shape) == (6,)  # shared over every axis but the channels
    assert float(numpy(activations.layer("prelu:0.25")(-np.ones((1, 1), "float32")))[0, 0]) == -0.25


def test_prelu_learns_its_slope():
    # Target: slope 0.5 on negatives. PReLU must move from 0.1 towards it.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 3)).astype("float32")
    y = np.where(x >= 0, x, 0.5 * x)
    model = keras.Sequential([keras.Input((3,)), activations.layer("prelu")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    model.fit(x, y, epochs=20, batch_size=64, verbose=0)
    np.testing.assert_allclose(model.layers[0].alpha.numpy(), 0.5, atol=0.02)


def test_prelu_layer_test(tmp_path):
    run_layer_test(activations.PReLU, dict(initial_slope=0.2, alpha_constraint="non_neg"),
                   (6, 6, 3), (6, 6, 3), tmp_path, expected_num_trainable_weights=1)


def test_rrelu_training_slopes_lie_in_range_and_vary():
    layer = activations.RReLU(seed=1)
    x = -np.ones((64, 32), "float32")
    slopes = -numpy(layer(x, training=True))
    assert slopes.min() >= 1 / 8 and slopes.max() <= 1 / 3
    assert slopes.std() > 0.05  # U(1/8, 1/3) has std 0.060
    assert abs(slopes.mean() - (1 / 8 + 1 / 3) / 2) < 0.005  # 2048 draws: SE 0.0013
    again = -numpy(layer(x, training=True))
    assert not np.array_equal(slopes, again)  # fresh draws every call
    positive = np.abs(np.random.default_rng(0).normal(size=(8, 8))).astype("float32")
    np.testing.assert_array_equal(numpy(layer(positive, training=True)), positive)


def test_rrelu_inference_uses_the_fixed_mean_slope():
    layer = activations.RReLU(lower=0.1, upper=0.3, seed=1)
    x = np.linspace(-2, 2, 41, dtype="float32")[None]
    expected = np.where(x >= 0, x, 0.2 * x)
    np.testing.assert_allclose(numpy(layer(x)), expected, rtol=1e-6)
    np.testing.assert_array_equal(numpy(layer(x, training=False)), numpy(layer(x)))


def test_rrelu_seed_repeats_draws():
    x = -np.ones((4, 16), "float32")
    a = numpy(activations.RReLU(seed=5)(x, training=True))
    b = numpy(activations.RReLU(seed=5)(x, training=True))
    c = numpy(activations.RReLU(seed=6)(x, training=True))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_rrelu_layer_test(tmp_path):
    run_layer_test(activations.RReLU, dict(lower=0.1, upper=0.4, seed=2), (6, 6, 3), (6, 6, 3),
                   tmp_path, expected_num_trainable_weights=0)


@pytest.mark.parametrize("name", activations.names())
def test_every_name_gives_a_fresh_named_layer(name):
    first = activations.layer(name, name=f"act_{name}")
    second = activations.layer(name)
    assert isinstance(first, keras.layers.Layer) and first is not second
    assert first.name == f"act_{name}"
    y = numpy(first(np.linspace(-3, 3, 12, dtype="float32").reshape(2, 6)))
    assert y.shape == (2, 6) and np.isfinite(y).all()


def test_leaky_relu_value_and_config_dict():
    layer = activations.layer("leaky_relu:0.2")
    assert layer.negative_slope == pytest.approx(0.2)
    restored = activations.layer(keras.layers.serialize(activations.layer("prelu:0.3")))
    assert isinstance(restored, activations.PReLU) and restored.initial_slope == 0.3


@pytest.mark.parametrize(
    "identifier, error, message",
    [
        ("relux", ValueError, r"Argument `activation` must be one of .*Did you mean 'relu'"),
        ("relu:2", ValueError, r"Argument `activation` must be one of"),
        ("leaky_relu:-0.1", ValueError, r"slope of activation 'leaky_relu' must be >= 0"),
        (3, TypeError, r"Argument `activation` must be a name"),
    ],
)
def test_bad_identifiers_raise(identifier, error, message):
    with pytest.raises(error, match=message):
        activations.layer(identifier)


def test_rrelu_bad_bounds_raise():
    with pytest.raises(ValueError, match=r"0 <= lower <= upper. Received: lower=0.5, upper=0.2"):
        activations.RReLU(lower=0.5, upper=0.2)
