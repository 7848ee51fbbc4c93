"""A grid of original images and augmented versions of them, to look at a policy."""

import os

import keras
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from kerasrecipes.layers.augmentation import augmentation_policy
from kerasrecipes.layers.streaming import iterate_batches


def _first_images(dataset_or_images, count):
    taken, total = [], 0
    for batch in iterate_batches(dataset_or_images, batch_size=count):
        taken.append(batch[: count - total])
        total += len(taken[-1])
        if total >= count:
            break
    if not total:
        raise ValueError("Argument `dataset_or_images` must hold at least one image. Received: none")
    images = np.concatenate(taken)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            "Argument `dataset_or_images` must hold images (H, W, 1) or (H, W, 3). "
            f"Received: a batch of shape {images.shape}"
        )
    return images.astype("float32")


def augmentation_grid(dataset_or_images, policy, path, count=8, versions=3, seed=0,
                      value_range=(0, 255), title=None):
    """Writes a PNG: a row of original images, then `versions` rows of augmented ones.

    Args:
        dataset_or_images: images `(N, H, W, C)` (C = 1 or 3), or a
            `tf.data.Dataset` of images or `(images, labels)`, batched or not.
        policy: a policy name (`kerasrecipes.layers.augmentation.names()`), or a
            Keras layer / callable applied to float32 batches.
        path: str, the PNG file to write (folders are created).
        count: int, images per row. Defaults to 8.
        versions: int, augmented rows. Defaults to 3.
        seed: int, the policy's seed when `policy` is a name.
        value_range: (low, high) of the pixels, for display. Defaults to (0, 255).
        title: optional str; defaults to the policy's name.

    Returns:
        `path`.

    Example:

    >>> (x, y), _ = kerasrecipes.data.load("fashion_mnist")
    >>> augmentation_grid(x, "strong", "strong.png")
    """
    for name, value in (("count", count), ("versions", versions)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"Argument `{name}` must be a positive integer. Received: {name}={value!r}")
    label = policy if isinstance(policy, str) else getattr(policy, "name", type(policy).__name__)
    if isinstance(policy, str):
        policy = augmentation_policy(policy, seed=seed)
    elif not callable(policy):
        raise TypeError(f"Argument `policy` must be a name or a callable. Received: policy={policy!r}")
    images = _first_images(dataset_or_images, count)
    rows = [images]
    for _ in range(versions):
        if policy is None:
            rows.append(images)
        elif isinstance(policy, keras.layers.Layer):
            rows.append(keras.ops.convert_to_numpy(policy(images, training=True)))
        else:
            rows.append(keras.ops.convert_to_numpy(policy(images)))
    low, high = value_range
    n = len(images)
    figure = Figure(figsize=(1.2 * n + 1.2, 1.25 * len(rows) + 0.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(rows), n, squeeze=False)
    for r, row in enumerate(rows):
        for c in range(n):
            ax = axes[r][c]
            shown = (np.clip(row[c], low, high) - low) / (high - low)
            if shown.shape[-1] == 1:
                ax.imshow(shown[..., 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            else:
                ax.imshow(shown, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r][0].set_ylabel("original" if r == 0 else f"augmented {r}", fontsize=9)
    figure.suptitle(title or f"augmentation policy: {label}", fontsize=11)
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path)
    return path
