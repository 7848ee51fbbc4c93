"""Named augmentation policies, composed from Keras' layers and ours.

A policy is a `keras.layers.Pipeline` of random layers applied to whole float32 batches
of raw-range images (0..255). `Pipeline` rather than `keras.Sequential`: in tf.data it
leaves its inputs as TensorFlow tensors, so it also runs there under the JAX and PyTorch
backends (a `Sequential` converts them to backend tensors and fails). The pipeline runs
it on the CPU inside tf.data, seeding every batch (`kerasrecipes.data.seeding`); it can
also be placed inside a model to run on an accelerator.

| name | layers |
| --- | --- |
| `"none"` | nothing (`augmentation_policy` returns None) |
| `"flip"` | horizontal flip |
| `"flip_crop"` | flip, pad-and-crop by up to 2 pixels (the default recipe's) |
| `"light"` | flip_crop, then `RandomTransform` rotate/zoom at magnitude 0.25 |
| `"strong"` | flip, `RandomTransform` (all geometric and photometric, magnitude 0.5), Gaussian noise, pixel drop, random erasing |
| `"fancy_pca"` | flip_crop, then `FancyPCA(sigma=0.1)` (AlexNet's recipe) |
| `"randaugment"` | flip_crop, then Keras' `RandAugment` (2 ops, factor 0.1: at 0.5 its translations and rotations wreck 28×28 images) |
"""

import keras

from kerasrecipes._names import unknown_name_error
from kerasrecipes.layers.augmentation.fancy_pca import FancyPCA
from kerasrecipes.layers.augmentation.noise import RandomGaussianNoise
from kerasrecipes.layers.augmentation.noise import RandomPixelDrop
from kerasrecipes.layers.augmentation.random_transform import RandomTransform


def _flip(seed):
    return keras.layers.RandomFlip("horizontal", seed=seed, name="flip")


def _crop(seed, pixels=2, size=28):
    # Pad-and-crop by up to `pixels` in each direction is a translation with zero
    # fill and integer shifts; nearest interpolation keeps pixels unblended.
    factor = pixels / size
    return keras.layers.RandomTranslation(
        factor, factor, fill_mode="constant", fill_value=0.0,
        interpolation="nearest", seed=seed, name="crop",
    )


def _offset(seed, index):
    # Distinct seeds per layer: two layers with one seed would draw the same numbers.
    return None if seed is None else seed + index


def _flip_crop(seed):
    return [_flip(seed), _crop(_offset(seed, 1))]


def _light(seed):
    return _flip_crop(seed) + [RandomTransform(
        ["rotate", "zoom"], magnitude=0.25, seed=_offset(seed, 2), name="transform")]


def _strong(seed):
    return [
        _flip(seed),
        RandomTransform(magnitude=0.5, seed=_offset(seed, 1), name="transform"),
        RandomGaussianNoise(0.03, seed=_offset(seed, 2), name="noise"),
        RandomPixelDrop(0.03, seed=_offset(seed, 3), name="pixel_drop"),
        keras.layers.RandomErasing(factor=0.5, scale=(0.02, 0.15), fill_value=0.0,
                                   value_range=(0, 255), seed=_offset(seed, 4), name="erasing"),
    ]


def _fancy_pca(seed):
    return _flip_crop(seed) + [FancyPCA(sigma=0.1, seed=_offset(seed, 2), name="fancy_pca")]


def _randaugment(seed):
    return _flip_crop(seed) + [keras.layers.RandAugment(
        value_range=(0, 255), num_ops=2, factor=0.1, seed=_offset(seed, 2), name="randaugment")]


_POLICIES = {
    "none": lambda seed: [],
    "flip": lambda seed: [_flip(seed)],
    "flip_crop": _flip_crop,
    "light": _light,
    "strong": _strong,
    "fancy_pca": _fancy_pca,
    "randaugment": _randaugment,
}


def names():
    """Returns the sorted policy names."""
    return sorted(_POLICIES)


def augmentation_policy(name, seed=None):
    """Returns the augmentation policy `name` as a Keras layer (or None for `"none"`).

    Args:
        name: str, a name from `names()`.
        seed: optional int; the same seed gives the same random draws.

    Returns:
        A `keras.layers.Pipeline` of augmentation layers, or None for `"none"`.

    Raises:
        ValueError: unknown name, listing the known ones.

    Example:

    >>> augment = augmentation_policy("flip_crop", seed=1)
    >>> augmented = augment(images, training=True)
    """
    if name not in _POLICIES:
        raise unknown_name_error("augment", name, names())
    layers = _POLICIES[name](seed)
    if not layers:
        return None
    return keras.layers.Pipeline(layers, name=f"augment_{name}")

