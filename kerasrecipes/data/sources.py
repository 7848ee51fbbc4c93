"""Image sources: `source(data)` turns any of them into one `Source` a recipe trains from.

`data` may be a registered name (`"fashion_mnist"`, `"digits"`), a local TFDS name, a
folder of images (streamed from disk), a pair of arrays `(x, y)` (or `((x, y), (x_test,
y_test))`) or a `tf.data.Dataset` of `(image, label)`. The lower-level loaders (a pair
of IDX files, `keras.utils.image_dataset_from_directory`, TFDS) are here too.

All give what `kerasrecipes.data.pipeline` takes: uint8 arrays `(N, H, W, C)` with int32
labels, or a `tf.data.Dataset` of unbatched `(uint8 image, int32 label)` pairs.
"""

import dataclasses
import os

import numpy as np
import tensorflow as tf

from kerasrecipes._names import unknown_name_error
from kerasrecipes.data import datasets
from kerasrecipes.data import folders
from kerasrecipes.data import validation
from kerasrecipes.data.idx import read_idx
from kerasrecipes.data.splits import stratified_split

# What a config records for data passed as Python objects (a config holds strings only).
ARRAYS = "<arrays>"
DATASET = "<dataset>"
# scikit-learn's digits have no test split; this fixed, stratified share is held out.
DIGITS_TEST_FRACTION = 0.2


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


@dataclasses.dataclass
class Source:
    """Training, validation and test data in one form, whatever they came from.

    Attributes:
        train, val: `(x, y)` NumPy arrays (uint8 images `(N, H, W, C)`, int32 labels)
            or `tf.data.Dataset`s of unbatched `(uint8 image, int32 label)` pairs
            (folders and datasets: streamed, never held whole in memory).
        test: the same, or None when the data has no test set.
        class_names: list of str, indexed by label.
        input_shape: `(H, W, C)` of every image.
        num_train, num_val, num_test: sample counts (0 when absent).
        description: str, what `data` was (a name, a path, `"<arrays>"`, `"<dataset>"`).
        skipped_files: list of the unreadable files left out (`skip_bad_files=True`).
    """

    train: object
    val: object
    test: object
    class_names: list
    input_shape: tuple
    num_train: int
    num_val: int
    num_test: int
    description: str
    skipped_files: list = dataclasses.field(default_factory=list)

    @property
    def classes(self):
        """The number of classes."""
        return len(self.class_names)

    @property
    def streamed(self):
        """Whether the splits are `tf.data.Dataset`s rather than arrays."""
        return isinstance(self.train, tf.data.Dataset)

    def take(self, split, count):
        """Returns the first `count` samples of `split` (`"train"`, `"val"`, `"test"`) as arrays."""
        data = getattr(self, split)
        if data is None:
            raise ValueError(f"Argument `split` must name a split this source has. Received: split={split!r}")
        if isinstance(data, tf.data.Dataset):
            pairs = list(data.take(count).as_numpy_iterator())
            return np.stack([p[0] for p in pairs]), np.asarray([p[1] for p in pairs], np.int32)
        return data[0][:count], data[1][:count]


def describe(data):
    """Returns the string a config records for `data`: itself, a path, `"<arrays>"` or `"<dataset>"`."""
    if isinstance(data, str):
        return data
    if isinstance(data, os.PathLike):
        return os.fspath(data)
    if isinstance(data, tf.data.Dataset):
        return DATASET
    return ARRAYS


def names():
    """Returns the registered data names (TFDS names and folders are accepted too)."""
    return sorted(set(datasets.names()) | {"digits"})


