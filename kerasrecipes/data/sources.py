"""More image sources: a pair of IDX files, an image directory, a local TFDS dataset.

All give what `kerasrecipes.data.pipeline` takes: uint8 arrays `(N, H, W, C)` with int32
labels, or a `tf.data.Dataset` of unbatched `(uint8 image, int32 label)` pairs.
"""

import os

import numpy as np
import tensorflow as tf

from kerasrecipes._names import unknown_name_error
from kerasrecipes.data import validation
from kerasrecipes.data.idx import read_idx


def load_idx(images_path, labels_path):
    """Loads images and labels from two IDX files (plain or gzipped).

    Args:
        images_path: str, IDX file of images `(N, H, W)` or `(N, H, W, C)`.
        labels_path: str, IDX file of labels `(N,)`.

    Returns:
        `(x, y)`: uint8 images `(N, H, W, C)` and int32 labels `(N,)`.

    Raises:
        ValueError: malformed files, or images and labels that do not match.

    Example:

    >>> x, y = load_idx("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    """
    images = read_idx(images_path)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.dtype != np.uint8:
        raise ValueError(
            f"Argument `images_path` must hold uint8 pixels. Received: {images_path!r} "
            f"of dtype {images.dtype}"
        )
    images = validation.validate_images(images, name="images_path")
    labels = validation.validate_labels(read_idx(labels_path), len(images), name="labels_path")
    return images, labels.astype(np.int32)


def from_directory(directory, image_size=(28, 28), color_mode="grayscale", shuffle=False,
                   seed=None, validation_split=None, subset=None):
    """Reads a `class_a/…, class_b/…` image folder with `keras.utils.image_dataset_from_directory`.

    Args:
        directory: str, a folder with one sub-folder per class.
        image_size: (height, width) every image is resized to.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"`.
        shuffle: bool, shuffle the file list once (the pipeline reshuffles anyway).
        seed: optional int, for the shuffle and the split.
        validation_split: optional float in (0, 1), with `subset`.
        subset: `"training"` or `"validation"`, with `validation_split`.

    Returns:
        `(dataset, class_names)`: a `tf.data.Dataset` of unbatched `(uint8 image,
        int32 label)` pairs and the class names, indexed by label.

    Raises:
        ValueError: the folder does not exist or holds no images.

    Example:

    >>> train, class_names = from_directory("flowers/", image_size=(64, 64), color_mode="rgb")
    >>> ds = pipeline(train, batch_size=64, training=True, shuffle_buffer=1000, seed=1)
    """
    import keras

    if not os.path.isdir(directory):
        raise ValueError(
            f"Argument `directory` must be an existing folder of class sub-folders. "
            f"Received: directory={directory!r}"
        )
    dataset = keras.utils.image_dataset_from_directory(
        directory, labels="inferred", label_mode="int", color_mode=color_mode,
        batch_size=None, image_size=tuple(image_size), shuffle=shuffle, seed=seed,
        validation_split=validation_split, subset=subset, verbose=False,
    )
    class_names = list(dataset.class_names)
    if not class_names or dataset.cardinality() == 0:
        raise ValueError(
            f"Argument `directory` must hold images in class sub-folders. "
            f"Received: directory={directory!r} with no images"
        )
    dataset = dataset.map(
        lambda image, label: (tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8),
                              tf.cast(label, tf.int32)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return dataset, class_names


def load_tfds(name, split="train", data_dir=None):
    """Loads an already-downloaded TFDS dataset as `(image, label)` pairs, never downloading.

    Args:
        name: str, the TFDS name, e.g. `"fashion_mnist"`.
        split: str, the split. Defaults to `"train"`.
        data_dir: optional str, where TFDS keeps its data.

    Returns:
        A `tf.data.Dataset` of unbatched `(uint8 image, int32 label)` pairs.

    Raises:
        ImportError: `tensorflow-datasets` is not installed (with the pip command).
        ValueError: TFDS knows no dataset `name` (with close matches).
        FileNotFoundError: the data is not prepared locally.
    """
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        raise ImportError(
            "Loading from TFDS needs the `tensorflow-datasets` package: "
            "`pip install tensorflow-datasets`, then prepare the data where it has internet."
        ) from None
    try:
        # download=False: local, already prepared data only; never fetched at run time.
        dataset = tfds.load(name, split=split, data_dir=data_dir, as_supervised=True,
                            download=False)
    except tfds.core.registered.DatasetNotFoundError:
        raise unknown_name_error("name", name, tfds.list_builders()) from None
    except (AssertionError, FileNotFoundError) as error:
        raise FileNotFoundError(
            f"TFDS dataset {name!r} (split {split!r}) is not prepared in "
            f"{data_dir or '~/tensorflow_datasets'} and kerasrecipes never downloads at run "
            f"time ({type(error).__name__}: {error})."
        ) from error
    return dataset.map(lambda image, label: (tf.cast(image, tf.uint8), tf.cast(label, tf.int32)))
