"""The base class of our augmentation layers: Keras' own image-preprocessing base.

Keras 3 does not export `BaseImagePreprocessingLayer`, but subclassing it is what makes
our layers behave exactly like `keras.layers.RandomFlip` & co: they run inside `tf.data`
under any Keras backend (the layer switches `self.backend` to TensorFlow there), they
are the identity when `training=False`, and their randomness is drawn in
`get_random_transformation(images, training, seed)` so that a caller can supply the
seed per batch (the pipeline does, see `kerasrecipes.data.seeding`).
"""

import keras

from kerasrecipes import _keras_compat
from kerasrecipes._keras_compat import BaseImagePreprocessingLayer
from kerasrecipes._names import check_rate  # noqa: F401  (its home is _names)


def check_value_range(value_range):
    """Returns `value_range` as a tuple of two floats, low < high, or raises."""
    if (
        not isinstance(value_range, (tuple, list))
        or len(value_range) != 2
        or not all(isinstance(v, (int, float)) for v in value_range)
        or not value_range[0] < value_range[1]
    ):
        raise ValueError(
            "Argument `value_range` must be a pair of numbers (low, high) with "
            f"low < high, e.g. (0, 255). Received: value_range={value_range!r}"
        )
    return (float(value_range[0]), float(value_range[1]))




@_keras_compat.without_base_factor
class AugmentationLayer(BaseImagePreprocessingLayer):
    """An image augmentation layer on batches in `value_range`, seeded per layer.

    Subclasses draw every random value in `get_random_transformation` (with the
    given `seed`, or the layer's own `SeedGenerator` when it is None) and apply it in
    `transform_images`. Labels, boxes and masks pass through unchanged (our layers
    are photometric or, for `RandomTransform`, image-only).
    """

    def __init__(self, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.value_range = check_value_range(value_range)
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def _seed(self, seed):
        return _keras_compat.layer_seed_generator(self) if seed is None else seed

    def _batch_size(self, images):
        shape = self.backend.core.shape(images)
        return 1 if len(shape) == 3 else shape[0]

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        return bounding_boxes

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        return segmentation_masks

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "value_range": list(self.value_range), "seed": self.seed}
