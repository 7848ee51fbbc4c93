"""Max pooling with Caffe's ceil rounding of the output size.

Keras' `MaxPooling2D` rounds the output size down (`"valid"`) or pads to
`ceil(size / stride)` (`"same"`); Caffe, and the SqueezeNet reference implementation
built on it, round `(size - pool) / stride` up, which neither gives (a 3×3/2 pool
takes 109 → 54 → 27 → 13 in SqueezeNet, where `"valid"` gives 54 → 26 → 12).
"""

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasrecipes")
class CeilMaxPooling2D(keras.layers.MaxPooling2D):
    """2-D max pooling whose output size is `ceil((size - pool_size) / strides) + 1`.

    The input is padded at the bottom and right just enough for the last window, by
    repeating its last row and column: that window always holds the real row or column
    it repeats, so its maximum is unchanged and no output is made up. (Padding with
    `-inf` gives the same floats but breaks int8 TFLite: the pad constant shares the
    activations' quantization, whose range then reaches -inf, and the runtime's XNNPACK
    delegate refuses the resulting scale of ~1e36.)

    Args:
        pool_size: int or tuple of 2 ints. Defaults to 3.
        strides: int or tuple of 2 ints. Defaults to 2.
        **kwargs: base layer arguments (`name`, …). Channels-last only.

    Input shape:
        `(batch, H, W, C)`.

    Output shape:
        `(batch, ceil((H - ph) / sh) + 1, ceil((W - pw) / sw) + 1, C)`.

    Example:

    >>> CeilMaxPooling2D(3, 2)(keras.ops.ones((1, 109, 109, 8))).shape
    (1, 54, 54, 8)

    Reference:
        Iandola et al., "SqueezeNet", 2016, reference Caffe model
        (https://github.com/forresti/SqueezeNet).
    """

    def __init__(self, pool_size=3, strides=2, **kwargs):
        for key, fixed in (("padding", "valid"), ("data_format", "channels_last")):
            value = kwargs.pop(key, fixed)
            if value != fixed:
                raise ValueError(
                    f"Argument `{key}` of `CeilMaxPooling2D` must be {fixed!r}. "
                    f"Received: {key}={value!r}"
                )
        super().__init__(pool_size=pool_size, strides=strides, padding="valid",
                         data_format="channels_last", **kwargs)

    def _extra(self, size, axis):
        if size is None:
            return None
        pool, stride = self.pool_size[axis], self.strides[axis]
        if size < pool:
            raise ValueError(
                f"Layer `{self.name}` pools {pool}×{pool} windows but received a map of "
                f"size {size}. Received: input size {size} on spatial axis {axis}"
            )
        out = math.ceil((size - pool) / stride) + 1
        return (out - 1) * stride + pool - size

    def call(self, inputs):
        pad_h = self._extra(inputs.shape[1], 0)
        pad_w = self._extra(inputs.shape[2], 1)
        if pad_h:
            inputs = ops.concatenate([inputs] + [inputs[:, -1:]] * pad_h, axis=1)
        if pad_w:
            inputs = ops.concatenate([inputs] + [inputs[:, :, -1:]] * pad_w, axis=2)
        return super().call(inputs)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape

        def out(size, axis):
            if size is None:
                return None
            return (size + self._extra(size, axis) - self.pool_size[axis]) // self.strides[axis] + 1

        return (batch, out(height, 0), out(width, 1), channels)

    def get_config(self):
        config = super().get_config()
        config.pop("padding", None)
        config.pop("data_format", None)
        return config
