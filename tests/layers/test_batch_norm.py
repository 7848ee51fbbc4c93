"""FusedBatchNormalization: Keras' batch norm, by TensorFlow's fused kernel in training."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasrecipes.layers import _fused_batch_norm_tf
from kerasrecipes.layers import normalization
from kerasrecipes.layers.batch_norm import FusedBatchNormalization
from tests.layer_test_utils import run_layer_test


def _pair(shape, **kwargs):
    """Keras' layer and ours, built on `shape` with the same non-trivial scale and offset."""
    layers = keras.layers.BatchNormalization(**kwargs), FusedBatchNormalization(**kwargs)
    for layer in layers:
        layer.build(shape)
        if layer.scale:
            layer.gamma.assign(np.linspace(0.5, 2.0, shape[layer.axis]))
        if layer.center:
            layer.beta.assign(np.linspace(-1.0, 1.0, shape[layer.axis]))
    return layers


def _train_step(layer, x):
    """One training call: outputs, gradients of a non-linear loss, moving statistics."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        loss = tf.reduce_sum(tf.cast(y, tf.float32) * tf.sin(tf.cast(y, tf.float32)))
    grads = tape.gradient(loss, [x] + layer.trainable_weights)
    return [y, *grads, layer.moving_mean, layer.moving_variance]


@pytest.fixture
def fused_calls(monkeypatch):
    calls = []
    normalize = _fused_batch_norm_tf.normalize

    def counted(*args):
        calls.append(args[0].shape)
        return normalize(*args)

    monkeypatch.setattr(_fused_batch_norm_tf, "normalize", counted)
    return calls


@pytest.mark.parametrize("shape, kwargs", [
    ((16, 7, 7, 5), dict(momentum=0.9)),
    ((32, 6), dict(momentum=0.5, epsilon=1e-5)),
    ((2, 1, 1, 4), dict(center=False)),
    ((8, 3, 3, 2), dict(scale=False)),
])
def test_a_training_step_matches_keras_outputs_gradients_and_moving_statistics(
        shape, kwargs, fused_calls):
    x = np.random.default_rng(0).normal(2.0, 3.0, size=shape).astype("float32")
    keras_layer, ours = _pair(shape, **kwargs)
    for theirs, mine in zip(_train_step(keras_layer, x), _train_step(ours, x)):
        np.testing.assert_allclose(np.asarray(mine), np.asarray(theirs), rtol=1e-4, atol=2e-4)
    assert fused_calls == [shape]
    np.testing.assert_allclose(ours(x, training=False), keras_layer(x, training=False),
                               atol=1e-5)


def test_bfloat16_maps_stay_bfloat16_and_match_keras_to_their_rounding(fused_calls):
    shape = (32, 6, 6, 8)
    x = np.random.default_rng(1).normal(0.5, 2.0, size=shape).astype("float32")
    keras_layer, ours = _pair(shape, dtype="mixed_bfloat16", momentum=0.9)
    theirs, mine = keras_layer(x, training=True), ours(x, training=True)
    assert mine.dtype == theirs.dtype == tf.bfloat16 and fused_calls == [shape]
    np.testing.assert_allclose(tf.cast(mine, tf.float32), tf.cast(theirs, tf.float32), atol=0.04)
    # The statistics: from bfloat16 maps (ours) vs their float32 copy (Keras').
    np.testing.assert_allclose(ours.moving_mean, keras_layer.moving_mean, atol=2e-3)
    np.testing.assert_allclose(ours.moving_variance, keras_layer.moving_variance, rtol=5e-3)


@pytest.mark.parametrize("shape, kwargs, call", [
    ((4, 3, 5, 5), dict(axis=1), {}),  # channels-first maps: not the kernel's layout
    ((4, 5, 6), {}, {}),  # rank 3
    ((4, 5, 5, 3), dict(synchronized=True), {}),  # statistics across replicas
    ((4, 5, 5, 3), {}, dict(mask=np.ones((4, 5, 5), bool))),
])
def test_where_the_kernel_does_not_apply_it_is_keras_own_computation(
        shape, kwargs, call, fused_calls):
    x = np.random.default_rng(2).normal(1.0, 2.0, size=shape).astype("float32")
    keras_layer, ours = _pair(shape, **kwargs)
    np.testing.assert_array_equal(ours(x, training=True, **call),
                                  keras_layer(x, training=True, **call))
    np.testing.assert_array_equal(ours.moving_variance, keras_layer.moving_variance)
    assert fused_calls == []


def test_inference_and_frozen_layers_use_the_moving_statistics(fused_calls):
    x = np.random.default_rng(3).normal(size=(4, 5, 5, 3)).astype("float32")
    keras_layer, ours = _pair(x.shape)
    ours.trainable = keras_layer.trainable = False
    np.testing.assert_array_equal(ours(x, training=True), keras_layer(x, training=True))
    assert fused_calls == []


def test_batch_norm_by_name_is_the_fused_layer():
    layer = normalization.get("batch", name="bn")
    assert type(layer) is FusedBatchNormalization and layer.momentum == 0.9
    assert isinstance(layer, keras.layers.BatchNormalization)  # folding, SWA and transfer see it


def test_layer_test(tmp_path):
    run_layer_test(FusedBatchNormalization, dict(momentum=0.8), (5, 5, 4), (5, 5, 4), tmp_path,
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=2)