def source(data, *, image_size=None, color_mode=None, validation_split=0.1, seed=0, cache=None,
           skip_bad_files=False, train_samples=None, data_dir=None, split_seed=None, fold=0):
    """Turns a name, a folder, arrays or a dataset into a `Source`, checking it all first.

    Validation data is a seeded, stratified `validation_split` of the training data,
    or the folder's `val/` when it has one. Test data is the registered set's test
    split, the folder's `test/`, or the test arrays, when given; otherwise `test` is
    None.

    Args:
        data: one of
            - a registered name (`names()`: `"fashion_mnist"`, `"digits"` —
              scikit-learn's 8×8 digits scaled to 0..255, with a fixed stratified
              20 % held out as the test set), or a TFDS name prepared locally (never
              downloaded);
            - a folder path: one sub-folder per class, or `train/` + `test/` (+ `val/`)
              each with class sub-folders; PNG, JPEG, BMP, GIF; other files ignored;
            - arrays `(x, y)` or `((x, y), (x_test, y_test))`: images `(N, H, W)` or
              `(N, H, W, C)` with raw pixels in 0..255, integer labels from 0;
            - a `tf.data.Dataset` of unbatched `(image, label)` pairs that yields the
              same order on every pass (its labels are read once to split it).
        image_size: optional `(height, width)`, int or `"HxW"`; images are resized to
            it. Defaults to the images' own size (a folder of mixed sizes raises).
        color_mode: None (from the files: grayscale when every image is gray),
            `"grayscale"` or `"rgb"`.
        validation_split: float in (0, 1), the stratified validation share.
        seed: int, for the split and the file order.
        cache: None, `"memory"` or a file path: cache decoded images (folders and
            datasets) after the first pass.
        skip_bad_files: bool, leave unreadable image files out (and warn how many)
            instead of raising.
        train_samples: optional int, keep only this many training samples (a random,
            stratified-in-expectation subset).
        data_dir: optional str, where registered and TFDS data is looked for first.
        split_seed: optional int, seeds the validation split instead of `seed` (ensemble
            members with different seeds then share one split).
        fold: int, the held-out block of the split (`validation_split=1/k`, folds
            `0..k-1`: a stratified k-fold cross-validation). Defaults to 0.

    Returns:
        A `Source`.

    Raises:
        ValueError: bad data, naming the path, file or array at fault: an empty folder
            or class folder, a single class, no image files, a corrupt image, mixed
            sizes without `image_size`, labels out of range, arrays of the wrong rank.
        TypeError: `data` of another type.

    Example:

    >>> src = source("path/to/images", image_size=(64, 64), cache="memory")
    >>> src.class_names, src.input_shape, src.num_train
    (['cats', 'dogs'], (64, 64, 3), 1800)
    >>> train = pipeline(src.train, batch_size=32, training=True, shuffle_buffer=1000, seed=0)
    """
    size = folders.parse_image_size(image_size)
    folders.check_color_mode(color_mode)
    folders.check_cache(cache)
    if not 0 < validation_split < 1:
        raise ValueError(
            f"Argument `validation_split` must be in (0, 1). Received: validation_split={validation_split!r}"
        )
    if train_samples is not None and (not isinstance(train_samples, (int, np.integer)) or train_samples < 1):
        raise ValueError(f"Argument `train_samples` must be None or a positive integer. Received: train_samples={train_samples!r}")
    options = dict(image_size=size, color_mode=color_mode, validation_split=validation_split,
                   seed=seed, cache=cache, train_samples=train_samples,
                   split_seed=seed if split_seed is None else split_seed, fold=fold)
    if isinstance(data, os.PathLike) or (isinstance(data, str) and (
            os.path.isdir(data) or os.sep in data or data.startswith("."))):
        return _from_folder(os.fspath(data), skip_bad_files=skip_bad_files, **options)
    if isinstance(data, str):
        return _from_name(data, data_dir, options)
    if isinstance(data, tf.data.Dataset):
        return _from_dataset(data, None, DATASET, None, options)
    if isinstance(data, (tuple, list)) and len(data) == 2:
        if all(isinstance(part, (tuple, list)) and len(part) == 2 for part in data):
            return _from_arrays(data[0], data[1], ARRAYS, None, options)
        return _from_arrays(data, None, ARRAYS, None, options)
    raise TypeError(
        "Argument `data` must be a registered name, a folder path, arrays (x, y) or "
        "((x, y), (x_test, y_test)), or a tf.data.Dataset of (image, label). "
        f"Received: data of type {type(data).__name__}"
    )


def _from_name(name, data_dir, options):
    if name in datasets.names():
        (x, y), test = datasets.load(name, data_dir=data_dir)
        return _from_arrays((x, y), test, name, datasets.class_names(name), options)
    if name == "digits":
        (x, y), test = load_digits()
        return _from_arrays((x, y), test, name, [str(i) for i in range(10)], options)
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        tfds = None
    if tfds is None or name not in tfds.list_builders():
        raise unknown_name_error("data", name, names() + ["<a folder path>", "<a TFDS name>"])
    train = load_tfds(name, "train", data_dir)
    try:
        test = load_tfds(name, "test", data_dir)
    except (FileNotFoundError, ValueError):
        test = None
    info = tfds.builder(name, data_dir=data_dir).info
    label = info.features[info.supervised_keys[1]] if info.supervised_keys else None
    class_names = list(getattr(label, "names", None) or []) or None
    return _from_dataset(train, test, name, class_names, options)


