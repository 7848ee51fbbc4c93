"""The data fine-tuning takes: `(x, y)` arrays or a `tf.data.Dataset` of `(image, label)`.

Fine-tuning sets are small to medium (the table's "little" is tens of images per class,
"a lot" thousands), and the planner splits and re-reads them, so a dataset is read once
into memory here.
"""

import numpy as np


def as_arrays(data, name, labels_required=True):
    """Returns `(x, y)`: images `(N, H, W, C)` and int32 labels `(N,)` (y None if absent).

    Args:
        data: `(x, y)`, images alone (with `labels_required=False`), or a
            `tf.data.Dataset` of `(image, label)` pairs, batched or not.
        name: str, the argument name used in errors.
        labels_required: bool.

    Raises:
        ValueError / TypeError: wrong rank, lengths that differ, negative labels.
    """
    y = None
    if hasattr(data, "element_spec"):
        x, y = _read_dataset(data, name)
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = np.asarray(data[0]), np.asarray(data[1])
    elif isinstance(data, np.ndarray) and not labels_required:
        x = data
    else:
        raise TypeError(
            f"Argument `{name}` must be a pair of arrays (x, y) or a tf.data.Dataset of "
            f"(image, label) pairs. Received: {name} of type {type(data).__name__}"
        )
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.ndim != 4 or len(x) == 0:
        raise ValueError(
            f"Argument `{name}` must hold images (N, H, W, C) or (N, H, W), N >= 1. "
            f"Received: images of shape {x.shape}"
        )
    if y is None:
        if labels_required:
            raise ValueError(f"Argument `{name}` must hold labels. Received: images only")
        return x, None
    y = np.asarray(y).reshape(-1) if np.asarray(y).ndim == 2 and np.asarray(y).shape[1] == 1 \
        else np.asarray(y)
    if y.ndim != 1 or len(y) != len(x):
        raise ValueError(
            f"Argument `{name}` must hold one integer label per image. Received: "
            f"{len(x)} images and labels of shape {y.shape}"
        )
    if not np.issubdtype(y.dtype, np.integer) or (len(y) and y.min() < 0):
        raise ValueError(
            f"Argument `{name}` must hold integer labels >= 0. Received: labels of dtype "
            f"{y.dtype} with minimum {y.min() if len(y) else None}"
        )
    return x, y.astype(np.int32)


def _read_dataset(dataset, name):
    spec = dataset.element_spec
    if not isinstance(spec, tuple) or len(spec) != 2:
        raise ValueError(
            f"Argument `{name}` must be a tf.data.Dataset of (image, label) pairs. "
            f"Received: a dataset of {spec}"
        )
    batched = len(spec[0].shape) == 4
    images, labels = [], []
    for image, label in dataset.as_numpy_iterator():
        images.append(image)
        labels.append(label)
    if not images:
        raise ValueError(f"Argument `{name}` must hold at least one image. Received: an empty dataset")
    if batched:
        return np.concatenate(images), np.concatenate(labels)
    return np.stack(images), np.asarray(labels)


def check_images(x, input_shape, name):
    """Raises a `ValueError` when images do not fit the base's input `(H, W, C)`."""
    expected = tuple(input_shape[1:])
    if any(e is not None and e != a for e, a in zip(expected, x.shape[1:])):
        raise ValueError(
            f"Argument `{name}` must hold images of the base's input shape {expected}; "
            f"resize them first (e.g. keras.ops.image.resize). Received: images of shape "
            f"{tuple(x.shape[1:])}"
        )


def check_labels(y, classes, name):
    """Raises a `ValueError` for labels outside `[0, classes)` or fewer than 2 classes."""
    if classes < 2:
        raise ValueError(f"Argument `classes` must be >= 2. Received: classes={classes}")
    if y.max() >= classes:
        raise ValueError(
            f"Argument `{name}` must hold labels in [0, {classes}). Received: label {int(y.max())}"
        )


def per_class(y, classes):
    """Returns the median number of labelled images per class (classes without any count 0)."""
    return float(np.median(np.bincount(y, minlength=classes)))


def stratified_split(x, y, fraction, seed):
    """Splits off a seeded, stratified `fraction` of every class; returns `(train, held_out)`.

    Every class keeps at least one training image and gives at least one held-out image.
    """
    rng = np.random.default_rng(seed)
    held = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        take = min(max(1, int(round(len(members) * fraction))), len(members) - 1)
        held.extend(members[:take])
    mask = np.zeros(len(y), bool)
    mask[np.asarray(held, int)] = True
    return (x[~mask], y[~mask]), (x[mask], y[mask])
