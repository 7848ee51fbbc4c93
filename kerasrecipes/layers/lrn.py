"""Local response normalization (AlexNet), kept only so its cost can be compared.

The seeds: "avoid LRN pooling, prefer the much faster max pooling". Keras has no LRN
layer (TensorFlow's `tf.nn.local_response_normalization` is TensorFlow-only), so this
is a `keras.ops` version that runs on every backend.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, pooling: maxpool vs maxpool_lrn): -11.75 ± 4.71 s, confirmed (3 seeds).
Measured (tips.json, pooling: maxpool_lrn vs maxpool): -1.75 ± 0.89 pt, not confirmed (3 seeds).
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasrecipes")
class LocalResponseNormalization(keras.layers.Layer):
    """Across-channel local response normalization.

    `b_c = a_c / (bias + alpha · Σ_{c' = c - r}^{c + r} a_{c'}²) ** beta`, the sum over
    the `2r + 1` neighbouring channels (the last axis) that exist. Same formula and
    defaults as `tf.nn.local_response_normalization`; AlexNet used `r=2, bias=2,
    alpha=1e-4, beta=0.75`.

    Args:
        depth_radius: int >= 0, the half-width `r` of the channel window. Defaults to 2.
        bias: float > 0, `k` in the paper. Defaults to 2.0.
        alpha: float >= 0, the scale of the sum. Defaults to 1e-4.
        beta: float >= 0, the exponent. Defaults to 0.75.
        **kwargs: base layer arguments.

    Input shape:
        Any rank, channels last.

    Output shape:
        Same as the input.

    Example:

    >>> y = LocalResponseNormalization()(keras.ops.ones((1, 4, 4, 8)))

    Reference:
        Krizhevsky et al., "ImageNet Classification with Deep Convolutional Neural
        Networks", NeurIPS 2012, section 3.3.
    """

    def __init__(self, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        if not (isinstance(depth_radius, int) and depth_radius >= 0):
            raise ValueError(
                f"Argument `depth_radius` must be an integer >= 0. Received: depth_radius={depth_radius!r}"
            )
        if not bias > 0:
            raise ValueError(f"Argument `bias` must be > 0. Received: bias={bias}")
        if not alpha >= 0 or not beta >= 0:
            raise ValueError(
                f"Arguments `alpha` and `beta` must be >= 0. Received: alpha={alpha}, beta={beta}"
            )
        self.depth_radius = depth_radius
        self.bias = float(bias)
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.supports_masking = True

    def call(self, inputs):
        squared = ops.square(inputs)
        channels = ops.shape(inputs)[-1]
        rank = len(inputs.shape)
        r = self.depth_radius
        padded = ops.pad(squared, [[0, 0]] * (rank - 1) + [[r, r]])
        # The window sum as 2r + 1 shifted slices: cheap for the small radii LRN uses.
        total = padded[..., 0:channels]
        for offset in range(1, 2 * r + 1):
            total = total + padded[..., offset:offset + channels]
        return inputs / ops.power(self.bias + self.alpha * total, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "depth_radius": self.depth_radius, "bias": self.bias,
                "alpha": self.alpha, "beta": self.beta}
