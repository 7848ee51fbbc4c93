"""Test-time augmentation (TTA): average the predictions over flipped and shifted views.

The seeds' augmentation at training time has a twin at test time: predict each image
several times, mirrored and shifted by a pixel, and average the class probabilities.
It costs one forward pass per view and usually buys a few tenths of a point.

| name | views |
| --- | --- |
| `"flip"` | the image and its horizontal mirror (2) |
| `"shift"` | the image and its shifts by `shift` pixels up, down, left, right (5) |
| `"flip_shift"` | both sets of views for the image and its mirror (10) |

Views are computed with NumPy on channels-last batches `(N, H, W, C)`; shifted views
fill the uncovered border with zeros, as the training pipeline's pad-and-crop does.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, ensembles_extras: tta_flip vs plain): +0.49 ± 0.56 pt, within noise / depends (3 seeds).
"""

import numpy as np

from kerasrecipes._names import unknown_name_error

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
    if tta not in MODES:
        raise unknown_name_error("tta", tta, names())
    if isinstance(shift, bool) or not isinstance(shift, int) or shift < 1:
        raise ValueError(f"Argument `shift` must be an integer >= 1. Received: shift={shift!r}")
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            "Argument `x` must be a batch of images (N, H, W, C). "
            f"Received: x.shape={images.shape}"
        )
    bases = [images, images[:, :, ::-1]] if tta in ("flip", "flip_shift") else [images]
    result = []
    for base in bases:
        result.append(base)
        if tta in ("shift", "flip_shift"):
            for dy, dx in ((-shift, 0), (shift, 0), (0, -shift), (0, shift)):
                result.append(shift_image(base, dy, dx))
    return result


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
