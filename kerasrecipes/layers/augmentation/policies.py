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
| `"flip_crop"` | flip, pad-and-crop by up to 1/14 of the input size (2 pixels at 28×28; the default recipe's) |
| `"light"` | flip_crop, then `RandomTransform` rotate/zoom at magnitude 0.25 (+ hue/saturation jitter for RGB) |
| `"strong"` | flip, `RandomTransform` (all geometric and photometric, magnitude 0.5), Gaussian noise, pixel drop, random erasing (+ hue/saturation jitter for RGB) |
| `"fancy_pca"` | flip_crop, then `FancyPCA(sigma=0.1)` (AlexNet's recipe), adapted to the training split by recipes (`adapt_policy`) |
| `"randaugment"` | flip_crop, then Keras' `RandAugment` (2 ops, factor 0.1: at 0.5 its translations and rotations wreck 28×28 images) |
| `"blur"` | flip_crop, then Keras' `RandomGaussianBlur` on half the images (3×3, σ in [0.3, 1]) |
| `"flip_crop_erase"` | flip_crop, then Keras' `RandomErasing` on half the images (a zero-filled box of 2-40 % of the area; Zhong et al.'s random erasing, the `fashion_mnist_best` recipe's) |

Policies that know the input (`input_shape=(H, W, C)`) fit it: pad-and-crop shifts by a
whole number of pixels, `max(1, round(min(H, W) / 14))`, rather than a fraction meant
for 28 px; `light` and `strong` add colour jittering of hue and saturation
(`keras.layers.RandomColorJitter`, the seeds' "color jittering") only for 3-channel
input: grayscale images have neither hue nor saturation, so for them the step is
skipped (brightness and contrast jitter stay, in `RandomTransform`). Without
`input_shape` the crop is the fraction 1/14 of whatever size arrives and no colour step
is added.
"""

import keras

from kerasrecipes._names import unknown_name_error
from kerasrecipes.layers.augmentation.fancy_pca import FancyPCA
from kerasrecipes.layers.augmentation.noise import RandomGaussianNoise
from kerasrecipes.layers.augmentation.noise import RandomPixelDrop
from kerasrecipes.layers.augmentation.random_transform import RandomTransform


def _flip(seed):
    return keras.layers.RandomFlip("horizontal", seed=seed, name="flip")


# Pad-and-crop shifts by up to this fraction of the input size: 2 px at 28×28.
CROP_FRACTION = 1.0 / 14.0
# Hue and saturation jitter for RGB input: (hue factor, saturation range) per policy.
COLOUR_JITTER = {"light": (0.05, (0.35, 0.65)), "strong": (0.1, (0.25, 0.75))}


def crop_pixels(size):
    """Returns the pad-and-crop shift in whole pixels for an input side of `size`."""
    return max(1, round(size * CROP_FRACTION))


def _crop(seed, shape=None):
    # Pad-and-crop by up to `pixels` in each direction is a translation with zero
    # fill and integer shifts; nearest interpolation keeps pixels unblended.
    if shape is None:
        height_factor = width_factor = CROP_FRACTION
    else:
        pixels = crop_pixels(min(shape[0], shape[1]))
        height_factor, width_factor = pixels / shape[0], pixels / shape[1]
    return keras.layers.RandomTranslation(
        height_factor, width_factor, fill_mode="constant", fill_value=0.0,
        interpolation="nearest", seed=seed, name="crop",
    )


def _colour(policy, seed, shape):
    # Hue and saturation exist for RGB only; for grayscale the step is skipped.
    if shape is None or shape[-1] != 3:
        return []
    hue, saturation = COLOUR_JITTER[policy]
    return [keras.layers.RandomColorJitter(
        value_range=(0, 255), hue_factor=hue, saturation_factor=saturation, seed=seed,
        name="colour_jitter")]


def _offset(seed, index):
    # Distinct seeds per layer: two layers with one seed would draw the same numbers.
    return None if seed is None else seed + index


# Every policy builder takes `(seed, shape)`; `shape` is `(H, W, C)` or None.
def _flip_crop(seed, shape=None):
    return [_flip(seed), _crop(_offset(seed, 1), shape)]


def _light(seed, shape=None):
    return _flip_crop(seed, shape) + [RandomTransform(
        ["rotate", "zoom"], magnitude=0.25, seed=_offset(seed, 2), name="transform")] + \
        _colour("light", _offset(seed, 3), shape)


def _strong(seed, shape=None):
    return [
        _flip(seed),
        RandomTransform(magnitude=0.5, seed=_offset(seed, 1), name="transform"),
        RandomGaussianNoise(0.03, seed=_offset(seed, 2), name="noise"),
        RandomPixelDrop(0.03, seed=_offset(seed, 3), name="pixel_drop"),
        keras.layers.RandomErasing(factor=0.5, scale=(0.02, 0.15), fill_value=0.0,
                                   value_range=(0, 255), seed=_offset(seed, 4), name="erasing"),
    ] + _colour("strong", _offset(seed, 5), shape)


def _fancy_pca(seed, shape=None):
    return _flip_crop(seed, shape) + [
        FancyPCA(sigma=0.1, seed=_offset(seed, 2), name="fancy_pca")]


def _randaugment(seed, shape=None):
    return _flip_crop(seed, shape) + [keras.layers.RandAugment(
        value_range=(0, 255), num_ops=2, factor=0.1, seed=_offset(seed, 2), name="randaugment")]


def _blur(seed, shape=None):
    # The seeds' "blur". Keras draws the blur's σ once per batch and blurs each image
    # with probability 0.5; RandomTransform(["blur"]) draws a degree per image.
    return _flip_crop(seed, shape) + [keras.layers.RandomGaussianBlur(
        factor=(0.5, 0.5), kernel_size=3, sigma=(0.3, 1.0), value_range=(0, 255),
        seed=_offset(seed, 2), name="blur")]


def _flip_crop_erase(seed, shape=None):
    # Random erasing as Zhong et al. ran it on Fashion-MNIST: with probability 0.5, a box
    # of 2-40 % of the image. Keras draws the box's width and height fractions as square
    # roots of two uniform draws from `scale`, and its `factor=p` would draw the
    # probability itself from [0, p], hence (0.5, 0.5). Zero fill, like the crop's
    # padding: Keras' random fill is N(0, 1)·255, far outside the pixels' range.
    return _flip_crop(seed, shape) + [keras.layers.RandomErasing(
        factor=(0.5, 0.5), scale=(0.02, 0.4), fill_value=0.0, value_range=(0, 255),
        seed=_offset(seed, 2), name="erasing")]


_POLICIES = {
    "none": lambda seed, shape=None: [],
    "flip": lambda seed, shape=None: [_flip(seed)],
    "flip_crop": _flip_crop,
    "light": _light,
    "strong": _strong,
    "fancy_pca": _fancy_pca,
    "randaugment": _randaugment,
    "blur": _blur,
    "flip_crop_erase": _flip_crop_erase,
}


def names():
    """Returns the sorted policy names."""
    return sorted(_POLICIES)


def augmentation_policy(name, seed=None, input_shape=None):
    """Returns the augmentation policy `name` as a Keras layer (or None for `"none"`).

    Args:
        name: str, a name from `names()`.
        seed: optional int; the same seed gives the same random draws.
        input_shape: optional `(H, W, C)` of the images; the crop's shift then is a
            whole number of pixels for that size and `light`/`strong` add hue and
            saturation jitter when C is 3 (see the module docstring).

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
    shape = None
    if input_shape is not None:
        shape = tuple(int(d) for d in input_shape)
        if len(shape) != 3 or min(shape) < 1:
            raise ValueError("Argument `input_shape` must be (H, W, C) with positive sizes. "
                             f"Received: input_shape={input_shape!r}")
    layers = _POLICIES[name](seed, shape)
    if not layers:
        return None
    return keras.layers.Pipeline(layers, name=f"augment_{name}")


def adapt_policy(policy, images, batch_size=1024):
    """Adapts every layer of `policy` that learns from data (`FancyPCA`) on `images`.

    Recipes call it on the training split, so the `fancy_pca` policy uses the colour
    components of the data being trained on rather than ImageNet's (for 3 channels, the
    eigenvectors and eigenvalues of the pixels' RGB covariance; for grayscale the
    single component is the pixel variance σ², so fancy PCA reduces to a random
    brightness shift with standard deviation `sigma · σ² · 255` per image). It streams
    over `images` in batches of `batch_size`, so no float copy of the data is made.

    Args:
        policy: the layer from `augmentation_policy`, or None (then nothing happens).
        images: array `(N, H, W, C)` of raw 0..255 images, or a `tf.data.Dataset`.
        batch_size: int, rows per step.

    Returns:
        The names of the layers adapted.
    """
    if policy is None:
        return []
    adapted = []
    for layer in getattr(policy, "layers", [policy]):
        if isinstance(layer, FancyPCA):
            layer.adapt(images, batch_size=batch_size)
            adapted.append(layer.name)
    return adapted

