"""A fixed view of a batch of images: mirrored left-right and shifted by whole pixels.

Keras' `RandomFlip` and `RandomTranslation` draw a transform during training and pass
images through unchanged at inference; test-time augmentation needs the same view
every call, in inference too, so that a model can average its predictions over views
inside its own graph (`kerasrecipes.training.tta.tta_model`) and serve them from a
SavedModel.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasrecipes")
class ImageView(keras.layers.Layer):
    """Mirrors a batch of images left-right and/or shifts it by whole pixels.

    The shift moves the content `dy` rows down and `dx` columns right (negative: up,
    left) and fills the uncovered border with zeros, as the training pipeline's
    pad-and-crop does; the mirror comes first. The same on every call, in training
    and inference.

    Args:
        flip: bool, mirror left-right. Defaults to False.
        shift: pair of ints `(dy, dx)`. Defaults to `(0, 0)`.
        **kwargs: base layer arguments (`name`, `dtype`).

    Input shape:
        `(batch, H, W, C)`, channels last, H and W known.

    Output shape:
        The same.

    Example:

    >>> mirrored_up = ImageView(flip=True, shift=(-1, 0))(images)
    """

    def __init__(self, flip=False, shift=(0, 0), **kwargs):
        super().__init__(**kwargs)
        if not isinstance(flip, bool):
            raise ValueError(f"Argument `flip` must be True or False. Received: flip={flip!r}")
        if (not isinstance(shift, (tuple, list)) or len(shift) != 2
                or any(isinstance(s, bool) or not isinstance(s, int) for s in shift)):
            raise ValueError(
                "Argument `shift` must be a pair of integers (dy, dx). "
                f"Received: shift={shift!r}"
            )
        self.flip = flip
        self.shift = tuple(shift)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"Layer `{self.name}` takes a batch of images (batch, H, W, C). "
                f"Received: input shape {tuple(input_shape)}"
            )
        for size, offset, axis in ((input_shape[1], self.shift[0], "dy"),
                                   (input_shape[2], self.shift[1], "dx")):
            if offset and (size is None or abs(offset) >= size):
                raise ValueError(
                    f"Argument `shift` must move the image by less than its size. "
                    f"Received: {axis}={offset} for input shape {tuple(input_shape)}"
                )

    def call(self, images):
        if self.flip:
            images = ops.flip(images, axis=2)
        dy, dx = self.shift
        if dy or dx:
            height, width = images.shape[1], images.shape[2]
            padded = ops.pad(images, [[0, 0], [max(dy, 0), max(-dy, 0)],
                                      [max(dx, 0), max(-dx, 0)], [0, 0]])
            top, left = max(-dy, 0), max(-dx, 0)
            images = padded[:, top:top + height, left:left + width, :]
        return images

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(flip=self.flip, shift=list(self.shift))
        return config
