"""Image folders: find the class sub-folders and image files, check every file's header,
and stream decoded images from disk with tf.data.

Two layouts are read:

    flowers/daisy/*.png, flowers/rose/*.jpg, …               (one sub-folder per class)
    flowers/train/<class>/…, flowers/test/<class>/…, [flowers/val/<class>/…]

Files other than PNG, JPEG, BMP and GIF (`.txt`, `.DS_Store`, …) are ignored. Every
image's header is read with Pillow before training (size, colour mode, a checksum pass
for PNG), so a corrupt file is named before the first step rather than failing an epoch
half-way; pixels are decoded later, in parallel, by `tf.io.decode_image`.
"""

import collections
import dataclasses
import os
import warnings

import numpy as np
import tensorflow as tf

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
SPLIT_FOLDERS = ("train", "val", "test")
COLOR_MODES = ("grayscale", "rgb")
CHANNELS = {"grayscale": 1, "rgb": 3}
# Pillow modes decoded as one channel; everything else (RGB, RGBA, P, CMYK …) as RGB.
_GRAY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}
_CACHES_IN_MEMORY = "memory"


def parse_image_size(image_size, name="image_size"):
    """Returns `image_size` as a `(height, width)` tuple of ints, or None.

    Args:
        image_size: None, an int (square), a pair of ints, or a string `"HxW"`,
            `"H,W"` or `"N"` (as written in a config or on the command line).
        name: str, the argument name used in messages.

    Raises:
        ValueError: anything else, or a size below 1.
    """
    if image_size is None:
        return None
    value = image_size
    if isinstance(value, str):
        parts = value.lower().replace(",", "x").split("x")
        try:
            value = tuple(int(p) for p in parts)
        except ValueError:
            value = None
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (int(value), int(value))
    elif isinstance(value, (list, tuple)):
        value = tuple(value) if all(isinstance(v, (int, np.integer)) for v in value) else None
    else:
        value = None
    if value is not None and len(value) == 1:
        value = (value[0], value[0])
    if value is None or len(value) != 2 or min(value) < 1:
        raise ValueError(
            f"Argument `{name}` must be None, a positive int, a (height, width) pair or a "
            f"string 'HxW' such as '64x64'. Received: {name}={image_size!r}"
        )
    return int(value[0]), int(value[1])


@dataclasses.dataclass
class FileList:
    """The image files of one split: paths, integer labels, and what their headers said."""

    paths: list
    labels: np.ndarray
    sizes: list  # (height, width) per file
    modes: list  # Pillow mode per file


def layout(root):
    """Returns `{split: folder}` for `root`: `{"train": root}` or the train/val/test folders.

    Raises:
        ValueError: `root` is not a folder, or is empty.
    """
    if not os.path.isdir(root):
        raise ValueError(
            f"Argument `data` must be a registered name or an existing folder of images. "
            f"Received: data={root!r} (no such folder)"
        )
    entries = [e for e in os.listdir(root) if not e.startswith(".")]
    if not entries:
        raise ValueError(
            f"Argument `data` must be a folder with one sub-folder per class. "
            f"Received: data={root!r}, an empty folder"
        )
    if os.path.isdir(os.path.join(root, "train")):
        return {split: os.path.join(root, split) for split in SPLIT_FOLDERS
                if os.path.isdir(os.path.join(root, split))}
    return {"train": root}


def _image_files(folder):
    found = []
    for parent, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(parent, f) for f in sorted(files)
                     if f.lower().endswith(IMAGE_EXTENSIONS) and not f.startswith("."))
    return found


def class_folders(folder):
    """Returns `{class_name: [image paths]}` for a folder of class sub-folders, sorted.

    Raises:
        ValueError: no class sub-folders, or a class folder without image files.
    """
    classes = sorted(d for d in os.listdir(folder)
                     if not d.startswith(".") and os.path.isdir(os.path.join(folder, d)))
    if not classes:
        loose = [f for f in os.listdir(folder) if f.lower().endswith(IMAGE_EXTENSIONS)]
        detail = (f"it holds {len(loose)} image file(s) but no class sub-folders" if loose
                  else "it has no sub-folders")
        raise ValueError(
            f"Argument `data` must be a folder with one sub-folder per class. "
            f"Received: {folder!r}: {detail}"
        )
    files = {}
    for name in classes:
        files[name] = _image_files(os.path.join(folder, name))
        if not files[name]:
            raise ValueError(
                f"Argument `data` must hold image files (PNG, JPEG, BMP, GIF) in every class "
                f"folder. Received: {os.path.join(folder, name)!r} with no image files"
            )
    return files


def _read_header(path):
    """Returns `((height, width), mode)` of an image file, checking PNG checksums."""
    from PIL import Image

    with Image.open(path) as image:
        size, mode, kind = image.size, image.mode, image.format
        if kind == "PNG":
            image.verify()  # reads every chunk and checks its CRC: catches truncation
    if kind not in ("PNG", "JPEG", "BMP", "GIF", "MPO"):
        raise ValueError(f"{kind} files are not decoded by TensorFlow")
    return (size[1], size[0]), mode


