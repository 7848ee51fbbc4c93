"""MixUp and CutMix on training batches, with soft labels, through Keras' own layers.

`keras.layers.MixUp(alpha)` blends each image with another of the same batch by a weight
λ ~ Beta(α, α); `keras.layers.CutMix(factor=α)` pastes a box of another image, λ being
the area kept. Both mix the one-hot labels with the same λ, so the batch leaves with
soft labels `(batch, classes)`; train with a loss and metric that take them
(`kerasrecipes.training.soft_labels`). With both set, each batch gets one of the two,
chosen at random (as timm's `Mixup` with `switch_prob=0.5`).

Every draw comes from a stateless per-batch seed, like the pipeline's augmentation
(`kerasrecipes.data.seeding`), so a seeded run is reproducible under parallel maps.

References:
    Zhang et al., "mixup: Beyond Empirical Risk Minimization", ICLR 2018.
    Yun et al., "CutMix: Regularization Strategy to Train Strong Classifiers with
    Localizable Features", ICCV 2019.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, ensembles_extras: mixup vs plain): -0.87 ± 0.42 pt, not confirmed (3 seeds).
Measured (tips.json, ensembles_extras: cutmix vs plain): -2.96 ± 0.69 pt, not confirmed (3 seeds).
"""

import keras
import tensorflow as tf

from kerasrecipes.data import seeding

# Added to the pipeline's seed so that mixing does not reuse the augmentation's draws.
_SEED_OFFSET = 7919


def check_alpha(name, value):
    """Returns `value` as a float > 0 (None stays None), or raises the Keras-form error."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(
            f"Argument `{name}` must be None (off) or an alpha > 0 (0.2 for MixUp and 1.0 "
            f"for CutMix are typical). Received: {name}={value!r}"
        )
    return float(value)


def mix_batches(dataset, classes, mixup=None, cutmix=None, seed=None):
    """Maps MixUp and/or CutMix over a dataset of `(images, integer labels)` batches.

    Args:
        dataset: a batched `tf.data.Dataset` of `(float images, integer labels)`,
            e.g. from `kerasrecipes.data.pipeline(..., training=True)`.
        classes: int, the number of classes (for the one-hot labels).
        mixup: optional float α > 0, MixUp's Beta(α, α) parameter.
        cutmix: optional float α > 0, CutMix's Beta(α, α) parameter.
        seed: optional int; the same seed gives the same mixes (new ones every epoch).

    Returns:
        A dataset of `(images, soft labels)`, labels float32 `(batch, classes)`. With
        neither `mixup` nor `cutmix` the labels are only one-hot encoded.

    Raises:
        ValueError: a bad alpha or class count.

    Example:

    >>> train = mix_batches(pipeline(x, y, 128, training=True, seed=0), 10, mixup=0.2, seed=0)
    """
    mixup, cutmix = check_alpha("mixup", mixup), check_alpha("cutmix", cutmix)
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"Argument `classes` must be an integer >= 2. Received: classes={classes!r}")
    layers = []
    if mixup:
        layers.append(keras.layers.MixUp(alpha=mixup, name="mixup"))
    if cutmix:
        layers.append(keras.layers.CutMix(factor=cutmix, name="cutmix"))
    salt = tf.constant(_SEED_OFFSET + (0 if seed is None else seed), tf.int64)
    stream = seeding.seed_stream(None if seed is None else seed + _SEED_OFFSET)

    def one_hot(images, labels):
        return images, tf.one_hot(tf.cast(tf.reshape(labels, [-1]), tf.int32), classes)

    def mix_with(layer, images, labels, batch_seed):
        with seeding.stateless_seeds(layer, batch_seed):
            mixed = layer({"images": images, "labels": labels}, training=True)
        return tf.cast(mixed["images"], images.dtype), tf.cast(mixed["labels"], tf.float32)

    def mix(batch, batch_seed):
        images, labels = one_hot(*batch)
        seeds = tf.stack([batch_seed, salt])
        if len(layers) == 1:
            return mix_with(layers[0], images, labels, seeds)
        pick = tf.random.stateless_uniform([], seed=seeds) < 0.5
        return tf.cond(pick, lambda: mix_with(layers[0], images, labels, seeds + 1),
                       lambda: mix_with(layers[1], images, labels, seeds + 2))

    if not layers:
        return dataset.map(one_hot, num_parallel_calls=tf.data.AUTOTUNE)
    mixed = tf.data.Dataset.zip((dataset, stream)).map(mix, num_parallel_calls=tf.data.AUTOTUNE)
    return mixed.prefetch(tf.data.AUTOTUNE)
