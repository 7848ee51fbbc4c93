"""Preprocessing layers that live in the model, so an exported model takes raw images.

- `"squeeze"`: raw 0..255 pixels to [-1, 1], the seeds' "training and deployment
  trick" — Keras' `Rescaling(1/127.5, offset=-1)`, the layer the builders insert.
- `"standardize_channel"`, `"standardize_pixel"`: zero-centre and divide by the
  std per channel or per pixel — Keras' `Normalization` with the matching `axis`; its
  `adapt()` streams over datasets and its mean and variance are saved weights.
- `"pca_whitening"`, `"zca_whitening"`: `Whitening`, which Keras lacks.

Example:

>>> whiten = get("zca_whitening")
>>> whiten.adapt(x_train)
>>> inputs = keras.Input((28, 28, 1))
>>> model = keras.Model(inputs, classifier(whiten(inputs)))

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, preprocessing: standardize vs squeeze): -0.35 ± 0.94 pt, within noise / depends (3 seeds).
Measured (tips.json, preprocessing: zca vs standardize): -0.61 ± 0.83 pt, within noise / depends (3 seeds).
"""

import keras
import numpy as np

from kerasrecipes._names import unknown_name_error
from kerasrecipes.layers.streaming import iterate_batches
from kerasrecipes.layers.streaming import mean_and_covariance


def squeeze(name="squeeze"):
    """Returns the layer mapping raw 0..255 pixels to [-1, 1]: `x / 127.5 - 1`."""
    return keras.layers.Rescaling(1.0 / 127.5, offset=-1.0, name=name)


def standardization(per="channel", name=None, dtype="float32"):
    """Returns a `keras.layers.Normalization` that standardises per channel or pixel.

    Args:
        per: `"channel"` (one mean and std per channel, over all pixels) or
            `"pixel"` (one per position and channel, over the images).
        name: optional layer name.
        dtype: the layer's dtype policy. Defaults to `"float32"`, whatever the global
            policy: Keras' `Normalization.adapt()` fails under `mixed_bfloat16` (it adds
            its float32 running mean to a bfloat16 batch mean), and the statistics of
            raw 0..255 pixels want float32 anyway; the next layer casts to its own
            compute dtype.

    Returns:
        An un-adapted `keras.layers.Normalization`; call `adapt(data)` with an
        array or a batched `tf.data.Dataset` of images or `(images, labels)`.
    """
    axes = {"channel": -1, "pixel": (-3, -2, -1)}
    if per not in axes:
        raise ValueError(f"Argument `per` must be one of {sorted(axes)}. Received: per={per!r}")
    return keras.layers.Normalization(axis=axes[per], name=name, dtype=dtype)


