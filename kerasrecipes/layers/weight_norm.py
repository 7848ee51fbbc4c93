"""Weight normalization: a Dense or Conv layer whose kernel is `w = g·v/‖v‖`.

One seed names weight normalization beside layer normalization as an alternative to
batch norm ("Deep Learning Training Tricks": "Weight normalization, Layer
Normalization"). It decouples each output unit's weight vector into a direction `v`
and a length `g`, which speeds up SGD without depending on the batch (so it behaves
the same at batch size 1 and at serving). Keras 3 has no such wrapper (TensorFlow
Addons had one and is gone).

Reference:
    Salimans & Kingma, "Weight Normalization: A Simple Reparameterization to
    Accelerate Training of Deep Neural Networks", NeurIPS 2016
    (https://arxiv.org/abs/1602.07868).
"""

import keras
from keras import ops

_SUPPORTED = (keras.layers.Dense, keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)


@keras.saving.register_keras_serializable(package="kerasrecipes")
class WeightNormalization(keras.layers.Wrapper):
    """Reparameterises the kernel of a Dense or Conv layer as `w = g·v/‖v‖`.

    The seeds' weight normalization (an alternative to batch norm). The wrapped
    layer's kernel becomes the direction `v`; a new weight `g` (one per output unit)
    is its length, set at build time to `‖v‖` so that the wrapped layer starts out
    computing exactly what it would without the wrapper. The norm is taken over every
    kernel axis but the last (the output units), so `‖w[..., j]‖ = |g[j]|` always.

    Args:
        layer: a `keras.layers.Dense`, `Conv1D`, `Conv2D` or `Conv3D` (not grouped),
            or its serialized config.
        epsilon: float > 0, added to `‖v‖` against division by zero. Defaults to 1e-12.
        **kwargs: base layer arguments (`name`, `dtype`).

    Input shape: that of the wrapped layer. Output shape: that of the wrapped layer.

    Example:

    >>> layer = WeightNormalization(keras.layers.Conv2D(32, 3, padding="same"))
    >>> y = layer(keras.ops.ones((1, 28, 28, 1)))

    Reference:
        Salimans & Kingma, "Weight Normalization", NeurIPS 2016.
    """

    def __init__(self, layer, epsilon=1e-12, **kwargs):
        if isinstance(layer, dict):
            layer = keras.layers.deserialize(layer)
        if not isinstance(layer, _SUPPORTED) or getattr(layer, "groups", 1) != 1:
            raise TypeError(
                "Argument `layer` must be a keras.layers.Dense, Conv1D, Conv2D or Conv3D "
                f"layer with groups=1. Received: layer={layer!r}"
            )
        if not (isinstance(epsilon, (int, float)) and epsilon > 0):
            raise ValueError(f"Argument `epsilon` must be > 0. Received: epsilon={epsilon!r}")
        super().__init__(layer, **kwargs)
        self.epsilon = float(epsilon)

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
        units = self.layer.kernel.shape[-1]
        self.g = self.add_weight(name="g", shape=(units,), initializer="ones", trainable=True)
        self.g.assign(ops.cast(self._direction_norm(self.layer.kernel), self.g.dtype))
        self.built = True

    def _direction_norm(self, kernel):
        axes = tuple(range(len(kernel.shape) - 1))
        return ops.sqrt(ops.sum(ops.square(kernel), axis=axes))

    def kernel(self):
        """Returns the effective kernel `g·v/‖v‖` (in the compute dtype)."""
        v = ops.cast(self.layer.kernel, self.compute_dtype)
        g = ops.cast(self.g, self.compute_dtype)
        return v * (g / (self._direction_norm(v) + self.epsilon))

    def call(self, inputs):
        inner = self.layer
        inputs = ops.cast(inputs, self.compute_dtype)
        kernel = self.kernel()
        if isinstance(inner, keras.layers.Dense):
            outputs = ops.matmul(inputs, kernel)
            bias_shape = (-1,)
        else:
            outputs = ops.conv(inputs, kernel, strides=inner.strides, padding=inner.padding,
                               data_format=inner.data_format,
                               dilation_rate=inner.dilation_rate)
            rank = len(kernel.shape) - 2
            bias_shape = ((1, -1) + (1,) * rank if inner.data_format == "channels_first"
                          else (-1,))
        if inner.use_bias:
            outputs = outputs + ops.reshape(ops.cast(inner.bias, self.compute_dtype), bias_shape)
        if inner.activation is not None:
            outputs = inner.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        # Keras' Wrapper.from_config pops "layer" from the dict it is given: copy it.
        return super().from_config(dict(config), custom_objects)