def load_digits():
    """Returns scikit-learn's 8×8 handwritten digits as `((x, y), (x_test, y_test))`.

    Pixels (0..16) are scaled to uint8 0..255; a fixed, stratified 20 % (seed 0) is the
    test set, so every run tests on the same images.

    Raises:
        ImportError: scikit-learn is not installed (with the pip command).
    """
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError(
            "The `digits` data set needs scikit-learn: `pip install scikit-learn`."
        ) from None
    bunch = sklearn_digits()
    x = np.round(bunch.images * (255.0 / 16.0)).astype(np.uint8)[..., np.newaxis]
    y = bunch.target.astype(np.int32)
    train, test = stratified_split(y, DIGITS_TEST_FRACTION, seed=0)
    return (x[train], y[train]), (x[test], y[test])


def _as_pixels(x, name):
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.ndim != 4:
        raise ValueError(
            f"Argument `{name}` must be images of rank 3 (N, H, W) or 4 (N, H, W, C). "
            f"Received: {name}.shape={x.shape}"
        )
    x = validation.validate_images(x, channels=(1, 3, 4), name=name)
    if x.dtype == np.uint8:
        return x
    low, high = float(x.min()), float(x.max())
    if low < 0 or high > 255 or (x.dtype.kind == "f" and high <= 1.0):
        raise ValueError(
            f"Argument `{name}` must hold raw pixels in 0..255 (the model scales them). "
            f"Received: values from {low} to {high}"
        )
    return np.round(x).astype(np.uint8)


def _convert_arrays(x, size, channels):
    if size is not None and tuple(x.shape[1:3]) != size:
        resized = [tf.image.resize(x[i:i + 4096], size) for i in range(0, len(x), 4096)]
        x = np.concatenate([np.clip(np.round(r.numpy()), 0, 255).astype(np.uint8) for r in resized])
    if channels is not None and x.shape[-1] != channels:
        x = _convert_channels(tf.constant(x), channels).numpy()
    return x


def _convert_channels(images, channels):
    """uint8 images with 1, 3 or 4 channels to `channels` (1 or 3)."""
    if images.shape[-1] == 4:
        images = images[..., :3]
    if channels == 3 and images.shape[-1] == 1:
        return tf.repeat(images, 3, axis=-1)
    if channels == 1 and images.shape[-1] == 3:
        gray = tf.image.rgb_to_grayscale(tf.cast(images, tf.float32))
        return tf.cast(tf.clip_by_value(tf.round(gray), 0, 255), tf.uint8)
    return images


def _check_classes(y, description, class_names):
    classes = len(class_names) if class_names else int(y.max()) + 1
    if int(y.min()) < 0 or int(y.max()) >= classes:
        raise ValueError(
            f"Argument `data` must hold labels in [0, {classes}). Received: labels from "
            f"{int(y.min())} to {int(y.max())} in {description}"
        )
    if len(np.unique(y)) < 2:
        raise ValueError(
            f"Argument `data` must hold at least two classes. Received: only label "
            f"{int(y[0])} in {description}"
        )
    return classes


def _from_arrays(train, test, description, class_names, options):
    x = _as_pixels(train[0], "x")
    y = validation.validate_labels(train[1], len(x), name="y").astype(np.int32)
    classes = _check_classes(y, "the training labels `y`", class_names)
    channels = folders.CHANNELS.get(options["color_mode"])
    x = _convert_arrays(x, options["image_size"], channels or (3 if x.shape[-1] == 4 else None))
    if test is not None:
        x_test = _as_pixels(test[0], "x_test")
        y_test = validation.validate_labels(test[1], len(x_test), classes=classes,
                                            name="y_test").astype(np.int32)
        x_test = _convert_arrays(x_test, tuple(x.shape[1:3]), x.shape[-1])
        test = (x_test, y_test)
    train_idx, val_idx = stratified_split(y, options["validation_split"], options["split_seed"],
                                        fold=options["fold"])
    if options["train_samples"] is not None:
        train_idx = train_idx[: options["train_samples"]]
    return Source(
        train=(x[train_idx], y[train_idx]), val=(x[val_idx], y[val_idx]), test=test,
        class_names=list(class_names or [str(i) for i in range(classes)]),
        input_shape=tuple(x.shape[1:]), num_train=len(train_idx), num_val=len(val_idx),
        num_test=0 if test is None else len(test[1]), description=description,
    )


