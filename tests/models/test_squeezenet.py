import keras
import numpy as np
import pytest

from kerasrecipes import models
from kerasrecipes.models.squeezenet import squeezenet


def fire_sizes(model):
    return [(model.get_layer(f"fire{i}_squeeze1x1_conv").filters,
             model.get_layer(f"fire{i}_expand1x1_conv").filters,
             model.get_layer(f"fire{i}_expand3x3_conv").filters) for i in range(2, 10)]


REFERENCE_FIRES = [(16, 64, 64), (16, 64, 64), (32, 128, 128), (32, 128, 128),
                   (48, 192, 192), (48, 192, 192), (64, 256, 256), (64, 256, 256)]


def reference_parameters(conv1_filters, conv1_kernel, classes=1000, channels=3):
    # Count from the paper's table by hand: conv1, fire2..fire9, conv10, all with biases.
    total = conv1_kernel ** 2 * channels * conv1_filters + conv1_filters
    channels_in = conv1_filters
    for s, e1, e3 in REFERENCE_FIRES:
        total += channels_in * s + s + s * e1 + e1 + 9 * s * e3 + e3
        channels_in = e1 + e3
    return total + channels_in * classes + classes


@pytest.mark.parametrize(
    "version, params, conv1, maps",
    [
        ("1.0", 1_248_424, (96, 7), {"conv1_relu": 109, "pool1": 54, "fire4_concat": 54,
                                     "pool2": 27, "fire8_concat": 27, "pool3": 13, "conv10_relu": 13}),
        ("1.1", 1_235_496, (64, 3), {"conv1_relu": 111, "pool1": 55, "fire3_concat": 55,
                                     "pool2": 27, "fire5_concat": 27, "pool3": 13, "conv10_relu": 13}),
    ],
)
def test_defaults_are_the_reference_architecture(version, params, conv1, maps):
    model = squeezenet(version)
    assert model.count_params() == params == reference_parameters(*conv1)
    assert model.input_shape == (None, 224, 224, 3) and model.output_shape == (None, 1000)
    assert model.get_layer("conv1_conv").filters == conv1[0]
    assert model.get_layer("conv1_conv").kernel_size == (conv1[1],) * 2
    assert model.get_layer("conv1_conv").strides == (2, 2)
    assert fire_sizes(model) == REFERENCE_FIRES
    for name, size in maps.items():
        assert model.get_layer(name).output.shape[1:3] == (size, size), name
    assert model.get_layer("drop9").rate == 0.5
    assert model.get_layer("conv10_conv").kernel_size == (1, 1)
    assert model.get_layer("conv10_conv").kernel_initializer.scale == 0.01
    assert not any("batch" in layer.name for layer in model.layers)  # no norm
    assert [type(l).__name__ for l in model.layers[-2:]] == ["GlobalAveragePooling2D", "Activation"]
    assert model.get_layer("predictions").activation.__name__ == "softmax"


def test_pool_positions_follow_the_versions():
    def after_pools(model):
        return [model.layers[model.layers.index(model.get_layer(f"pool{i}")) + 1].name
                for i in (1, 2, 3)]
    assert after_pools(squeezenet("1.0")) == ["fire2_squeeze1x1_conv", "fire5_squeeze1x1_conv",
                                              "fire9_squeeze1x1_conv"]
    assert after_pools(squeezenet("1.1")) == ["fire2_squeeze1x1_conv", "fire4_squeeze1x1_conv",
                                              "fire6_squeeze1x1_conv"]


