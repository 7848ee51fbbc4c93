"""Batch normalization whose training step runs as one fused kernel on TensorFlow.

Keras 3's `BatchNormalization` computes a training batch's statistics and the
normalization as separate ops, in float32 even under a bfloat16 policy (it casts the
maps up and back), so on TensorFlow without XLA (the CPU default) each batch norm reads
and writes its maps several times forward and again backward (keras-team/keras-core#225:
"significantly slower than tf.keras BN"). tf.keras used TensorFlow's fused kernel
(`FusedBatchNormV3`: statistics and normalization in one pass, bfloat16 maps with float32
statistics); Keras 3 has no such option. `FusedBatchNormalization` is Keras' layer with
that kernel restored where it applies, and Keras' own computation everywhere else.

Measured on the default model (`fashion_vgg_lean`, batch 128, 2 cores of an Intel Xeon
with AMX, training images/s of the bare step on random images, the median of 3
interleaved repeats): 1.58x Keras' layer in bfloat16 (5,331 against 3,379 images/s,
benchmarks/results/compare_amx_explore.json, `batch_norm` rows) and 1.12x in float32
(2,721 against 2,422, compare_amx_float32_explore.json). The default recipe, in
bfloat16 there, trained in 1.40x the keras.io convnet's wall time, down from 2.15x with
Keras' layer (compare_amx.json, each ratio within its own pair of runs).
"""

import keras

# The dtypes TensorFlow's fused kernel takes for the maps (its statistics stay float32).
_FUSED_DTYPES = ("float16", "bfloat16", "float32")


@keras.saving.register_keras_serializable(package="kerasrecipes")
class FusedBatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization`, computed in training by TensorFlow's fused kernel.

    Same arguments, weights, config, outputs and moving statistics as Keras' layer (the
    variance in the moving average is the batch's biased one, as in Keras). The fused
    kernel runs only where all of these hold, and Keras' own `call()` everywhere else:
    the TensorFlow backend, a training call of a trainable layer, no mask, no
    synchronized statistics (`synchronized=True` across replicas), rank-2 or rank-4
    inputs normalized over their last axis, and float16, bfloat16 or float32 maps. At
    inference it is Keras' layer, so exports and other backends see Keras' computation.

    Args:
        **kwargs: those of `keras.layers.BatchNormalization`.

    Example:

    >>> layer = FusedBatchNormalization(momentum=0.9)
    >>> tuple(layer(keras.random.normal((8, 4, 4, 3)), training=True).shape)
    (8, 4, 4, 3)
    >>> model = kr.models.get("fashion_vgg_lean")  # norm="batch" builds this layer
    """

    def call(self, inputs, training=None, mask=None):
        if not self._fused_applies(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        from kerasrecipes.layers import _fused_batch_norm_tf  # TensorFlow only

        outputs, mean, variance = _fused_batch_norm_tf.normalize(
            inputs, self.gamma if self.scale else None, self.beta if self.center else None,
            self.epsilon)
        self.moving_mean.assign(
            self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(
            self.moving_variance * self.momentum + variance * (1.0 - self.momentum))
        return keras.ops.cast(outputs, self.compute_dtype)

    def _fused_applies(self, inputs, training, mask):
        rank = len(inputs.shape)
        return (keras.backend.backend() == "tensorflow" and bool(training) and self.trainable
                and mask is None and not self.synchronized and not getattr(self, "renorm", False)
                and rank in (2, 4) and self.axis in (-1, rank - 1)
                and keras.backend.standardize_dtype(inputs.dtype) in _FUSED_DTYPES)
