"""A registered model behind the recipe's in-model preprocessing, adapted on the training split.

- `"squeeze"` (default): the builder's own `Rescaling` to [-1, 1], no statistics.
- `"standardize"`: zero mean, unit variance per channel (Keras' `Normalization`).
- `"zca"`: ZCA whitening of whole images (`kerasrecipes.layers.Whitening`).

The statistics are learned in one streaming pass over the training split only (never the
validation or test data) and are weights of the model, so an exported model still takes
raw 0..255 pixels.
"""

import keras
import numpy as np
import tensorflow as tf

from kerasrecipes import models
from kerasrecipes.layers import preprocessing as preprocessing_lib

PREPROCESSING = ("squeeze", "standardize", "zca")
# ZCA keeps a D×D projection (D = H·W·C) and a float64 covariance while adapting.
ZCA_MAX_FEATURES = 4096
_ADAPT_BATCH = 512


def check_preprocessing(preprocessing):
    """Raises a `ValueError` unless `preprocessing` is one of `PREPROCESSING`."""
    if preprocessing not in PREPROCESSING:
        raise ValueError(
            f"Key `preprocessing` must be one of {list(PREPROCESSING)}. "
            f"Received: preprocessing={preprocessing!r}"
        )


def _images(train):
    """Training images as float32 batches: a dataset for `adapt`, never one whole array."""
    if isinstance(train, tf.data.Dataset):
        images = train.map(lambda image, label: image)
    else:
        images = tf.data.Dataset.from_tensor_slices(train[0])
    return images.batch(_ADAPT_BATCH).map(lambda batch: tf.cast(batch, tf.float32))


def _adapted_layer(preprocessing, train, input_shape):
    features = int(np.prod(input_shape))
    if preprocessing == "zca":
        if features > ZCA_MAX_FEATURES:
            raise ValueError(
                f"Key `preprocessing` can be 'zca' only for images of at most "
                f"{ZCA_MAX_FEATURES} values (H·W·C): its projection is D×D. Received: "
                f"images of shape {tuple(input_shape)} ({features} values); set a smaller "
                f"`image_size` or use preprocessing='standardize'."
            )
        layer = preprocessing_lib.Whitening("zca", name="zca", dtype="float32")
    else:
        layer = preprocessing_lib.standardization("channel", name="standardize")
    layer.adapt(_images(train))
    return layer


def build_model(name, preprocessing, train, input_shape, classes, **options):
    """Builds the registered model `name` with `preprocessing` inside it.

    Args:
        name: str, a name from `kerasrecipes.models.names()`.
        preprocessing: one of `PREPROCESSING`.
        train: the training split, `(x, y)` arrays or a dataset of `(image, label)`;
            read once to adapt `"standardize"` and `"zca"`.
        input_shape: `(H, W, C)`.
        classes: int.
        **options: builder overrides (`width`, `norm`, ...); leave out what the
            preset should decide.

    Returns:
        A `keras.Model` taking raw pixels `(None, H, W, C)` named `images`.

    Example:

    >>> model = build_model("fashion_vgg_small", "zca", (x_train, y_train), (28, 28, 1), 10)
    """
    check_preprocessing(preprocessing)
    if preprocessing == "squeeze":
        return models.get(name, input_shape=tuple(input_shape), classes=classes, **options)
    body = models.get(name, input_shape=tuple(input_shape), classes=classes,
                      preprocessing=None, **options)
    layer = _adapted_layer(preprocessing, train, input_shape)
    inputs = keras.Input(shape=tuple(input_shape), name="images")
    return keras.Model(inputs, body(layer(inputs)), name=body.name)
