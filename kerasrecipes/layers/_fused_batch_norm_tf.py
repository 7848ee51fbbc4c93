"""TensorFlow's fused batch-norm kernel for `FusedBatchNormalization` (TensorFlow only:
imported by the layer only when the Keras backend is TensorFlow)."""

import tensorflow as tf


def normalize(inputs, gamma, beta, epsilon):
    """Normalizes a training batch over all axes but the last with `FusedBatchNormV3`.

    Args:
        inputs: a rank-2 `(batch, channels)` or rank-4 `(batch, height, width, channels)`
            tensor, float16, bfloat16 or float32.
        gamma: the float32 per-channel scale, or None for ones.
        beta: the float32 per-channel offset, or None for zeros.
        epsilon: float, added to the variance.

    Returns:
        `(outputs, mean, variance)`: the normalized maps in the dtype of `inputs`, and the
        batch's float32 mean and biased variance (as `keras.ops.moments` gives them; the
        kernel itself returns the unbiased one).
    """
    channels = inputs.shape[-1]
    maps = inputs if inputs.shape.rank == 4 else tf.reshape(inputs, [-1, 1, 1, channels])
    scale = tf.ones([channels], tf.float32) if gamma is None else tf.cast(gamma, tf.float32)
    offset = tf.zeros([channels], tf.float32) if beta is None else tf.cast(beta, tf.float32)
    empty = tf.constant([], tf.float32)  # no running statistics: the layer keeps its own
    outputs, mean, variance, _, _, _ = tf.raw_ops.FusedBatchNormV3(
        x=maps, scale=scale, offset=offset, mean=empty, variance=empty, epsilon=epsilon,
        exponential_avg_factor=1.0, data_format="NHWC", is_training=True)
    count = tf.cast(tf.size(maps) // channels, tf.float32)
    # n / (n - 1) undone; a single value per channel has variance 0, not 0 / 0.
    variance = tf.math.multiply_no_nan(variance, (count - 1.0) / tf.maximum(count, 1.0))
    if inputs.shape.rank != 4:
        outputs = tf.reshape(outputs, tf.shape(inputs))
    return outputs, mean, variance