def scan(folder, class_names=None, skip_bad_files=False):
    """Lists and checks the images of one split folder.

    Args:
        folder: str, a folder of class sub-folders.
        class_names: optional list; when given (the training split's), the folder must
            hold exactly these classes.
        skip_bad_files: bool, skip unreadable files (counted) instead of raising.

    Returns:
        `(FileList, class_names, skipped)`: `skipped` lists the files left out.

    Raises:
        ValueError: naming the folder or file at fault.
    """
    files = class_folders(folder)
    found = list(files)
    if class_names is not None and found != list(class_names):
        raise ValueError(
            f"Argument `data` must hold the same class folders in every split. Received: "
            f"{folder!r} has {found}, the training folder has {list(class_names)}"
        )
    if len(found) < 2:
        raise ValueError(
            f"Argument `data` must hold at least two classes (one sub-folder each). "
            f"Received: {folder!r} with the single class {found}"
        )
    paths, labels, sizes, modes, skipped = [], [], [], [], []
    for label, name in enumerate(found):
        kept = 0
        for path in files[name]:
            try:
                size, mode = _read_header(path)
            except Exception as error:  # Pillow raises many kinds on bad files.
                if not skip_bad_files:
                    raise ValueError(
                        f"Argument `data` holds an unreadable or corrupt image file: {path!r} "
                        f"({type(error).__name__}: {error}). Remove it, or pass "
                        f"skip_bad_files=True to leave such files out."
                    ) from None
                skipped.append(path)
                continue
            paths.append(path)
            labels.append(label)
            sizes.append(size)
            modes.append(mode)
            kept += 1
        if not kept:
            raise ValueError(
                f"Argument `data` must hold readable images in every class folder. "
                f"Received: {os.path.join(folder, name)!r} where all {len(files[name])} "
                f"image files are unreadable"
            )
    if skipped:
        warnings.warn(
            f"Skipped {len(skipped)} unreadable image file(s) in {folder!r}, e.g. "
            f"{skipped[0]!r}.", stacklevel=3,
        )
    return FileList(paths, np.asarray(labels, np.int32), sizes, modes), found, skipped


def common_size(file_lists):
    """Returns the one `(height, width)` of all files, or raises listing the mixed sizes."""
    counts = collections.Counter()
    example = {}
    for files in file_lists:
        for path, size in zip(files.paths, files.sizes):
            counts[size] += 1
            example.setdefault(size, path)
    if len(counts) > 1:
        listed = ", ".join(f"{h}x{w} ({n} files, e.g. {example[(h, w)]!r})"
                           for (h, w), n in counts.most_common(5))
        raise ValueError(
            f"Argument `image_size` must be given when the images differ in size. "
            f"Received: image_size=None and {len(counts)} sizes: {listed}"
        )
    return next(iter(counts))


def color_mode_of(file_lists):
    """Returns `"grayscale"` when every file is a gray image, else `"rgb"`."""
    gray = all(mode in _GRAY_MODES for files in file_lists for mode in files.modes)
    return "grayscale" if gray else "rgb"


def check_color_mode(color_mode):
    """Raises a `ValueError` unless `color_mode` is None or one of `COLOR_MODES`."""
    if color_mode is not None and color_mode not in COLOR_MODES:
        raise ValueError(
            f"Argument `color_mode` must be None (from the files), 'grayscale' or 'rgb'. "
            f"Received: color_mode={color_mode!r}"
        )


def apply_cache(dataset, cache):
    """Caches decoded images in memory (`"memory"`) or in files at path `cache`."""
    if cache is None:
        return dataset
    if cache == _CACHES_IN_MEMORY:
        return dataset.cache()
    return dataset.cache(os.fspath(cache))


def check_cache(cache):
    """Raises a `ValueError` unless `cache` is None, `"memory"` or a path in a folder that exists."""
    if cache is None or cache == _CACHES_IN_MEMORY:
        return
    if not isinstance(cache, (str, os.PathLike)) or not os.path.isdir(
            os.path.dirname(os.path.abspath(os.fspath(cache)))):
        raise ValueError(
            f"Argument `cache` must be None, 'memory' or a file path in an existing folder. "
            f"Received: cache={cache!r}"
        )


def to_channels(image, channels):
    """Converts a uint8 image with 1 to 4 channels (known at run time) to 1 or 3 channels."""
    count = tf.shape(image)[-1]
    if channels == 1:
        def from_color():
            gray = tf.image.rgb_to_grayscale(tf.cast(image[..., :3], tf.float32))
            return tf.cast(tf.clip_by_value(tf.round(gray), 0, 255), tf.uint8)

        return tf.cond(count >= 3, from_color, lambda: image[..., :1])
    return tf.cond(count >= 3, lambda: image[..., :3],
                   lambda: tf.repeat(image[..., :1], 3, axis=-1))


def stream(files, image_size, channels, resize, shuffle_seed=None, cache=None):
    """A `tf.data.Dataset` of unbatched `(uint8 image, int32 label)`, decoded from disk.

    Args:
        files: a `FileList`.
        image_size: `(height, width)` of every output image.
        channels: 1 or 3.
        resize: bool, whether some files differ from `image_size`.
        shuffle_seed: optional int; when given the file order is reshuffled every pass
            (before decoding, so only paths sit in the shuffle buffer).
        cache: None, `"memory"` or a file path: where decoded images are cached.

    Returns:
        The dataset; images are read and decoded in parallel while training runs.
    """
    dataset = tf.data.Dataset.from_tensor_slices((np.asarray(files.paths), files.labels))
    if shuffle_seed is not None and cache is None:
        dataset = dataset.shuffle(len(files.paths), seed=shuffle_seed,
                                  reshuffle_each_iteration=True)
    height, width = image_size

    def decode(path, label):
        # channels=0 (the file's own): GIF and BMP decoders refuse a forced single channel.
        image = tf.io.decode_image(tf.io.read_file(path), channels=0, dtype=tf.uint8,
                                   expand_animations=False)
        image = to_channels(image, channels)
        if resize:
            image = tf.image.resize(image, (height, width))
            image = tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)
        return tf.ensure_shape(image, (height, width, channels)), label

    dataset = dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    return apply_cache(dataset, cache)
