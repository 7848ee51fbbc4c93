import keras
import numpy as np
import pytest

from kerasrecipes.layers import normalization


def numpy(x):
    return keras.ops.convert_to_numpy(x)


X = np.random.default_rng(0).normal(2.0, 3.0, size=(4, 5, 5, 8)).astype("float32")


def test_layer_norm_normalises_each_sample_over_h_w_c():
    y = numpy(normalization.get("layer")(X))
    np.testing.assert_allclose(y.reshape(4, -1).mean(-1), 0, atol=1e-4)
    np.testing.assert_allclose(y.reshape(4, -1).std(-1), 1, atol=1e-2)


def test_instance_norm_normalises_each_channel_of_each_sample():
    y = numpy(normalization.get("instance")(X))
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(y.std(axis=(1, 2)), 1, atol=2e-2)


def test_batch_norm_normalises_over_the_batch_in_training():
    y = numpy(normalization.get("batch")(X, training=True))
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    assert normalization.get("batch").momentum == 0.9


def test_group_norm_groups_follow_the_channels():
    assert normalization.get("group").groups == 8
    assert normalization.get("group:4").groups == 4
    assert normalization.get("group", channels=12).groups == 4  # gcd(8, 12)
    y = numpy(normalization.get("group:2")(X))
    grouped = y.reshape(4, 25, 2, 4)
    np.testing.assert_allclose(grouped.mean(axis=(1, 3)), 0, atol=1e-4)


def test_dense_features_rank_2():
    x = X.reshape(4, -1)[:, :16]
    y = numpy(normalization.get("layer", rank=2)(x))
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-4)
    assert isinstance(normalization.get("instance", rank=2), keras.layers.LayerNormalization)


def test_lrn_and_names():
    assert isinstance(normalization.get("lrn"), normalization.LocalResponseNormalization)
    assert normalization.names() == ["batch", "group", "instance", "layer", "lrn"]
    for name in normalization.names():
        layer = normalization.get(name, name=f"n_{name}")
        assert layer.name == f"n_{name}" and numpy(layer(X)).shape == X.shape


def test_config_dict_and_instance():
    layer = keras.layers.BatchNormalization()
    assert normalization.get(layer) is layer
    restored = normalization.get(keras.layers.serialize(keras.layers.GroupNormalization(groups=2)))
    assert restored.groups == 2


@pytest.mark.parametrize(
    "identifier, message",
    [
        ("batchnorm", r"Argument `norm` must be one of .*Did you mean 'batch'"),
        ("group:0", r"groups of norm 'group' must be >= 1"),
        ("batch:3", r"Argument `norm` must be one of"),
        (7, r"Argument `norm` must be one of"),
    ],
)
def test_bad_identifiers_raise(identifier, message):
    with pytest.raises(ValueError, match=message):
        normalization.get(identifier)
