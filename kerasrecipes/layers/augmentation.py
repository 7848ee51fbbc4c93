"""Named augmentation policies, composed from Keras' own augmentation layers.

A policy is a `keras.Sequential` of random layers applied to whole float32 batches of
raw-range images (0..255). The pipeline runs it on the CPU inside tf.data; it can also be
placed inside a model to run on an accelerator.
"""

import keras

from kerasrecipes._names import unknown_name_error


def _flip(seed):
    return [keras.layers.RandomFlip("horizontal", seed=seed, name="flip")]


def _crop(seed, pixels=2, size=28):
    # Pad-and-crop by up to `pixels` in each direction is a translation with zero
    # fill and integer shifts; nearest interpolation keeps pixels unblended.
    factor = pixels / size
    return [
        keras.layers.RandomTranslation(
            factor, factor, fill_mode="constant", fill_value=0.0,
            interpolation="nearest", seed=seed, name="crop",
        )
    ]


_POLICIES = {
    "none": lambda seed: [],
    "flip": _flip,
    "flip_crop": lambda seed: _flip(seed) + _crop(None if seed is None else seed + 1),
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
        A `keras.Sequential` of augmentation layers, or None for `"none"`.

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
    return keras.Sequential(layers, name=f"augment_{name}")
