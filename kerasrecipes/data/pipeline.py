"""tf.data input pipelines that follow the seeds' advice.

"Always shuffle. Never allow your network to go through exactly the same minibatch.
If your framework allows it shuffle at every epoch." Training pipelines shuffle the
whole in-memory set with `reshuffle_each_iteration=True`, augment whole batches in
parallel (one vectorised op per batch is far cheaper than one per image), and prefetch
so that the model never waits for input. Evaluation pipelines are cached, unshuffled
and unaugmented.
"""

import keras
import numpy as np
import tensorflow as tf

AUTOTUNE = tf.data.AUTOTUNE


def _check_arrays(x, y):
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 4:
        raise ValueError(
            "Argument `x` must be a batch of images of rank 4 (N, H, W, C). "
            f"Received: x.shape={x.shape}"
        )
    if y.ndim != 1 or len(y) != len(x):
        raise ValueError(
            "Argument `y` must be a vector of integer labels, one per image in `x` "
            f"({len(x)}). Received: y.shape={y.shape}"
        )
    if len(x) == 0:
        raise ValueError("Argument `x` must hold at least one image. Received: x.shape=" f"{x.shape}")
    return x, y


def _to_float(images, labels):
    return tf.cast(images, tf.float32), labels


def pipeline(
    x,
    y,
    batch_size=128,
    training=False,
    augment=None,
    seed=None,
    shuffle_buffer=None,
    drop_remainder=False,
):
    """Builds a batched, prefetched `tf.data.Dataset` from in-memory arrays.

    Images stay in their raw range (uint8 values as float32): scaling to [-1, 1] and
    any other preprocessing that serving also needs lives inside the model.

    Args:
        x: array of images, shape `(N, H, W, C)`, usually uint8.
        y: array of integer labels, shape `(N,)`.
        batch_size: int, images per batch. Defaults to 128.
        training: bool, whether this feeds training: shuffle every epoch and
            augment. Defaults to `False` (cached, unshuffled, unaugmented).
        augment: optional callable applied to each float32 image batch in
            training, e.g. a Keras augmentation layer or
            `kerasrecipes.layers.augmentation_policy("flip_crop")`.
        seed: optional int. With a seed the shuffle order and the order of
            parallel map results are reproducible from run to run (each epoch
            still gets a new order); without one the map may reorder results
            for speed.
        shuffle_buffer: optional int, defaults to the whole set (a perfect
            shuffle for in-memory data).
        drop_remainder: bool, whether to drop a last partial batch.

    Returns:
        A `tf.data.Dataset` of `(images, labels)` batches; images float32.

    Example:

    >>> ds = pipeline(x_train, y_train, batch_size=256, training=True, seed=1)
    >>> images, labels = next(iter(ds))
    """
    x, y = _check_arrays(x, y)
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(
            f"Argument `batch_size` must be a positive integer. Received: batch_size={batch_size!r}"
        )
    if augment is not None and not callable(augment):
        raise TypeError(
            f"Argument `augment` must be a callable applied to image batches, or None. "
            f"Received: augment={augment!r}"
        )
    options = tf.data.Options()
    options.deterministic = seed is not None or not training
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if training:
        dataset = dataset.shuffle(
            shuffle_buffer or len(x), seed=seed, reshuffle_each_iteration=True
        )
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    dataset = dataset.map(_to_float, num_parallel_calls=AUTOTUNE)
    if training and augment is not None:
        dataset = dataset.map(_batch_augmenter(augment), num_parallel_calls=AUTOTUNE)
    if not training:
        dataset = dataset.cache()
    return dataset.prefetch(AUTOTUNE).with_options(options)


def _batch_augmenter(augment):
    """Wraps `augment` as a `(images, labels)` map function, passing `training=True`
    to Keras layers (which are the identity otherwise)."""
    if isinstance(augment, keras.layers.Layer):
        return lambda images, labels: (augment(images, training=True), labels)
    return lambda images, labels: (augment(images), labels)
