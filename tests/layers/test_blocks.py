import keras
import numpy as np
import pytest

from kerasrecipes.layers import blocks


def layer_types(model):
    return [type(layer).__name__ for layer in model.layers[1:]]


def test_conv_norm_act_order_and_bias():
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, blocks.apply_conv_norm_act(inputs, 4, norm="batch", name="b1"))
    assert layer_types(model) == ["Conv2D", "FusedBatchNormalization", "ReLU"]
    assert not model.get_layer("b1_conv").use_bias  # the norm's offset replaces it
    assert [layer.name for layer in model.layers[1:]] == ["b1_conv", "b1_batch", "b1_relu"]
    plain = keras.Model(inputs, blocks.apply_conv_norm_act(inputs, 4, norm=None, name="b2"))
    assert plain.get_layer("b2_conv").use_bias and layer_types(plain) == ["Conv2D", "ReLU"]
    lrn = keras.Model(inputs, blocks.apply_conv_norm_act(inputs, 4, norm="lrn", name="b3"))
    assert lrn.get_layer("b3_conv").use_bias  # LRN has no offset of its own


def test_biases_start_at_zero_and_parts_by_name():
    inputs = keras.Input((8, 8, 3))
    y = blocks.apply_conv_norm_act(inputs, 4, norm=None, activation="leaky_relu:0.2",
                                   kernel_initializer="small_random:0.5",
                                   kernel_regularizer="l2:1e-3", kernel_constraint="max_norm:2",
                                   dropout=0.25, name="b")
    model = keras.Model(inputs, y)
    conv = model.get_layer("b_conv")
    assert not conv.bias.numpy().any()
    assert conv.kernel_constraint.max_value == 2.0
    assert model.get_layer("b_leaky_relu").negative_slope == pytest.approx(0.2)
    assert model.get_layer("b_dropout").rate == 0.25
    assert type(model.get_layer("b_dropout")).__name__ == "SpatialDropout2D"
    assert len(model.losses) == 1


def test_projection_is_a_1x1_conv():
    inputs = keras.Input((8, 8, 6))
    model = keras.Model(inputs, blocks.apply_projection(inputs, 3, norm=None, activation=None,
                                                        name="proj"))
    assert model.get_layer("proj_conv").kernel_size == (1, 1)
    assert model.count_params() == 6 * 3 + 3 and model.output_shape == (None, 8, 8, 3)


def stage_model(activation_after_pool, activation, norm):
    inputs = keras.Input((12, 12, 2))
    y = blocks.apply_vgg_stage(inputs, [5, 6], activation_after_pool=activation_after_pool,
                               activation=activation, norm=norm, name="s")
    return keras.Model(inputs, y)


def activation_values(model):
    # Values that pass through each norm and activation layer, per image.
    return sum(int(np.prod(layer.input.shape[1:])) for layer in model.layers
               if not type(layer).__name__.startswith(("Conv", "MaxPool", "Input")))


@pytest.mark.parametrize("activation, norm", [("relu", None), ("leaky_relu:0.1", None),
                                              ("prelu", None), ("elu", "batch"), ("relu", "batch")])
def test_activation_after_pool_is_equal_and_touches_4x_fewer_values(activation, norm):
    before = stage_model(False, activation, norm)
    after = stage_model(True, activation, norm)
    after.set_weights(before.get_weights())
    x = np.random.default_rng(0).normal(size=(3, 12, 12, 2)).astype("float32")
    np.testing.assert_allclose(after.predict(x, verbose=0), before.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    # conv1's act runs on 12×12×5 either way; conv2's norm and act on 12×12×6 or 6×6×6.
    per_layer = 2 if norm else 1
    assert activation_values(before) == per_layer * (12 * 12 * 5 + 12 * 12 * 6)
    assert activation_values(after) == per_layer * (12 * 12 * 5 + 6 * 6 * 6)
    saved = activation_values(before) - activation_values(after)
    assert saved == per_layer * 3 * 6 * 6 * 6  # 3/4 of the last conv's map


def test_vgg_stage_names_and_shape():
    model = stage_model(False, "relu", "batch")
    assert model.output_shape == (None, 6, 6, 6)
    assert [layer.name for layer in model.layers if "conv" in layer.name and "_conv" == layer.name[-5:]] == [
        "s_conv1_conv", "s_conv2_conv"]
    assert model.layers[-1].name == "s_pool"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(filters=0), r"`filters` must be a positive integer. Received: filters=0"),
        (dict(filters=4, dropout=-0.1), r"`dropout` must be in \[0, 1\). Received: dropout=-0.1"),
        (dict(filters=4, activation="rlu"), r"`activation` must be one of"),
        (dict(filters=4, norm="bn"), r"`norm` must be one of"),
    ],
)
def test_bad_arguments_raise_at_build_time(kwargs, message):
    with pytest.raises(ValueError, match=message):
        blocks.apply_conv_norm_act(keras.Input((8, 8, 3)), **kwargs)
    with pytest.raises(ValueError, match=r"`filters` must list at least one width"):
        blocks.apply_vgg_stage(keras.Input((8, 8, 3)), [])
