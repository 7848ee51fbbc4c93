"""Writes image folders for the data-source tests: real Fashion-MNIST images or noise."""

import os

import numpy as np


def write_images(folder, images, labels, class_names, extension="png"):
    """Writes uint8 `images` as `folder/<class name>/<index>.<extension>`; returns `folder`."""
    from PIL import Image

    for name in class_names:
        os.makedirs(os.path.join(folder, name), exist_ok=True)
    for index, (image, label) in enumerate(zip(images, labels)):
        pixels = image[..., 0] if image.shape[-1] == 1 else image
        Image.fromarray(pixels).save(
            os.path.join(folder, class_names[label], f"{index:05d}.{extension}"))
    return str(folder)


def fashion_subset(fashion_mnist, classes=3, per_class=40, split="train"):
    """The first `per_class` images of each of the first `classes` Fashion-MNIST classes."""
    (x_train, y_train), (x_test, y_test) = fashion_mnist
    x, y = (x_train, y_train) if split == "train" else (x_test, y_test)
    keep = np.concatenate([np.flatnonzero(y == c)[:per_class] for c in range(classes)])
    return x[keep], y[keep]


def write_noise_pngs(folder, count, size, classes=2, seed=0):
    """Writes `count` incompressible RGB PNGs (uniform noise, stored uncompressed).

    Returns:
        The total number of bytes written.
    """
    from PIL import Image

    rng = np.random.default_rng(seed)
    written = 0
    for label in range(classes):
        os.makedirs(os.path.join(folder, f"class_{label}"), exist_ok=True)
    for index in range(count):
        path = os.path.join(folder, f"class_{index % classes}", f"{index:05d}.png")
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(
            path, compress_level=0)
        written += os.path.getsize(path)
    return written
