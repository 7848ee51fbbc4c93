import keras
import numpy as np
import pytest

from kerasrecipes import constraints
from tests.layer_test_utils import run_layer_test


def test_max_norm_caps_each_unit_of_a_conv_kernel():
    w = np.random.default_rng(0).normal(size=(3, 3, 8, 5)).astype("float32") * 3.0
    capped = keras.ops.convert_to_numpy(constraints.get("max_norm:2")(w))
    norms = np.sqrt((capped ** 2).sum(axis=(0, 1, 2)))
    np.testing.assert_allclose(norms, 2.0, rtol=1e-5)  # every unit was above 2
    small = w * 0.01
    np.testing.assert_allclose(keras.ops.convert_to_numpy(constraints.get("max_norm:2")(small)),
                               small, rtol=1e-5)  # under the bound: unchanged


def test_names_and_keras_parts():
    assert constraints.get("max_norm").max_value == 3.0
    assert isinstance(constraints.get("non_neg"), keras.constraints.NonNeg)
    assert isinstance(constraints.get("unit_norm"), keras.constraints.UnitNorm)
    assert constraints.get(None) is None
    config = keras.constraints.serialize(constraints.UnitMaxNorm(4.0))
    assert constraints.get(config).max_value == 4.0


def test_a_model_with_the_constraint_round_trips(tmp_path):
    model = run_layer_test(
        keras.layers.Conv2D,
        dict(filters=4, kernel_size=3, padding="same", kernel_constraint=constraints.get("max_norm:0.5")),
        (6, 6, 2), (6, 6, 4), tmp_path, expected_num_trainable_weights=2,
    )
    kernel = model.layers[2].kernel.numpy()
    assert np.sqrt((kernel ** 2).sum(axis=(0, 1, 2))).max() <= 0.5 + 1e-5


@pytest.mark.parametrize(
    "identifier, message",
    [
        ("max_nrm:3", r"Argument `constraint` must be one of .*Did you mean 'max_norm'"),
        ("max_norm:0", r"bound of constraint 'max_norm' must be > 0"),
        ("non_neg:1", r"Argument `constraint` must be one of"),
    ],
)
def test_bad_identifiers_raise(identifier, message):
    with pytest.raises(ValueError, match=message):
        constraints.get(identifier)


def test_bad_max_value_raises():
    with pytest.raises(ValueError, match=r"`max_value` must be > 0. Received: max_value=-1"):
        constraints.UnitMaxNorm(-1)
