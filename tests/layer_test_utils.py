"""A `run_layer_test` in the spirit of Keras' own (`keras/src/testing/test_case.py`).

For a layer class and its kwargs it checks: get_config → from_config round trip and
Keras (de)serialization; build and eager call (output shape, number of weights); the
symbolic call (output shape, `compute_output_shape`); a `tf.data`-fed `fit` step, also
with `jit_compile=True`; `.keras` save/load (safe mode, no custom objects) with
identical outputs; and the SavedModel export of `kerasrecipes.export` with identical
outputs, loaded by TensorFlow alone.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from kerasrecipes import export

BATCH = 8


def _images(input_shape, seed, count=2 * BATCH):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (count, *input_shape)).astype("uint8")


def _model(layer, input_shape, classes):
    # Raw uint8-range pixels in, class probabilities out: the shape export.save serves.
    inputs = keras.Input(input_shape, name="images")
    x = keras.layers.Rescaling(1.0 / 127.5, offset=-1.0, name="squeeze")(inputs)
    x = layer(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs)


def run_layer_test(
    layer_cls,
    init_kwargs,
    input_shape,
    expected_output_shape,
    tmp_path,
    expected_num_trainable_weights=None,
    expected_num_non_trainable_weights=None,
    classes=3,
    seed=0,
):
    """Runs the standard checks for `layer_cls(**init_kwargs)` on `(batch, *input_shape)`.

    Args:
        layer_cls: a Keras layer class.
        init_kwargs: dict of constructor arguments.
        input_shape: tuple `(H, W, C)` without the batch axis (images, so the model
            can be exported with `kerasrecipes.export`).
        expected_output_shape: tuple without the batch axis.
        tmp_path: a `pathlib.Path` to write models to.
        expected_num_trainable_weights: optional int.
        expected_num_non_trainable_weights: optional int.
        classes: int, classes of the small classifier around the layer.
        seed: int, seeds the data.

    Returns:
        The trained model (for more checks by the caller).
    """
    # Config round trip and Keras serialization.
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    assert layer_cls.from_config(config).get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is layer_cls and restored.get_config() == config

    # Eager call: builds the layer; shape and weights.
    x = _images(input_shape, seed).astype("float32") / 255.0
    y = layer(x)
    assert layer.built
    assert tuple(y.shape) == (len(x), *expected_output_shape)
    assert not np.isnan(keras.ops.convert_to_numpy(y)).any()
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights

    # Symbolic call and compute_output_shape.
    symbolic = layer_cls(**init_kwargs)(keras.Input(input_shape))
    assert tuple(symbolic.shape) == (None, *expected_output_shape)
    assert tuple(layer.compute_output_shape((None, *input_shape))) == (None, *expected_output_shape)

    # tf.data-fed fit, eager-graph and XLA.
    images = _images(input_shape, seed + 1)
    labels = np.arange(len(images)) % classes
    data = tf.data.Dataset.from_tensor_slices((images.astype("float32"), labels)).batch(BATCH)
    model = None
    for jit_compile in (False, True):
        model = _model(layer_cls(**init_kwargs), input_shape, classes)
        model.compile(optimizer=keras.optimizers.SGD(0.01),
                      loss="sparse_categorical_crossentropy", jit_compile=jit_compile)
        before = [w.copy() for w in model.get_weights()]
        history = model.fit(data, epochs=1, verbose=0, shuffle=False)
        assert np.isfinite(history.history["loss"][-1])
        moved = [not np.array_equal(a, b) for a, b in zip(before, model.get_weights())]
        assert any(moved), "a fit step changed no weight"

    expected = model.predict(images.astype("float32"), verbose=0)

    # .keras round trip: safe mode, no custom_objects (the classes are registered).
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(reloaded.predict(images.astype("float32"), verbose=0), expected,
                               rtol=1e-6, atol=1e-6)

    # SavedModel export, loaded by TensorFlow alone, takes the raw uint8 images.
    version = export.save(model, os.path.join(tmp_path, "saved_model"))
    serve = tf.saved_model.load(version).signatures["serving_default"]
    served = serve(images=tf.constant(images))["probabilities"].numpy()
    np.testing.assert_allclose(served, expected, rtol=1e-5, atol=1e-6)
    return model
