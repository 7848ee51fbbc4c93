"""Fancy PCA: AlexNet's lighting augmentation along the principal components of colour."""

import keras
import numpy as np

from kerasrecipes.layers.augmentation.base import AugmentationLayer
from kerasrecipes.layers.augmentation.base import check_rate
from kerasrecipes.layers.streaming import iterate_batches
from kerasrecipes.layers.streaming import mean_and_covariance

# RGB eigen-decomposition of ImageNet pixels in [0, 1], as used with AlexNet
# (values from fb.resnet.torch's `Lighting` transform); columns are eigenvectors.
IMAGENET_EIGENVALUES = (0.2175, 0.0188, 0.0045)
IMAGENET_EIGENVECTORS = (
    (-0.5675, 0.7192, 0.4009),
    (-0.5808, -0.0045, -0.8140),
    (-0.5836, -0.6948, 0.4203),
)


def _grey_default():
    # One component, the brightness axis: the shift that the grey level (channel
    # mean) of an RGB image receives under the ImageNet values, sqrt(Σⱼ (λⱼ·mean(pⱼ))²).
    vectors = np.asarray(IMAGENET_EIGENVECTORS)
    per_component = np.asarray(IMAGENET_EIGENVALUES) * vectors.mean(axis=0)
    return (float(np.sqrt(np.sum(per_component**2))),), ((1.0,),)


