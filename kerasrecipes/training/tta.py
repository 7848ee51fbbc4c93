"""Test-time augmentation (TTA): average the predictions over flipped and shifted views.

The seeds' augmentation at training time has a twin at test time: predict each image
several times, mirrored and shifted by a pixel, and average the class probabilities.
It costs one forward pass per view and usually buys a few tenths of a point.

| name | views |
| --- | --- |
| `"flip"` | the image and its horizontal mirror (2) |
| `"shift"` | the image and its shifts by `shift` pixels up, down, left, right (5) |
| `"flip_shift"` | both sets of views for the image and its mirror (10) |

`predict_tta` computes the views with NumPy on channels-last batches `(N, H, W, C)`;
`tta_model` puts them inside one Keras model (`kerasrecipes.layers.ImageView`), so that a
SavedModel serves the averaged prediction. Shifted views fill the uncovered border
with zeros, as the training pipeline's pad-and-crop does.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, ensembles_extras: tta_flip vs plain): +0.36 ± 0.47 pt, within noise / depends (3 seeds).
"""

import keras
import numpy as np

from kerasrecipes._names import unknown_name_error
from kerasrecipes.layers.views import ImageView

MODES = ("flip", "shift", "flip_shift")


def names():
    """Returns the TTA mode names."""
    return sorted(MODES)


def shift_image(images, dy, dx):
    """Returns `images` `(N, H, W, C)` moved by `dy` rows and `dx` columns, zero-filled."""
    shifted = np.zeros_like(images)
    height, width = images.shape[1:3]
    rows_to = slice(max(dy, 0), height + min(dy, 0))
    rows_from = slice(max(-dy, 0), height + min(-dy, 0))
    cols_to = slice(max(dx, 0), width + min(dx, 0))
    cols_from = slice(max(-dx, 0), width + min(-dx, 0))
    shifted[:, rows_to, cols_to] = images[:, rows_from, cols_from]
    return shifted


def views(images, tta="flip", shift=1):
    """Returns the list of augmented versions of `images` that `tta` averages over.

    Args:
        images: array `(N, H, W, C)`.
        tta: str, one of `names()`. Defaults to `"flip"`.
        shift: int >= 1, the pixel shift of the shifted views. Defaults to 1.

    Returns:
        A list of arrays shaped like `images`, the original first.

    Raises:
        ValueError: an unknown mode, a bad shift or images that are not 4-D.
    """
    specs = view_specs(tta, shift)
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            "Argument `x` must be a batch of images (N, H, W, C). "
            f"Received: x.shape={images.shape}"
        )
    result = []
    for flip, dy, dx in specs:
        view = images[:, :, ::-1] if flip else images
        result.append(shift_image(view, dy, dx) if dy or dx else view)
    return result


def view_specs(tta="flip", shift=1):
    """Returns the views of mode `tta` as `(flip, dy, dx)` triples, the original first.

    Raises:
        ValueError: an unknown mode or a shift that is not an integer >= 1.
    """
    if tta not in MODES:
        raise unknown_name_error("tta", tta, names())
    if isinstance(shift, bool) or not isinstance(shift, int) or shift < 1:
        raise ValueError(f"Argument `shift` must be an integer >= 1. Received: shift={shift!r}")
    flips = (False, True) if tta in ("flip", "flip_shift") else (False,)
    offsets = [(0, 0)]
    if tta in ("shift", "flip_shift"):
        offsets += [(-shift, 0), (shift, 0), (0, -shift), (0, shift)]
    return [(flip, dy, dx) for flip in flips for dy, dx in offsets]


def tta_model(model, tta="flip", shift=1):
    """Returns one `keras.Model` that averages `model`'s probabilities over the TTA views.

    The views are `kerasrecipes.layers.ImageView` layers inside the returned model, so
    it predicts what `predict_tta` does in a single call, saves to `.keras`, and
    exports as a SavedModel or TFLite file that serves the averaged prediction. It
    shares `model`'s weights; each view costs one forward pass.

    Args:
        model: a `keras.Model` that maps images `(None, H, W, C)` to class
            probabilities.
        tta: str, one of `names()`. Defaults to `"flip"`.
        shift: int >= 1, pixels for the shifted views. Defaults to 1.

    Returns:
        A `keras.Model` named `"<model.name>_tta_<tta>"` with `model`'s input and
        output shapes; the views are averaged in float32.

    Raises:
        ValueError: an unknown mode, a bad shift, or a model that does not take a
            batch of images.

    Example:

    >>> served = kr.training.tta_model(recipe.model, "flip")
    >>> served.predict(x_test)  # == predict_tta(recipe.model, x_test, "flip")
    """
    specs = view_specs(tta, shift)
    inputs = getattr(model, "inputs", None)
    if not inputs or len(inputs) != 1 or len(inputs[0].shape) != 4:
        shape = [tuple(i.shape) for i in inputs] if inputs else None
        raise ValueError(
            "Argument `model` must take one batch of images (None, H, W, C). "
            f"Received: a model with input shapes {shape}"
        )
    images = keras.Input(shape=inputs[0].shape[1:], dtype=inputs[0].dtype, name="images")
    outputs = []
    for flip, dy, dx in specs:
        # float32: raw pixels and the averaged probabilities stay exact under a
        # bfloat16 policy; the model casts its input to its own compute dtype.
        view = images if not (flip or dy or dx) else ImageView(
            flip=flip, shift=(dy, dx), dtype="float32",
            name=f"view{'_flip' if flip else ''}_{dy}_{dx}")(images)
        outputs.append(model(view))
    mean = keras.layers.Average(dtype="float32", name="tta_mean")(outputs)
    return keras.Model(images, mean, name=f"{model.name}_tta_{tta}")


def predict_tta(model, x, tta="flip", shift=1, batch_size=256):
    """Returns the class probabilities of `model` averaged over the TTA views of `x`.

    Args:
        model: a `keras.Model` that maps images to class probabilities.
        x: array of images `(N, H, W, C)` in the model's input range.
        tta: str, one of `names()`. Defaults to `"flip"`.
        shift: int, pixels for the shifted views. Defaults to 1.
        batch_size: int, images per forward pass. Defaults to 256.

    Returns:
        A float array `(N, classes)`, the mean of the views' probabilities.

    Example:

    >>> probabilities = kr.training.predict_tta(model, x_test, tta="flip")
    >>> accuracy = (probabilities.argmax(-1) == y_test).mean()
    """
    predictions = [
        np.asarray(model.predict(view.astype("float32"), batch_size=batch_size, verbose=0),
                   dtype=np.float64)
        for view in views(x, tta, shift)
    ]
    return np.mean(predictions, axis=0)


def evaluate_tta(model, x, y, tta="flip", shift=1, batch_size=256):
    """Returns `{"loss", "accuracy"}` of the TTA-averaged probabilities on `(x, y)`.

    Args:
        model, x, tta, shift, batch_size: as in `predict_tta`.
        y: integer labels `(N,)`.

    Returns:
        A dict: `loss`, the mean cross-entropy of the averaged probabilities, and
        `accuracy`.
    """
    y = np.asarray(y).reshape(-1).astype(int)
    probabilities = predict_tta(model, x, tta, shift, batch_size)
    if len(y) != len(probabilities):
        raise ValueError(
            f"Argument `y` must hold one label per image ({len(probabilities)}). "
            f"Received: y.shape={y.shape}"
        )
    picked = np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0)
    return {
        "loss": float(-np.log(picked).mean()),
        "accuracy": float((probabilities.argmax(-1) == y).mean()),
    }
