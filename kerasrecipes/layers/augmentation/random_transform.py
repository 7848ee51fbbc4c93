"""A layer that composes random transforms with per-sample parameters and one magnitude."""

import math

import keras

from kerasrecipes._names import unknown_name_error
from kerasrecipes.layers.augmentation.base import AugmentationLayer

# The largest parameter of each transform at magnitude 1.0.
MAX_PARAMETERS = {
    "rotate": 30.0,        # degrees, either way
    "translate": 0.2,      # fraction of the image size, each axis
    "zoom": 0.3,           # scale in [1 - 0.3, 1 + 0.3]
    "shear": 0.3,          # horizontal shear factor, either way
    "flip": None,          # horizontal flip with probability 0.5, whatever the magnitude
    "brightness": 0.3,     # shift, fraction of the value range
    "contrast": 0.5,       # factor in [1 - 0.5, 1 + 0.5] around the image mean
    "blur": 1.0,           # blend weight towards a 3×3 Gaussian blur (σ = 1), in [0, 1]
}
BLUR_SIGMA = 1.0
GEOMETRIC = ("rotate", "translate", "zoom", "shear", "flip")
DEFAULT_TRANSFORMS = ("rotate", "translate", "zoom", "shear", "brightness", "contrast")


@keras.saving.register_keras_serializable(package="kerasrecipes")
class RandomTransform(AugmentationLayer):
    """Applies a random composition of transforms, drawn anew for every image.

    The seeds' "layer that applies random transformations so no sample is ever the
    same": each image gets its own rotation, translation, zoom, shear (and flip),
    composed into one affine map so the image is resampled once (less blur than a
    chain of Keras layers), then its own brightness and contrast change. Every
    parameter is uniform in `[-magnitude, magnitude] × MAX_PARAMETERS[name]`, so the
    effective dataset is unbounded rather than a fixed expanded copy. `"blur"` (the
    seeds' "add noise, blur") blends each image towards its 3×3 Gaussian blur (σ = 1)
    with its own weight `|u|`, u uniform as above, so images get every degree of blur
    from none to full; it is not among the defaults. Keras' layers do
    one transform each and keras-cv's `RandomAugmentationPipeline` picks whole layers;
    neither composes per-sample parameters under a single magnitude.

    Args:
        transforms: list of names from `MAX_PARAMETERS`. Defaults to all but
            `"flip"`.
        magnitude: float in [0, 1], scales every parameter range. Defaults to 0.5.
        fill_mode: `"constant"`, `"nearest"`, `"reflect"` or `"wrap"`.
        fill_value: float, the fill for `"constant"`. Defaults to 0.
        interpolation: `"bilinear"` or `"nearest"`.
        value_range: (low, high). Defaults to (0, 255).
        seed: optional int.

    Input shape: `(B, H, W, C)` or `(H, W, C)`. Output shape: the same.

    Example:

    >>> layer = RandomTransform(["rotate", "zoom", "contrast"], magnitude=0.4, seed=1)
    >>> augmented = layer(images, training=True)
    """

    def __init__(self, transforms=DEFAULT_TRANSFORMS, magnitude=0.5, fill_mode="constant",
                 fill_value=0.0, interpolation="bilinear", value_range=(0, 255), seed=None,
                 **kwargs):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        if isinstance(transforms, str) or not transforms:
            raise ValueError(
                f"Argument `transforms` must be a non-empty list of names from "
                f"{sorted(MAX_PARAMETERS)}. Received: transforms={transforms!r}"
            )
        for name in transforms:
            if name not in MAX_PARAMETERS:
                raise unknown_name_error("transforms", name, MAX_PARAMETERS)
        if not isinstance(magnitude, (int, float)) or not 0 <= magnitude <= 1:
            raise ValueError(f"Argument `magnitude` must be in [0, 1]. Received: magnitude={magnitude!r}")
        if fill_mode not in ("constant", "nearest", "reflect", "wrap"):
            raise ValueError(
                "Argument `fill_mode` must be one of ['constant', 'nearest', 'reflect', 'wrap']. "
                f"Received: fill_mode={fill_mode!r}"
            )
        if interpolation not in ("bilinear", "nearest"):
            raise ValueError(
                "Argument `interpolation` must be 'bilinear' or 'nearest'. "
                f"Received: interpolation={interpolation!r}"
            )
        self.transforms = list(transforms)
        self.magnitude = float(magnitude)
        self.fill_mode = fill_mode
        self.fill_value = float(fill_value)
        self.interpolation = interpolation

    def _uniform(self, batch, name, seed):
        bound = self.magnitude * MAX_PARAMETERS[name]
        return self.backend.random.uniform(
            (batch,), -bound, bound, dtype=self.compute_dtype, seed=seed
        )

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        batch = self._batch_size(images)
        seed = self._seed(seed)
        # Draw every parameter (zero when its transform is off) so the structure
        # is fixed for tracing.
        parameters = {}
        for name in MAX_PARAMETERS:
            if name not in self.transforms:
                continue
            if name == "flip":
                parameters[name] = self.backend.random.uniform(
                    (batch,), dtype=self.compute_dtype, seed=seed
                ) < 0.5
            elif name == "translate":
                parameters["translate_x"] = self._uniform(batch, name, seed)
                parameters["translate_y"] = self._uniform(batch, name, seed)
            else:
                parameters[name] = self._uniform(batch, name, seed)
        return parameters

    def _affine(self, parameters, height, width, batch):
        ops = self.backend.numpy
        zeros = ops.zeros((batch,), dtype=self.compute_dtype)
        theta = parameters.get("rotate", zeros) * (math.pi / 180.0)
        shear = parameters.get("shear", zeros)
        zoom = 1.0 + parameters.get("zoom", zeros)
        flip = ops.where(parameters["flip"], -1.0, 1.0) if "flip" in parameters else zeros + 1.0
        flip = self.backend.cast(flip, self.compute_dtype)
        cos, sin = ops.cos(theta), ops.sin(theta)
        # Inverse map (output pixel -> input pixel): rotation · shear · zoom⁻¹ · flip
        # about the centre, then the translation.
        a00, a01 = cos * flip / zoom, (cos * shear - sin) / zoom
        a10, a11 = sin * flip / zoom, (sin * shear + cos) / zoom
        cx, cy = (width - 1.0) / 2.0, (height - 1.0) / 2.0
        tx = parameters.get("translate_x", zeros) * width
        ty = parameters.get("translate_y", zeros) * height
        a2 = cx + tx - (a00 * cx + a01 * cy)
        b2 = cy + ty - (a10 * cx + a11 * cy)
        return ops.stack([a00, a01, a2, a10, a11, b2, zeros, zeros], axis=1)

    def transform_images(self, images, transformation, training=True):
        images = self.backend.cast(images, self.compute_dtype)
        if not training or transformation is None:
            return images
        unbatched = len(self.backend.core.shape(images)) == 3
        if unbatched:
            images = self.backend.numpy.expand_dims(images, 0)
        shape = self.backend.core.shape(images)
        batch = shape[0]
        if any(name in self.transforms for name in GEOMETRIC):
            height = self.backend.cast(shape[1], self.compute_dtype)
            width = self.backend.cast(shape[2], self.compute_dtype)
            images = self.backend.image.affine_transform(
                images, self._affine(transformation, height, width, batch),
                interpolation=self.interpolation, fill_mode=self.fill_mode,
                fill_value=self.fill_value, data_format="channels_last",
            )
        low, high = self.value_range
        if "blur" in transformation:
            blurred = self.backend.image.gaussian_blur(
                images, kernel_size=(3, 3), sigma=(BLUR_SIGMA, BLUR_SIGMA),
                data_format="channels_last")
            weight = self.backend.numpy.abs(transformation["blur"])[:, None, None, None]
            images = images + weight * (blurred - images)
        if "contrast" in transformation:
            mean = self.backend.numpy.mean(images, axis=(1, 2, 3), keepdims=True)
            factor = 1.0 + transformation["contrast"][:, None, None, None]
            images = (images - mean) * factor + mean
        if "brightness" in transformation:
            images = images + transformation["brightness"][:, None, None, None] * (high - low)
        images = self.backend.numpy.clip(images, low, high)
        return images[0] if unbatched else images

    def get_config(self):
        return {
            **super().get_config(),
            "transforms": self.transforms,
            "magnitude": self.magnitude,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "interpolation": self.interpolation,
        }
