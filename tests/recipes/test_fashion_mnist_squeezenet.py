import numpy as np
import pytest

import kerasrecipes as kr


def test_registered_with_its_defaults():
    assert "fashion_mnist_squeezenet" in kr.recipes.names("fashion_mnist_*")
    config = kr.recipes.config("fashion_mnist_squeezenet")
    assert config.model == "fashion_squeezenet" and config.width == 0.5
    # Batch norm, he_normal and dropout 0.3 are the preset's: the recipe leaves them None.
    assert config.norm is None and config.dropout is None and config.epochs == 4
    # The VGG recipe keeps its own defaults.
    assert kr.recipes.config("fashion_mnist_vgg").model == "fashion_vgg_lean"
    assert kr.recipes.config("fashion_mnist_vgg").tta == "flip_shift"


def expected_parameters():
    """Counted from the architecture, not copied from the code's output: SqueezeNet v1.1
    (Iandola et al.; the reference repository's v1.1 table) at half width on 28x28x1
    images, a 3x3 conv1, every conv but conv10 followed by batch norm (so no bias; 4
    values per channel: gamma, beta, moving mean and variance), conv10 1x1 with bias."""
    def conv_bn(inputs, filters, kernel):
        return kernel * kernel * inputs * filters + 4 * filters

    fires = [(16, 64, 64)] * 2 + [(32, 128, 128)] * 2 + [(48, 192, 192)] * 2 + [(64, 256, 256)] * 2
    total, channels = conv_bn(1, 64 // 2, 3), 64 // 2
    for squeeze, expand1, expand3 in fires:
        squeeze, expand1, expand3 = squeeze // 2, expand1 // 2, expand3 // 2
        total += (conv_bn(channels, squeeze, 1) + conv_bn(squeeze, expand1, 1)
                  + conv_bn(squeeze, expand3, 3))
        channels = expand1 + expand3
    return total + channels * 10 + 10


@pytest.mark.slow
def test_builds_a_squeezenet_that_trains_on_raw_pixels(fashion_mnist):
    # 1 % validation (600 images), not the default 10 % (6,000): the tests need no more.
    recipe = kr.recipes.get("fashion_mnist_squeezenet")(epochs=1, train_samples=512, batch_size=64,
                                                        validation_split=0.01)
    model = recipe.model
    assert model.name == "fashion_squeezenet"
    assert model.get_layer("fire9_expand3x3_conv").filters == 128  # 256 at half width
    assert model.get_layer("conv10_conv").filters == 10
    assert model.count_params() == expected_parameters() == 188_202
    history = recipe.fit(verbose=0)
    assert np.isfinite(history.history["loss"][0])
    (_, _), (x_test, _) = fashion_mnist
    probabilities = model.predict(x_test[:64], verbose=0)
    np.testing.assert_allclose(probabilities.sum(-1), 1.0, rtol=1e-5)