def _from_folder(root, image_size, color_mode, validation_split, seed, cache, train_samples,
                 skip_bad_files, split_seed=None, fold=0):
    split_seed = seed if split_seed is None else split_seed
    splits = folders.layout(root)
    train, class_names, skipped = folders.scan(splits["train"], skip_bad_files=skip_bad_files)
    lists = {"train": train}
    for split in ("val", "test"):
        if split in splits:
            lists[split], _, more = folders.scan(splits[split], class_names, skip_bad_files)
            skipped += more
    size = image_size or folders.common_size(lists.values())
    color_mode = color_mode or folders.color_mode_of(lists.values())
    channels = folders.CHANNELS[color_mode]
    resize = any(s != size for files in lists.values() for s in files.sizes)
    if "val" not in lists:
        train_idx, val_idx = stratified_split(train.labels, validation_split, split_seed, fold=fold)
        lists["val"] = _subset(train, val_idx)
    else:
        train_idx = np.random.default_rng(seed).permutation(len(train.paths))
    if train_samples is not None:
        train_idx = train_idx[:train_samples]
    lists["train"] = _subset(train, train_idx)
    cached = {split: None if cache is None or cache == "memory" else f"{os.fspath(cache)}.{split}"
              for split in lists}
    if cache == "memory":
        cached = dict.fromkeys(lists, "memory")
    streams = {split: folders.stream(files, size, channels, resize,
                                     shuffle_seed=seed if split == "train" else None,
                                     cache=cached[split])
               for split, files in lists.items()}
    return Source(
        train=streams["train"], val=streams["val"], test=streams.get("test"),
        class_names=class_names, input_shape=(*size, channels),
        num_train=len(lists["train"].paths), num_val=len(lists["val"].paths),
        num_test=len(lists["test"].paths) if "test" in lists else 0,
        description=root, skipped_files=skipped,
    )


def _subset(files, indices):
    return folders.FileList([files.paths[i] for i in indices], files.labels[indices],
                            [files.sizes[i] for i in indices], [files.modes[i] for i in indices])


def _dataset_labels(dataset, description):
    labels = np.fromiter(dataset.map(lambda image, label: label).as_numpy_iterator(), np.int64)
    if not len(labels):
        raise ValueError(f"Argument `data` must hold at least one sample. Received: an empty {description}")
    return labels


def _from_dataset(dataset, test, description, class_names, options):
    validation.validate_element_spec(dataset, channels=(1, 3, 4), name="data")
    size = options["image_size"]
    shape = tuple(dataset.element_spec[0].shape)
    if size is None and None in shape[:2]:
        raise ValueError(
            f"Argument `image_size` must be given when the dataset's images have no fixed "
            f"size. Received: image_size=None and image shape {shape}"
        )
    size = size or shape[:2]
    channels = folders.CHANNELS.get(options["color_mode"]) or (3 if shape[-1] == 4 else shape[-1])
    labels = _dataset_labels(dataset, "dataset")
    classes = _check_classes(labels, f"the dataset {description!r}", class_names)

    def convert(image, label):
        if image.dtype != tf.uint8:
            image = tf.cast(tf.clip_by_value(tf.round(tf.cast(image, tf.float32)), 0, 255), tf.uint8)
        if tuple(image.shape[:2]) != tuple(size):
            image = tf.cast(tf.clip_by_value(tf.round(tf.image.resize(image, size)), 0, 255), tf.uint8)
        image = _convert_channels(image, channels)
        return tf.ensure_shape(image, (*size, channels)), tf.cast(label, tf.int32)

    train_idx, val_idx = stratified_split(labels, options["validation_split"], options["split_seed"],
                                        fold=options["fold"])
    if options["train_samples"] is not None:
        train_idx = train_idx[: options["train_samples"]]

    def part(indices, suffix):
        keep = np.zeros(len(labels), bool)
        keep[indices] = True
        keep = tf.constant(keep)
        picked = dataset.enumerate().filter(lambda i, pair: tf.gather(keep, i))
        # filter() hides the size; Keras needs it to end an epoch without a warning.
        picked = picked.apply(tf.data.experimental.assert_cardinality(len(indices)))
        picked = picked.map(lambda i, pair: convert(*pair), num_parallel_calls=tf.data.AUTOTUNE)
        cache = options["cache"]
        return folders.apply_cache(picked, cache if cache in (None, "memory") else f"{cache}.{suffix}")

    num_test = 0
    if test is not None:
        test_labels = _dataset_labels(test, "test dataset")
        if test_labels.min() < 0 or test_labels.max() >= classes:
            raise ValueError(
                f"Argument `data` must hold test labels in [0, {classes}). Received: labels "
                f"from {int(test_labels.min())} to {int(test_labels.max())}"
            )
        num_test = len(test_labels)
        test = folders.apply_cache(test.map(convert, num_parallel_calls=tf.data.AUTOTUNE),
                                   options["cache"] if options["cache"] in (None, "memory")
                                   else f"{options['cache']}.test")
    return Source(
        train=part(train_idx, "train"), val=part(val_idx, "val"), test=test,
        class_names=list(class_names or [str(i) for i in range(classes)]),
        input_shape=(*size, channels), num_train=len(train_idx), num_val=len(val_idx),
        num_test=num_test, description=description,
    )