@keras.saving.register_keras_serializable(package="kerasrecipes")
class Whitening(keras.layers.Layer):
    """PCA or ZCA whitening of whole images, learned with `adapt()`.

    With X the flattened, centred images, `cov = XᵀX / N`, `U, S, _ = svd(cov)`:
    PCA whitening outputs `X·U / sqrt(S + ε)` (the decorrelated components, flat,
    optionally only the first `n_components`); ZCA whitening rotates back,
    `X·U·diag(1/sqrt(S + ε))·Uᵀ`, so the output keeps the image shape and stays
    closest to the input. Keras has no whitening layer. The mean and projection are
    non-trainable weights, saved with the model.

    Args:
        method: `"zca"` (default) or `"pca"`.
        epsilon: float > 0 added to the eigenvalues. Defaults to 1e-5.
        n_components: optional int, PCA only: keep the top components.
        **kwargs: base layer arguments.

    Input shape: `(B, H, W, C)` (or any `(B, ...)`); D = H·W·C features.
    Output shape: the input shape for ZCA; `(B, n_components or D)` for PCA.

    Example:

    >>> layer = Whitening("zca")
    >>> layer.adapt(tf_dataset_of_images_and_labels)
    >>> white = layer(images)
    """

    def __init__(self, method="zca", epsilon=1e-5, n_components=None, **kwargs):
        super().__init__(**kwargs)
        if method not in ("pca", "zca"):
            raise ValueError(f"Argument `method` must be 'pca' or 'zca'. Received: method={method!r}")
        if not isinstance(epsilon, (int, float)) or epsilon <= 0:
            raise ValueError(f"Argument `epsilon` must be > 0. Received: epsilon={epsilon!r}")
        if n_components is not None and (
            method != "pca" or not isinstance(n_components, int) or n_components < 1
        ):
            raise ValueError(
                "Argument `n_components` must be None, or a positive integer with "
                f"method='pca'. Received: n_components={n_components!r}, method={method!r}"
            )
        self.method = method
        self.epsilon = float(epsilon)
        self.n_components = n_components

    def build(self, input_shape):
        features = int(np.prod(input_shape[1:]))
        if self.n_components is not None and self.n_components > features:
            raise ValueError(
                f"Argument `n_components` must be at most the {features} input features. "
                f"Received: n_components={self.n_components}"
            )
        outputs = features if self.method == "zca" else (self.n_components or features)
        self.mean = self.add_weight(shape=(features,), name="mean", initializer="zeros",
                                    trainable=False)
        self.projection = self.add_weight(shape=(features, outputs), name="projection",
                                          initializer="identity", trainable=False)
        self.built = True

    def adapt(self, data, batch_size=1024):
        """Learns the mean and whitening projection from `data`, streaming.

        Sums and the D×D sum of outer products are accumulated in float64 one batch
        at a time, so the data is never copied whole.

        Args:
            data: images `(N, ...)` as an array, or a `tf.data.Dataset` of images
                or `(images, labels)`, batched or not.
            batch_size: int, rows per step for arrays.
        """
        shapes = []

        def rows():
            for batch in iterate_batches(data, batch_size):
                shapes.append((None,) + batch.shape[1:])
                yield batch.reshape(len(batch), -1)

        mean, covariance, _ = mean_and_covariance(rows())
        shape = shapes[0]
        u, s, _ = np.linalg.svd(covariance, hermitian=True)
        scale = 1.0 / np.sqrt(np.clip(s, 0, None) + self.epsilon)
        if self.method == "zca":
            projection = (u * scale) @ u.T
        else:
            keep = self.n_components or len(s)
            projection = u[:, :keep] * scale[:keep]
        if not self.built:
            self.build(shape)
        elif tuple(self.projection.shape) != projection.shape:
            raise ValueError(
                f"The layer was built for {self.mean.shape[0]} features but `data` has "
                f"{len(mean)}: shape {shape}."
            )
        self.mean.assign(mean.astype("float32"))
        self.projection.assign(projection.astype("float32"))

    def call(self, inputs):
        inputs = keras.ops.cast(inputs, self.compute_dtype)
        flat = keras.ops.reshape(inputs, (keras.ops.shape(inputs)[0], -1)) - self.mean
        white = keras.ops.matmul(flat, self.projection)
        if self.method == "zca":
            return keras.ops.reshape(white, keras.ops.shape(inputs))
        return white

    def compute_output_shape(self, input_shape):
        if self.method == "zca":
            return input_shape
        return (input_shape[0], self.n_components or int(np.prod(input_shape[1:])))

    def get_config(self):
        return {**super().get_config(), "method": self.method, "epsilon": self.epsilon,
                "n_components": self.n_components}


_FACTORIES = {
    "squeeze": squeeze,
    "standardize_channel": lambda name=None: standardization("channel", name=name),
    "standardize_pixel": lambda name=None: standardization("pixel", name=name),
    "pca_whitening": lambda name=None, **kw: Whitening("pca", name=name, **kw),
    "zca_whitening": lambda name=None, **kw: Whitening("zca", name=name, **kw),
}


def names():
    """Returns the sorted preprocessing names that `get()` accepts."""
    return sorted(_FACTORIES)


def get(identifier, **kwargs):
    """Returns a new preprocessing layer for a name, a config dict or a layer.

    Args:
        identifier: a name from `names()`, a layer config dict, or a layer
            (returned as is).
        **kwargs: passed to the factory, e.g. `name=`, or `epsilon=` and
            `n_components=` for whitening.

    Returns:
        A `keras.layers.Layer` (adapt it first where it learns statistics).

    Raises:
        ValueError: unknown name, listing the known ones.
    """
    if isinstance(identifier, keras.layers.Layer):
        return identifier
    if isinstance(identifier, dict):
        return keras.layers.deserialize(identifier)
    if identifier not in _FACTORIES:
        raise unknown_name_error("preprocessing", identifier, names())
    return _FACTORIES[identifier](**kwargs)
