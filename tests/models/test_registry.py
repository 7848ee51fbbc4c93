"""A smoke test over every registered model preset (timm's test_models.py)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasrecipes import models

PRESETS = sorted(set(models.names()) - {"vgg", "squeezenet", "resnet"})


def small_kwargs(name):
    # ImageNet-sized presets run on 32×32 at a fraction of their width; the others as they are.
    _, kwargs = models.preset(name)
    if tuple(kwargs.get("input_shape", (224, 224, 3))) == (224, 224, 3):
        return dict(input_shape=(32, 32, 3), classes=5, width=0.125)
    return dict(width=0.5)


def test_registry_lists_builders_and_presets():
    assert {"vgg", "squeezenet", "vgg11", "vgg16_bn", "squeezenet_1_0", "squeezenet_1_1",
            "fashion_vgg_small", "fashion_squeezenet"} <= set(models.names())
    assert models.names("squeezenet_1_*") == ["squeezenet_1_0", "squeezenet_1_0_bypass",
                                              "squeezenet_1_0_complex_bypass",
                                              "squeezenet_1_1", "squeezenet_1_1_bn"]
    builder, kwargs = models.preset("fashion_squeezenet")
    assert builder == "squeezenet" and kwargs["input_shape"] == (28, 28, 1)
    assert models.get("squeezenet", version="1.0").count_params() == 1_248_424
    with pytest.raises(ValueError, match=r"Argument `model` must be one of .*Did you mean 'squeezenet_1_1'"):
        models.get("squeezenet_11")


@pytest.mark.parametrize("name", PRESETS)
def test_forward_is_finite_and_a_gradient_reaches_every_weight(name):
    keras.utils.set_random_seed(0)
    model = models.get(name, **small_kwargs(name))
    assert model.name == name
    batch = np.random.default_rng(0).integers(0, 256, (4, *model.input_shape[1:])).astype("float32")
    labels = np.arange(4) % model.output_shape[-1]
    with tf.GradientTape() as tape:
        probabilities = model(batch, training=True)
        loss = keras.losses.sparse_categorical_crossentropy(labels, probabilities)
    assert not np.isnan(probabilities.numpy()).any()
    np.testing.assert_allclose(probabilities.numpy().sum(-1), 1.0, rtol=1e-5)
    gradients = tape.gradient(loss, model.trainable_weights)
    dead = [w.path for w, g in zip(model.trainable_weights, gradients)
            if g is None or not np.any(g.numpy())]
    assert not dead, f"no gradient reaches {dead}"
