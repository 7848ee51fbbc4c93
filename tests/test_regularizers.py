import keras
import numpy as np
import pytest

from kerasrecipes import initializers
from kerasrecipes import regularizers
from tests.layer_test_utils import run_layer_test


@pytest.mark.parametrize(
    "identifier, expected",
    [
        ("l2:5e-4", lambda w: 5e-4 * (w ** 2).sum()),
        ("l1:1e-3", lambda w: 1e-3 * np.abs(w).sum()),
        ("l1_l2:1e-3", lambda w: 1e-3 * (np.abs(w).sum() + (w ** 2).sum())),
        ("l2", lambda w: 0.01 * (w ** 2).sum()),
    ],
)
def test_penalty_values(identifier, expected):
    w = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    penalty = float(keras.ops.convert_to_numpy(regularizers.get(identifier)(w)))
    assert penalty == pytest.approx(float(expected(w)), rel=1e-5)


def test_get_passes_instances_configs_and_none():
    reg = keras.regularizers.L2(0.1)
    assert regularizers.get(reg) is reg
    assert regularizers.get(None) is None
    restored = regularizers.get(keras.regularizers.serialize(reg))
    assert restored.get_config() == reg.get_config()


def test_a_model_with_all_the_parts_round_trips(tmp_path):
    # An initializer, a regularizer and a constraint of ours on one conv.
    run_layer_test(
        keras.layers.Conv2D,
        dict(filters=4, kernel_size=3, kernel_initializer=initializers.SmallRandom(0.05, seed=1),
             kernel_regularizer=regularizers.get("l2:5e-4"),
             bias_initializer=initializers.Calibrated(seed=2)),
        (6, 6, 2), (4, 4, 4), tmp_path, expected_num_trainable_weights=2,
    )


@pytest.mark.parametrize(
    "identifier, message",
    [
        ("l22", r"Argument `regularizer` must be one of .*Did you mean .l2."),
        ("l2:-1e-4", r"strength of regularizer 'l2' must be >= 0"),
        ("l2:x", r"must be a number"),
    ],
)
def test_bad_identifiers_raise(identifier, message):
    with pytest.raises(ValueError, match=message):
        regularizers.get(identifier)
