"""Checks on image/label inputs, run before any pipeline is built or any training starts.

Each problem raises a `ValueError` that names the argument, what is allowed and what
was received: wrong rank, a non-numeric or unsupported dtype, an unexpected channel
count, labels that are not integers or fall outside `[0, classes)`, an empty set, NaN
or Inf among float pixels.
"""

import numpy as np

_IMAGE_KINDS = ("u", "i", "f")  # unsigned, signed integer, float


def _check_same_size(x, name):
    """Images of several sizes make a ragged list, not a batch: say so."""
    if isinstance(x, (list, tuple)) and x and all(hasattr(i, "shape") for i in x):
        shapes = sorted({tuple(np.shape(i)) for i in x})
        if len(shapes) > 1:
            raise ValueError(
                f"Argument `{name}` must hold images of one size; resize them first (e.g. "
                "`kerasrecipes.data.from_directory(image_size=...)` or `keras.layers.Resizing`). "
                f"Received: {len(shapes)} sizes, e.g. {shapes[0]} and {shapes[-1]}"
            )


def _check_range(x, value_range, name):
    """Float pixels must lie in `value_range`; a 0..255 range given 0..1 data (or the
    reverse) is caught by the data's own range."""
    if value_range is None or x.dtype.kind != "f":
        return
    low, high = value_range
    x_min, x_max = float(x.min()), float(x.max())
    if high > 1 and x_max <= 1.0:
        raise ValueError(
            f"Argument `{name}` must hold raw pixels in [{low}, {high}] (the model rescales "
            f"them itself); these look scaled to [0, 1] already: multiply by 255. "
            f"Received: {name} in [{x_min:g}, {x_max:g}]"
        )
    if x_min < low or x_max > high:
        hint = " (divide by 255?)" if high <= 1 and x_max <= 255 else ""
        raise ValueError(
            f"Argument `{name}` must hold pixels in [{low}, {high}]{hint}. "
            f"Received: {name} in [{x_min:g}, {x_max:g}]"
        )


def validate_images(x, channels=None, name="x", value_range=None):
    """Checks a batch of images `(N, H, W, C)`; returns it as a NumPy array.

    Args:
        x: array-like of images.
        channels: optional int or tuple of ints, the allowed channel counts.
        name: str, the argument name used in messages.
        value_range: optional `(low, high)`, the range float pixels must lie in,
            e.g. `(0, 255)` for raw pixels; with `high > 1`, float data whose
            maximum is <= 1 is refused as already scaled.

    Raises:
        ValueError: naming the problem and the value received.
    """
    _check_same_size(x, name)
    x = np.asarray(x)
    if x.dtype.kind not in _IMAGE_KINDS:
        raise ValueError(
            f"Argument `{name}` must hold numeric pixels (uint8, integer or float). "
            f"Received: {name}.dtype={x.dtype}"
        )
    if x.ndim != 4:
        raise ValueError(
            f"Argument `{name}` must be a batch of images of rank 4 (N, H, W, C). "
            f"Received: {name}.shape={x.shape}"
        )
    if len(x) == 0:
        raise ValueError(
            f"Argument `{name}` must hold at least one image. Received: {name}.shape={x.shape}"
        )
    if channels is not None:
        allowed = (channels,) if isinstance(channels, int) else tuple(channels)
        if x.shape[-1] not in allowed:
            raise ValueError(
                f"Argument `{name}` must have {' or '.join(map(str, allowed))} channel(s) in its "
                f"last axis (channels_last). Received: {name}.shape={x.shape}"
            )
    if x.dtype.kind == "f":
        finite = np.isfinite(x)
        if not finite.all():
            bad = np.argwhere(~finite)[0]
            index = tuple(int(i) for i in bad)
            raise ValueError(
                f"Argument `{name}` must hold finite pixels; found "
                f"{int((~finite).sum())} NaN/Inf value(s), the first at index {index}. "
                f"Received: {name}[{', '.join(str(int(i)) for i in bad)}]={x[tuple(bad)]}"
            )
    _check_range(x, value_range, name)
    return x