def test_bypasses_follow_the_paper():
    simple = squeezenet("1.0", bypass="simple")
    complex_ = squeezenet("1.0", bypass="complex")
    adds = [l.name for l in simple.layers if l.name.endswith("_bypass")]
    assert adds == ["fire3_bypass", "fire5_bypass", "fire7_bypass", "fire9_bypass"]
    assert simple.count_params() == 1_248_424  # identity bypasses add no parameters
    projections = sorted(l.name for l in complex_.layers if l.name.endswith("_bypass_proj_conv"))
    assert projections == ["fire2_bypass_proj_conv", "fire4_bypass_proj_conv",
                           "fire6_bypass_proj_conv", "fire8_bypass_proj_conv"]
    extra = (96 * 128 + 128) + (128 * 256 + 256) + (256 * 384 + 384) + (384 * 512 + 512)
    assert complex_.count_params() == 1_248_424 + extra


@pytest.mark.parametrize("size, maps", [(28, (28, 14, 7, 3)), (32, (32, 16, 8, 4))])
def test_small_stem_for_small_inputs(size, maps):
    model = squeezenet("1.1", input_shape=(size, size, 1), classes=10, stem="small", norm="batch")
    names = ["conv1_relu", "pool1", "pool2", "pool3"]
    assert [model.get_layer(n).output.shape[1] for n in names] == list(maps)
    assert model.get_layer("conv1_conv").strides == (1, 1)
    assert model.output_shape == (None, 10)
    x = np.random.default_rng(0).integers(0, 256, (2, size, size, 1)).astype("float32")
    probabilities = model.predict(x, verbose=0)
    np.testing.assert_allclose(probabilities.sum(-1), 1.0, rtol=1e-5)


def test_norm_width_activation_and_include_top():
    model = squeezenet("1.0", input_shape=(32, 32, 3), classes=7, stem="small", width=0.5,
                       norm="batch", activation="prelu", include_top=False)
    assert fire_sizes(model)[0] == (8, 32, 32)
    assert model.output_shape == (None, 4, 4, 256)
    assert not model.get_layer("fire2_squeeze1x1_conv").use_bias
    assert model.get_layer("fire2_squeeze1x1_prelu") is not None


def test_recipe_keyword_arguments_are_accepted():
    # The recipe builder passes these to every model.
    model = models.get("fashion_squeezenet", input_shape=(28, 28, 1), classes=10, width=0.25,
                       norm="group", activation="elu", kernel_initializer="calibrated",
                       kernel_regularizer="l2:1e-4", kernel_constraint="max_norm:3", dropout=0.2)
    assert model.name == "fashion_squeezenet"
    assert model.get_layer("drop9").rate == 0.2
    assert len(model.losses) == sum(1 for l in model.layers if type(l).__name__ == "Conv2D")


def test_trains_and_round_trips(tmp_path):
    model = models.get("fashion_squeezenet", width=0.25)
    x = np.random.default_rng(0).integers(0, 256, (32, 28, 28, 1)).astype("float32")
    y = np.arange(32) % 10
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    path = str(tmp_path / "squeezenet.keras")
    model.save(path)
    np.testing.assert_allclose(keras.saving.load_model(path).predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(version="2.0"), r"Argument `version` must be one of \['1.0', '1.1'\]. Received: version='2.0'"),
        (dict(stem="tiny"), r"`stem` must be one of \['imagenet', 'small'\]"),
        (dict(bypass="full"), r"`bypass` must be one of"),
        (dict(dropout=-0.5), r"`dropout` must be in \[0, 1\). Received: dropout=-0.5"),
        (dict(width=0), r"`width` must be > 0"),
        (dict(classes=0), r"`classes` must be an integer >= 1"),
        (dict(version="1.0", input_shape=(28, 28, 1)), r"`input_shape` is too small .*use stem='small'.*Received: input_shape=\(28, 28, 1\)"),
        (dict(input_shape=(4, 4, 1), stem="small"), r"`input_shape` is too small"),
        (dict(norm="btch"), r"Argument `norm` must be one of"),
        (dict(activation="relux"), r"Argument `activation` must be one of"),
        (dict(kernel_initializer="he"), r"Argument `initializer` must be one of"),
    ],
)
def test_bad_arguments_raise_at_build_time(kwargs, message):
    with pytest.raises(ValueError, match=message):
        squeezenet(**kwargs)
