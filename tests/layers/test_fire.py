import keras
import numpy as np
import pytest

from kerasrecipes.layers.fire import apply_fire_block


def fire_model(channels, bypass, norm=None, **kwargs):
    inputs = keras.Input((9, 9, channels))
    return keras.Model(inputs, apply_fire_block(inputs, 4, 6, 10, bypass=bypass, norm=norm,
                                                name="fire2", **kwargs))


def test_shapes_names_and_parameters():
    model = fire_model(12, None)
    assert model.output_shape == (None, 9, 9, 16)
    squeeze = 12 * 4 + 4
    expand = 4 * 6 + 6 + 3 * 3 * 4 * 10 + 10
    assert model.count_params() == squeeze + expand
    names = {layer.name for layer in model.layers}
    assert {"fire2_squeeze1x1_conv", "fire2_expand1x1_conv", "fire2_expand3x3_conv",
            "fire2_concat"} <= names
    assert model.get_layer("fire2_expand3x3_conv").kernel_size == (3, 3)


def test_concat_order_is_expand1x1_then_expand3x3():
    model = fire_model(12, None)
    x = np.random.default_rng(0).normal(size=(2, 9, 9, 12)).astype("float32")
    y = model.predict(x, verbose=0)
    left = keras.Model(model.input, model.get_layer("fire2_expand1x1_relu").output)
    np.testing.assert_allclose(y[..., :6], left.predict(x, verbose=0), rtol=1e-6)


def test_simple_bypass_adds_the_input():
    plain = fire_model(16, None)
    bypassed = fire_model(16, "simple")
    bypassed.set_weights(plain.get_weights())
    assert bypassed.count_params() == plain.count_params()
    x = np.random.default_rng(1).normal(size=(2, 9, 9, 16)).astype("float32")
    np.testing.assert_allclose(bypassed.predict(x, verbose=0),
                               plain.predict(x, verbose=0) + x, rtol=1e-5, atol=1e-6)


def test_complex_bypass_projects_with_a_1x1_conv():
    plain = fire_model(12, None)
    complex_ = fire_model(12, "complex")
    assert complex_.count_params() == plain.count_params() + 12 * 16 + 16
    assert complex_.get_layer("fire2_bypass_proj_conv").kernel_size == (1, 1)
    assert not any(l.name.startswith("fire2_bypass_proj_relu") for l in complex_.layers)


def test_norm_and_activation_pass_through():
    model = fire_model(12, None, norm="batch", activation="prelu")
    assert model.get_layer("fire2_squeeze1x1_batch") is not None
    assert model.get_layer("fire2_expand3x3_prelu") is not None


@pytest.mark.parametrize(
    "channels, kwargs, message",
    [
        (12, dict(bypass="simple"),
         r"`bypass` is 'simple' in Fire module 'fire2', which needs the input channels to equal "
         r"expand1x1 \+ expand3x3 = 16.*Received: bypass='simple' with 12 input channels"),
        (16, dict(bypass="dense"), r"`bypass` must be one of \[None, 'simple', 'complex'\]"),
    ],
)
def test_bad_arguments_raise(channels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fire_model(channels, **kwargs)


def test_bad_width_raises():
    with pytest.raises(ValueError, match=r"`squeeze` must be a positive integer. Received: squeeze=0"):
        apply_fire_block(keras.Input((9, 9, 4)), 0, 6, 10)
