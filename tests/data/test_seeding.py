"""Reproducible augmentation inside tf.data with parallel map calls."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasrecipes.data import pipeline
from kerasrecipes.data import seeding
from kerasrecipes.layers import augmentation_policy


def _data(n=96):
    rng = np.random.default_rng(0)
    x = np.zeros((n, 28, 28, 1), np.uint8)
    x[:, 5:23, 8:20] = rng.integers(60, 255, (n, 18, 12, 1))
    return x, (np.arange(n) % 10).astype(np.int32)


def _epochs(dataset, count=2):
    return [np.concatenate([images.numpy() for images, _ in dataset]) for _ in range(count)]


@pytest.mark.parametrize("policy", ["flip_crop", "light", "strong", "fancy_pca", "randaugment"])
def test_same_seed_same_batches_whatever_the_parallelism_and_epochs_differ(policy):
    x, y = _data()
    serial = pipeline(x, y, batch_size=16, training=True, seed=5, num_parallel_calls=1,
                      augment=augmentation_policy(policy, seed=5))
    parallel = pipeline(x, y, batch_size=16, training=True, seed=5, num_parallel_calls=8,
                        augment=augmentation_policy(policy, seed=5))
    first, second = _epochs(serial), _epochs(parallel)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], first[1])


def test_other_seed_other_augmentation_with_the_same_order():
    x, y = _data()
    flip = lambda seed: pipeline(x, y, batch_size=96, training=True, seed=seed,  # noqa: E731
                                 augment=augmentation_policy("light", seed=seed))
    a, b = _epochs(flip(1), 1)[0], _epochs(flip(2), 1)[0]
    assert not np.array_equal(a, b)


def test_batch_seed_draws_are_a_function_of_the_seed_only():
    layer = keras.layers.RandomTranslation(0.2, 0.2, seed=1)
    images = tf.constant(_data(4)[0], tf.float32)

    def draw(value):
        with seeding.stateless_seeds(layer, tf.constant([value, 7], tf.int64)):
            return layer(images, training=True).numpy()

    np.testing.assert_array_equal(draw(3), draw(3))
    assert not np.array_equal(draw(3), draw(4))
    # The layer's own generator is back in place, untouched.
    assert isinstance(layer.generator, keras.random.SeedGenerator)
    assert not isinstance(layer.generator, seeding.BatchSeed)
    assert int(layer.generator.state.numpy()[1]) == 0


def test_plain_callables_are_applied_as_they_are():
    x, y = _data(8)
    out = next(iter(pipeline(x, y, batch_size=8, training=True, seed=0,
                             augment=lambda images: images * 0 + 7)))[0].numpy()
    assert np.all(out == 7)


# Under the JAX backend: tests/test_backends.py (one JAX process for every JAX check).
