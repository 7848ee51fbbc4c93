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
    assert kr.recipes.config("fashion_mnist_vgg").model == "fashion_vgg_small"


@pytest.mark.slow
def test_builds_a_squeezenet_that_trains_on_raw_pixels(fashion_mnist):
    recipe = kr.recipes.get("fashion_mnist_squeezenet")(epochs=1, train_samples=512, batch_size=64)
    model = recipe.model
    assert model.name == "fashion_squeezenet"
    assert model.get_layer("fire9_expand3x3_conv").filters == 128  # 256 at half width
    assert model.get_layer("conv10_conv").filters == 10
    assert model.count_params() == 188_202
    history = recipe.fit(verbose=0)
    assert np.isfinite(history.history["loss"][0])
    (_, _), (x_test, _) = fashion_mnist
    probabilities = model.predict(x_test[:64], verbose=0)
    np.testing.assert_allclose(probabilities.sum(-1), 1.0, rtol=1e-5)
