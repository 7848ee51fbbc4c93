"""Reproducible random augmentation inside tf.data: one stateless seed per batch.

Why this exists. A Keras random layer draws its numbers from a
`keras.random.SeedGenerator`, whose state is a variable that every call reads and then
increments. Mapped over a dataset with `num_parallel_calls`, several calls run at once:
which batch reads which state depends on thread scheduling (so the same seed gives
different augmented batches from run to run), and two calls can even read the same
state before either increments it (two batches then share their random draws).
`deterministic=True` only fixes the order of the outputs, not which draws each batch
got.

The fix makes every draw a pure function of the batch: the pipeline zips the batches
with `tf.data.Dataset.random(seed, rerandomize_each_iteration=True)` (a stream that is
the same for the same seed and new every epoch), and while the map function is traced,
every `SeedGenerator` of the augmentation layers (and their private seed-generator getter) is
swapped for a `BatchSeed` whose draws are `stateless_fold_in(batch_seed, k)` for the
k-th random op. Keras' random ops
accept any `SeedGenerator` and call its `next()`, so Keras' layers (including
`RandAugment`, which ignores the `seed` argument of `get_random_transformation`) and
ours need no change.
"""

import contextlib

import keras
import tensorflow as tf

from kerasrecipes import _keras_compat


class BatchSeed(keras.random.SeedGenerator):
    """A `SeedGenerator` whose draws derive from one seed tensor, without state.

    The k-th `next()` while tracing returns `stateless_fold_in(seed, k)`, so each
    random op of a traced function gets its own stream, fixed by `seed`.

    Args:
        seed: int64 tensor of shape (2,).
    """

    def __init__(self, seed):  # no variable: that is the point
        _keras_compat.init_seed_generator_fields(self, "batch_seed")
        self._seed = tf.cast(seed, tf.int64)
        self._draws = 0

    @property
    def state(self):
        return self._seed

    def next(self, ordered=True):
        self._draws += 1
        return tf.random.experimental.stateless_fold_in(self._seed, self._draws)


def _generator_slots(layer):
    """Yields `(owner, key)` for every seed generator under `layer`: attributes
    holding a `SeedGenerator`, and the private seed-generator getter of Keras'
    preprocessing layers (which, off the TensorFlow backend, creates a TensorFlow
    generator on first use inside tf.data)."""
    for sub in _keras_compat.flatten_layers(layer):
        for key, value in list(vars(sub).items()):
            if isinstance(value, keras.random.SeedGenerator):
                yield sub, key
        if callable(getattr(sub, _keras_compat.SEED_GENERATOR_METHOD, None)):
            yield sub, _keras_compat.SEED_GENERATOR_METHOD


@contextlib.contextmanager
def stateless_seeds(layer, seed):
    """Within the block, every random draw of `layer` derives from `seed`.

    Use it around the call of a Keras layer while a tf.data map function is traced.

    Args:
        layer: a `keras.layers.Layer` (a policy `Pipeline`, or a single layer).
        seed: int64 tensor of shape (2,), e.g. one per batch.
    """
    batch_seed = BatchSeed(seed)
    swapped = []
    for owner, key in _generator_slots(layer):
        had_own = key in vars(owner)
        swapped.append((owner, key, had_own, vars(owner).get(key)))
        if key == _keras_compat.SEED_GENERATOR_METHOD:
            object.__setattr__(owner, key, lambda backend=None: batch_seed)
        else:
            object.__setattr__(owner, key, batch_seed)
    try:
        yield batch_seed
    finally:
        for owner, key, had_own, value in reversed(swapped):
            if had_own:
                object.__setattr__(owner, key, value)
            else:
                object.__delattr__(owner, key)


def seeded_augmenter(augment, seed=None):
    """Returns a `(images, labels, batch_seed) -> (images, labels)` map function.

    Args:
        augment: a Keras layer applied with `training=True`, or a plain callable
            (called as is: its randomness is its own affair).
        seed: optional int, folded into every batch seed.
    """
    if not isinstance(augment, keras.layers.Layer):
        return lambda images, labels, batch_seed: (augment(images), labels)
    salt = tf.constant(0 if seed is None else seed, tf.int64)

    def apply(images, labels, batch_seed):
        with stateless_seeds(augment, tf.stack([batch_seed, salt])):
            images = augment(images, training=True)
        return images, labels

    return apply


def seed_stream(seed=None):
    """An endless dataset of int64 batch seeds, the same for the same `seed`, new
    every epoch (`rerandomize_each_iteration=True`)."""
    return tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)


def epoch_seed(seed, epoch):
    """A scalar int64 seed that is a pure function of `(seed, epoch)`.

    A resumed run recomputes epoch k's shuffle order and augmentation draws from it
    instead of replaying k-1 earlier epochs of a stateful seed stream.

    Args:
        seed: int, the run's seed.
        epoch: int64 scalar tensor (or int), the zero-based epoch.
    """
    pair = tf.stack([tf.constant(seed, tf.int64), tf.cast(epoch, tf.int64)])
    return tf.random.stateless_uniform([], seed=pair, minval=None, maxval=None, dtype=tf.int64)


def indexed_seed_stream(seed):
    """A dataset of int64 batch seeds, the i-th a pure function of `(seed, i)`.

    Args:
        seed: int64 scalar tensor, e.g. `epoch_seed(run_seed, epoch)`.
    """
    def batch_seed(index):
        pair = tf.stack([tf.cast(seed, tf.int64), index])
        return tf.random.stateless_uniform([], seed=pair, minval=None, maxval=None, dtype=tf.int64)

    return tf.data.Dataset.range(2**62).map(batch_seed)


def epoch_counter():
    """Returns the int64 variable through which a training pipeline learns its epoch.

    `kerasrecipes.data.pipeline(..., epoch_counter=counter)` reads it (and adds one)
    each time an iteration starts; `kerasrecipes.training.resume.EpochSync` sets it at
    the start of every `fit()` epoch.
    """
    return tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch_counter")
