import warnings

import numpy as np
import pytest

from kerasrecipes import models


def test_vgg_warns_when_a_pooling_drops_a_row_and_names_the_fix():
    # 28 → 14 → 7 → (3: the 7×7 map loses its last row and column).
    with pytest.warns(UserWarning, match=r"vgg: the 2×2 pooling of stage 3 drops the last row "
                                         r"or column of its 7×7 map.*pad_to_multiple=8"):
        models.get("vgg", config="small", input_shape=(28, 28, 1), classes=10, head="gap")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        models.get("vgg", config="small", input_shape=(32, 32, 1), classes=10, head="gap")
        models.get("fashion_vgg_small")  # no pooling after the 7×7 stage: nothing dropped


def test_pad_to_multiple_pads_inside_the_model_and_silences_the_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = models.get("vgg", config="small", input_shape=(28, 28, 1), classes=10,
                           head="gap", pad_to_multiple=8)
    assert model.input_shape == (None, 28, 28, 1)  # the model still takes 28×28 images
    assert model.get_layer("pad").output.shape[1:3] == (32, 32)
    assert model.get_layer("block3_pool").output.shape[1:3] == (4, 4)
    image = np.full((1, 28, 28, 1), 255.0, "float32")
    padded = model.get_layer("pad")(image).numpy()[0, :, :, 0]
    # Two zero rows and columns on each side, the image in the middle.
    assert padded[:2].sum() == 0 and padded[-2:].sum() == 0 and padded[2:30, 2:30].min() == 255
    resnet = models.get("fashion_resnet", pad_to_multiple=8)
    assert resnet.get_layer("pad").output.shape[1:3] == (32, 32)
    with pytest.raises(ValueError, match=r"`pad_to_multiple` must be None or an integer >= 1. "
                                         r"Received: pad_to_multiple=0"):
        models.get("vgg", config="small", input_shape=(28, 28, 1), pad_to_multiple=0)


def test_pad_to_multiple_from_a_recipe_config_and_in_squeezenet(monkeypatch):
    import kerasrecipes as kr
    from kerasrecipes import data

    squeeze = models.get("fashion_squeezenet", pad_to_multiple=16)
    assert squeeze.get_layer("pad").output.shape[1:3] == (32, 32)
    recipe = kr.recipes.get("fashion_mnist_vgg")(train_samples=64, batch_size=32, width=0.25,
                                                 pad_to_multiple="8")  # a --set string
    assert recipe.config.pad_to_multiple == 8
    assert recipe.model.get_layer("pad").output.shape[1:3] == (32, 32)
    monkeypatch.setattr(data, "load", lambda *a, **k: pytest.fail("data loaded before validation"))
    with pytest.raises(ValueError, match=r"Key `pad_to_multiple` must be None or an integer >= 1. "
                                         r"Received: pad_to_multiple=0"):
        kr.recipes.get("fashion_mnist_vgg")(pad_to_multiple=0)