@keras.saving.register_keras_serializable(package="kerasrecipes")
class FancyPCA(AugmentationLayer):
    """Adds `Σᵢ αᵢ λᵢ pᵢ` to every pixel of an image, one draw `αᵢ ~ N(0, σ²)` per
    image and component: lighting noise along the principal components of colour.

    Neither Keras nor keras-cv has this layer. The eigenvalues `λᵢ` and eigenvectors
    `pᵢ` are those of the covariance of pixel colours scaled to [0, 1]; the shift is
    scaled back to `value_range`. They default to the ImageNet values of the AlexNet
    paper for 3 channels, and for 1 channel to the shift that the grey level of an RGB
    image gets under those values (a random brightness shift); `adapt()` computes them from your images. They are
    non-trainable weights, so they are saved with the model.

    Args:
        eigenvalues: optional list of C floats, the component variances.
        eigenvectors: optional C×C nested list, the components as columns.
        sigma: float >= 0, the standard deviation of α. Defaults to 0.1 (AlexNet).
        value_range: (low, high) of the input pixels. Defaults to (0, 255).
        seed: optional int.
        **kwargs: base layer arguments (`name`, `dtype`).

    Call arguments:
        images: float tensor `(B, H, W, C)` or `(H, W, C)`.
        training: bool; the identity when False.

    Input shape: `(B, H, W, C)`. Output shape: the same, clipped to `value_range`.

    Example:

    >>> layer = FancyPCA(sigma=0.1, seed=1)
    >>> layer.adapt(x_train)              # optional: the data's own components
    >>> augmented = layer(images, training=True)

    Reference:
        Krizhevsky, Sutskever & Hinton, "ImageNet Classification with Deep
        Convolutional Neural Networks", NeurIPS 2012, section 4.1.
    """

    def __init__(self, eigenvalues=None, eigenvectors=None, sigma=0.1, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.sigma = check_rate("sigma", sigma, high=float("inf"))
        if (eigenvalues is None) != (eigenvectors is None):
            raise ValueError(
                "Arguments `eigenvalues` and `eigenvectors` must be given together or "
                f"not at all. Received: eigenvalues={eigenvalues!r}, eigenvectors={eigenvectors!r}"
            )
        if eigenvalues is not None:
            values = np.asarray(eigenvalues, dtype="float64")
            vectors = np.asarray(eigenvectors, dtype="float64")
            if values.ndim != 1 or vectors.shape != (len(values), len(values)):
                raise ValueError(
                    "Argument `eigenvectors` must be a C×C matrix for C = len(eigenvalues) "
                    f"= {len(values)}. Received: eigenvectors of shape {vectors.shape}"
                )
            if np.any(values < 0):
                raise ValueError(
                    f"Argument `eigenvalues` must be >= 0. Received: eigenvalues={eigenvalues!r}"
                )
            eigenvalues, eigenvectors = values.tolist(), vectors.tolist()
        self.eigenvalues = eigenvalues
        self.eigenvectors = eigenvectors

    def _initial_values(self, channels):
        if self.eigenvalues is not None:
            if len(self.eigenvalues) != channels:
                raise ValueError(
                    f"Argument `eigenvalues` has {len(self.eigenvalues)} values but the input "
                    f"has {channels} channels. Received: eigenvalues={self.eigenvalues!r}"
                )
            return self.eigenvalues, self.eigenvectors
        if channels == 3:
            return IMAGENET_EIGENVALUES, IMAGENET_EIGENVECTORS
        if channels == 1:
            return _grey_default()
        # No published default: start as the identity until `adapt()`.
        return np.zeros(channels), np.eye(channels)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        values, vectors = self._initial_values(channels)
        self.component_values = self.add_weight(
            shape=(channels,), name="eigenvalues", trainable=False,
            initializer=keras.initializers.Constant(np.asarray(values, "float32")),
        )
        self.component_vectors = self.add_weight(
            shape=(channels, channels), name="eigenvectors", trainable=False,
            initializer=keras.initializers.Constant(np.asarray(vectors, "float32")),
        )
        self.built = True

    def adapt(self, data, batch_size=1024):
        """Sets the eigen-decomposition from the colour covariance of `data`.

        Streams over `data` (an array, or a `tf.data.Dataset` of images or of
        `(images, labels)`, batched or not) accumulating sums in float64, so no
        second copy of the data is made.

        Args:
            data: images `(N, H, W, C)` in `value_range`.
            batch_size: int, rows per step when `data` is an array.
        """
        low, high = self.value_range
        _, covariance, _ = mean_and_covariance(
            (batch.reshape(-1, batch.shape[-1]).astype("float64") - low) / (high - low)
            for batch in iterate_batches(data, batch_size)
        )
        values, vectors = np.linalg.eigh(covariance)
        order = np.argsort(values)[::-1]
        values, vectors = np.clip(values[order], 0, None), vectors[:, order]
        if not self.built:
            self.build((None, None, None, len(values)))
        elif self.component_values.shape[0] != len(values):
            raise ValueError(
                f"The layer was built for {self.component_values.shape[0]} channels but "
                f"`data` has {len(values)}."
            )
        self.component_values.assign(values.astype("float32"))
        self.component_vectors.assign(vectors.astype("float32"))

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        channels = self.backend.core.shape(images)[-1]
        alphas = self.backend.random.normal(
            (self._batch_size(images), channels), stddev=self.sigma, seed=self._seed(seed)
        )
        return {"alphas": alphas}

    def transform_images(self, images, transformation, training=True):
        images = self.backend.cast(images, self.compute_dtype)
        if not training or transformation is None:
            return images
        values = self.convert_weight(self.component_values)
        vectors = self.convert_weight(self.component_vectors)
        weighted = transformation["alphas"] * values[None, :]
        # shift[b, c] = Σⱼ vectors[c, j] αⱼ λⱼ, in [0, 1] units, rescaled to the range.
        low, high = self.value_range
        shift = self.backend.numpy.matmul(weighted, self.backend.numpy.transpose(vectors))
        shift = self.backend.cast(shift * (high - low), images.dtype)
        if len(self.backend.core.shape(images)) == 4:
            shift = shift[:, None, None, :]
        else:
            shift = shift[0]
        return self.backend.numpy.clip(images + shift, low, high)

    def get_config(self):
        return {
            **super().get_config(),
            "eigenvalues": self.eigenvalues,
            "eigenvectors": self.eigenvectors,
            "sigma": self.sigma,
        }