def validate_labels(y, count, classes=None, name="y"):
    """Checks integer class labels, one per image; returns them as a NumPy array.

    Args:
        y: array-like of labels, shape `(N,)`.
        count: int, the number of images they label.
        classes: optional int; labels must then lie in `[0, classes)`.
        name: str, the argument name used in messages.

    Raises:
        ValueError: naming the problem and the value received.
    """
    y = np.asarray(y)
    if y.ndim == 2 and len(y) == count and y.shape[1] > 1 and np.all((y == 0) | (y == 1)) \
            and np.all(y.sum(axis=1) == 1):
        raise ValueError(
            f"Argument `{name}` must hold integer class labels, not one-hot rows: use "
            f"`{name}.argmax(axis=1)`. Received: {name}.shape={y.shape}, {name}[0]={y[0].tolist()}"
        )
    if y.ndim != 1 or len(y) != count:
        raise ValueError(
            f"Argument `{name}` must be a vector of integer labels, one per image ({count}). "
            f"Received: {name}.shape={y.shape}"
        )
    if y.dtype.kind not in ("u", "i"):
        if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise ValueError(
                f"Argument `{name}` must hold integer class labels. Received: {name}.dtype={y.dtype}"
                + (f", e.g. {name}[0]={y[0]!r}" if len(y) else "")
            )
    if classes is not None and len(y):
        low, high = int(y.min()), int(y.max())
        if low < 0 or high >= classes:
            raise ValueError(
                f"Argument `{name}` must hold labels in [0, {classes}) for classes={classes}. "
                f"Received: labels from {low} to {high}"
            )
    return y


def validate_arrays(x, y, classes=None, channels=None, value_range=None, min_classes=None):
    """Validates images and labels together; returns them as NumPy arrays.

    Args:
        x, y, classes, channels, value_range: see `validate_images`, `validate_labels`.
        min_classes: optional int, the fewest distinct labels allowed (2 for training:
            a single class teaches nothing).
    """
    x = validate_images(x, channels=channels, value_range=value_range)
    y = validate_labels(y, len(x), classes=classes)
    if min_classes is not None and len(np.unique(y)) < min_classes:
        raise ValueError(
            f"Argument `y` must hold at least {min_classes} distinct classes to train on. "
            f"Received: only class(es) {np.unique(y).tolist()} in {len(y)} labels"
        )
    return x, y


def validate_element_spec(dataset, channels=None, name="x"):
    """Checks a `tf.data.Dataset` of unbatched `(image, label)` pairs statically.

    Args:
        dataset: the dataset.
        channels: optional int or tuple of ints, the allowed channel counts.
        name: str, the argument name used in messages.

    Raises:
        ValueError: the elements are not `(image of rank 3, scalar label)` pairs, or
            the channel count or dtypes are wrong.
    """
    spec = dataset.element_spec
    if not isinstance(spec, tuple) or len(spec) != 2:
        raise ValueError(
            f"Argument `{name}` must be a dataset of (image, label) pairs. "
            f"Received: element_spec={spec}"
        )
    image, label = spec
    if image.shape.rank != 3:
        raise ValueError(
            f"Argument `{name}` must yield single images of rank 3 (H, W, C), unbatched. "
            f"Received: image shape {image.shape}"
        )
    if not (image.dtype.is_integer or image.dtype.is_floating):
        raise ValueError(
            f"Argument `{name}` must yield numeric images. Received: dtype={image.dtype.name}"
        )
    if not label.dtype.is_integer or label.shape.rank != 0:
        raise ValueError(
            f"Argument `{name}` must yield scalar integer labels. "
            f"Received: label dtype={label.dtype.name}, shape {label.shape}"
        )
    if channels is not None and image.shape[-1] is not None:
        allowed = (channels,) if isinstance(channels, int) else tuple(channels)
        if image.shape[-1] not in allowed:
            raise ValueError(
                f"Argument `{name}` must yield images with {' or '.join(map(str, allowed))} "
                f"channel(s). Received: image shape {image.shape}"
            )
