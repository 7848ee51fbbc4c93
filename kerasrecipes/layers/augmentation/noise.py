"""Pixel-level noise augmentations: Gaussian noise, salt-and-pepper, pixel drop.

Keras' `GaussianNoise` and `Dropout` are regularisation layers: they neither clip to
the pixel range nor take a per-batch seed (`get_random_transformation`), and dropout
rescales survivors by 1/(1-p) and drops channels independently. These layers act on
whole pixels in `value_range`, like the rest of the augmentation layers.
"""

import keras

from kerasrecipes.layers.augmentation.base import AugmentationLayer
from kerasrecipes.layers.augmentation.base import check_rate


def _pixel_shape(backend, images):
    shape = backend.core.shape(images)
    return tuple(shape[:-1]) + (1,)


@keras.saving.register_keras_serializable(package="kerasrecipes")
class RandomGaussianNoise(AugmentationLayer):
    """Adds N(0, (stddev·(high-low))²) noise to every value, then clips to `value_range`.

    Args:
        stddev: float in [0, 1), the noise std as a fraction of the value range.
            Defaults to 0.03 (about 8 levels of 0..255).
        value_range: (low, high). Defaults to (0, 255).
        seed: optional int.

    Example:

    >>> noisy = RandomGaussianNoise(0.05, seed=1)(images, training=True)
    """

    def __init__(self, stddev=0.03, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.stddev = check_rate("stddev", stddev)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        low, high = self.value_range
        noise = self.backend.random.normal(
            self.backend.core.shape(images), stddev=self.stddev * (high - low),
            dtype=self.compute_dtype, seed=self._seed(seed),
        )
        return {"noise": noise}

    def transform_images(self, images, transformation, training=True):
        images = self.backend.cast(images, self.compute_dtype)
        if not training or transformation is None:
            return images
        return self.backend.numpy.clip(images + transformation["noise"], *self.value_range)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}


class _PixelRateLayer(AugmentationLayer):
    """Base of the layers that hit a fraction `rate` of whole pixels: one uniform draw
    per pixel (shared by its channels) per call."""

    def __init__(self, rate, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.rate = check_rate("rate", rate)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        draws = self.backend.random.uniform(
            _pixel_shape(self.backend, images), dtype=self.compute_dtype, seed=self._seed(seed)
        )
        return {"draws": draws}

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


@keras.saving.register_keras_serializable(package="kerasrecipes")
class RandomSaltAndPepper(_PixelRateLayer):
    """Sets a fraction `rate` of pixels to `high` (salt) or `low` (pepper), half each.

    Args:
        rate: float in [0, 1), the fraction of pixels hit. Defaults to 0.02.
        value_range: (low, high). Defaults to (0, 255).
        seed: optional int.

    Example:

    >>> speckled = RandomSaltAndPepper(0.05, seed=1)(images, training=True)
    """

    def __init__(self, rate=0.02, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(rate, value_range=value_range, seed=seed, **kwargs)

    def transform_images(self, images, transformation, training=True):
        images = self.backend.cast(images, self.compute_dtype)
        if not training or transformation is None:
            return images
        low, high = self.value_range
        draws = transformation["draws"]
        half = self.rate / 2.0
        images = self.backend.numpy.where(draws < half, self.backend.cast(low, images.dtype), images)
        return self.backend.numpy.where(
            (draws >= half) & (draws < self.rate), self.backend.cast(high, images.dtype), images
        )


@keras.saving.register_keras_serializable(package="kerasrecipes")
class RandomPixelDrop(_PixelRateLayer):
    """Sets a random fraction `rate` of pixels (all their channels) to zero.

    Unlike `keras.layers.Dropout` it does not rescale the other pixels, so the
    image keeps its brightness, and a dropped pixel loses all its channels.

    Args:
        rate: float in [0, 1), the fraction of pixels set to zero. Defaults to 0.05.
        value_range: (low, high). Defaults to (0, 255).
        seed: optional int.

    Example:

    >>> holes = RandomPixelDrop(0.1, seed=1)(images, training=True)
    """

    def __init__(self, rate=0.05, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(rate, value_range=value_range, seed=seed, **kwargs)

    def transform_images(self, images, transformation, training=True):
        images = self.backend.cast(images, self.compute_dtype)
        if not training or transformation is None:
            return images
        keep = self.backend.cast(transformation["draws"] >= self.rate, self.compute_dtype)
        return images * keep
