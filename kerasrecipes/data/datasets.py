"""Loading image classification datasets from local files, with a Keras fallback.

Fashion-MNIST is looked for, in order, in:

1. `data_dir`, when given;
2. the folder of Debian's `dataset-fashion-mnist` package
   (`/usr/share/datasets/fashion-mnist`, see `dpkg -L dataset-fashion-mnist`);
3. Keras' cache, `$KERAS_HOME/datasets/fashion-mnist` or `~/.keras/datasets/fashion-mnist`;
4. `keras.datasets.fashion_mnist.load_data()`, which downloads (Colab and other machines
   with internet access).
"""

import dataclasses
import os

import numpy as np

from kerasrecipes.data.idx import read_idx


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """Where a dataset's IDX files live and how to get them.

    Args:
        folder: str, the folder name used by Debian and by Keras' cache.
        files: dict, split name to (images file, labels file).
        class_names: tuple of str, one per label.
        apt_package: str or None, the Debian package that ships the files.
        keras_loader: str, the `keras.datasets` module used as a download fallback.
    """

    folder: str
    files: dict
    class_names: tuple
    apt_package: str
    keras_loader: str


_IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

DATASETS = {
    "fashion_mnist": DatasetSpec(
        folder="fashion-mnist",
        files=_IDX_FILES,
        class_names=(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ),
        apt_package="dataset-fashion-mnist",
        keras_loader="fashion_mnist",
    ),
}


def names():
    """Returns the sorted names that `load()` accepts."""
    return sorted(DATASETS)


def get_spec(name):
    """Returns the `DatasetSpec` for `name`, or raises a `ValueError` listing names."""
    if name not in DATASETS:
        from kerasrecipes._names import unknown_name_error

        raise unknown_name_error("name", name, names())
    return DATASETS[name]


def class_names(name):
    """Returns the list of class names of dataset `name`, indexed by label."""
    return list(get_spec(name).class_names)


def search_dirs(name, data_dir=None):
    """Returns the folders `load(name)` looks in, in order."""
    spec = get_spec(name)
    keras_home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    dirs = [] if data_dir is None else [os.fspath(data_dir)]
    dirs.append(os.path.join("/usr/share/datasets", spec.folder))
    dirs.append(os.path.join(keras_home, "datasets", spec.folder))
    return dirs


def _find_dir(spec, dirs):
    for folder in dirs:
        wanted = [f for pair in spec.files.values() for f in pair]
        if all(os.path.exists(os.path.join(folder, f)) for f in wanted):
            return folder
    return None


def _load_with_keras(spec, dirs):
    import keras

    loader = getattr(keras.datasets, spec.keras_loader)
    try:
        return loader.load_data()
    except Exception as error:  # Keras raises several kinds on a failed download.
        raise FileNotFoundError(
            f"Dataset files for {spec.keras_loader!r} were not found in {dirs}, and "
            f"the download through `keras.datasets.{spec.keras_loader}` failed "
            f"({type(error).__name__}: {error}). Install the Debian package with "
            f"`apt-get install {spec.apt_package}`, or pass `data_dir=` a folder "
            f"holding {sorted(f for p in spec.files.values() for f in p)}."
        ) from error


def load(name="fashion_mnist", data_dir=None, allow_download=True):
    """Loads a dataset as uint8 NHWC images and integer labels.

    Args:
        name: str, the dataset name; see `names()`. Defaults to `"fashion_mnist"`.
        data_dir: optional str, a folder holding the IDX files; searched first.
        allow_download: bool, whether to fall back to `keras.datasets` (which
            downloads) when no local files are found. Defaults to `True`.

    Returns:
        `((x_train, y_train), (x_test, y_test))` with images of dtype uint8 and
        shape `(N, H, W, C)` and labels of dtype int32 and shape `(N,)`.

    Raises:
        ValueError: unknown `name`.
        FileNotFoundError: no local files and no download possible; the message
            names the Debian package and the Keras fallback.

    Example:

    >>> (x_train, y_train), (x_test, y_test) = load("fashion_mnist")
    >>> x_train.shape, y_train[:5]
    ((60000, 28, 28, 1), array([9, 0, 0, 3, 0], dtype=int32))
    """
    spec = get_spec(name)
    dirs = search_dirs(name, data_dir)
    folder = _find_dir(spec, dirs)
    if folder is not None:
        splits = []
        for split in ("train", "test"):
            images_file, labels_file = spec.files[split]
            splits.append(
                (
                    read_idx(os.path.join(folder, images_file)),
                    read_idx(os.path.join(folder, labels_file)),
                )
            )
    elif allow_download:
        splits = _load_with_keras(spec, dirs)
    else:
        raise FileNotFoundError(
            f"Dataset files for {name!r} were not found in {dirs} and "
            f"`allow_download=False`. Install them with `apt-get install "
            f"{spec.apt_package}`, or allow the `keras.datasets.{spec.keras_loader}` "
            f"download."
        )
    return tuple(_standardize(x, y) for x, y in splits)


def _standardize(images, labels):
    images = np.asarray(images, dtype=np.uint8)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    return images, np.asarray(labels, dtype=np.int32)
