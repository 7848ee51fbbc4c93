"""Image folders as a data source: layouts, formats, colour, size, cache and bad data."""

import os

import numpy as np
import pytest
from PIL import Image

from kerasrecipes import data


def _save(path, pixels, **kwargs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    image.save(path, **kwargs)


def _gray(value, size=(6, 5)):
    return np.full(size, value, np.uint8)


def _classes(root, counts, size=(6, 5), extension="png"):
    for label, (name, count) in enumerate(counts.items()):
        for i in range(count):
            _save(os.path.join(root, name, f"{i}.{extension}"), _gray(40 * label + i, size))
    return str(root)


def _all(dataset):
    pairs = list(dataset.as_numpy_iterator())
    return np.stack([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def test_class_folders_all_formats_and_other_files_ignored(tmp_path):
    rng = np.random.default_rng(0)
    for name in ("cat", "dog"):
        _save(str(tmp_path / name / "a.png"), rng.integers(0, 255, (6, 5, 3), dtype=np.uint8))
        _save(str(tmp_path / name / "b.JPG"), rng.integers(0, 255, (6, 5, 3), dtype=np.uint8))
        _save(str(tmp_path / name / "c.bmp"), rng.integers(0, 255, (6, 5, 3), dtype=np.uint8))
        _save(str(tmp_path / name / "sub" / "d.gif"),
              Image.fromarray(rng.integers(0, 255, (6, 5), dtype=np.uint8)).convert("P"))
        (tmp_path / name / "notes.txt").write_text("not an image")
        (tmp_path / name / ".DS_Store").write_bytes(b"\0\1")
    src = data.source(str(tmp_path), validation_split=0.25, seed=1)
    assert src.class_names == ["cat", "dog"] and src.input_shape == (6, 5, 3)
    assert (src.num_train, src.num_val, src.num_test, src.test) == (6, 2, 0, None)
    x, y = _all(src.train)
    assert x.dtype == np.uint8 and x.shape == (6, 6, 5, 3) and sorted(y.tolist()) == [0, 0, 0, 1, 1, 1]
    # The exact pixels of a lossless file come through (BMP, PNG), whatever the order.
    png = np.asarray(Image.open(tmp_path / "cat" / "a.png"))
    assert any(np.array_equal(image, png) for image in np.concatenate([x, _all(src.val)[0]]))


def test_train_val_test_layout_color_mode_and_resize(tmp_path):
    for split, count in (("train", 4), ("val", 2), ("test", 3)):
        _classes(tmp_path / split, {"b_class": count, "a_class": count}, size=(8, 8))
    src = data.source(str(tmp_path), image_size="4x6")
    assert src.class_names == ["a_class", "b_class"]
    assert (src.num_train, src.num_val, src.num_test) == (8, 4, 6)
    assert src.input_shape == (4, 6, 1)  # gray files give one channel
    x, y = _all(src.test)
    assert x.shape == (6, 4, 6, 1)
    # Labels follow the sorted folder names, not the order written: b_class (written
    # first, values 0..2) is label 1. Resized constant images keep their value.
    assert np.all(x[y == 1] < 10) and np.all(x[y == 0] >= 40)
    rgb = data.source(str(tmp_path), color_mode="rgb")
    assert rgb.input_shape == (8, 8, 3) and _all(rgb.train)[0].shape[-1] == 3


def test_mixed_sizes_need_image_size(tmp_path):
    _classes(tmp_path, {"a": 3, "b": 2}, size=(6, 5))
    _save(str(tmp_path / "b" / "big.png"), _gray(1, (9, 7)))
    with pytest.raises(ValueError, match=r"`image_size` must be given when the images differ in "
                       r"size. Received: image_size=None and 2 sizes: 6x5 \(5 files.*9x7 \(1 files, "
                       r"e.g. '.*big.png'\)"):
        data.source(str(tmp_path))
    assert data.source(str(tmp_path), image_size=(6, 5)).input_shape == (6, 5, 1)


def test_cache_in_memory_and_in_files_gives_the_same_images(tmp_path):
    root = _classes(tmp_path / "images", {"a": 4, "b": 4})
    plain = np.sort(_all(data.source(root).val)[0].ravel())
    for cache in ("memory", str(tmp_path / "decoded")):
        src = data.source(root, cache=cache)
        for _ in range(2):
            np.testing.assert_array_equal(np.sort(_all(src.val)[0].ravel()), plain)
    assert any(name.startswith("decoded.val") for name in os.listdir(tmp_path))
    with pytest.raises(ValueError, match="`cache` must be None, 'memory' or a file path"):
        data.source(root, cache=str(tmp_path / "no" / "such" / "dir" / "c"))


@pytest.mark.parametrize("make, message", [
    (lambda root: None, r"must be a registered name or an existing folder of images. "
                        r"Received: data='.*missing' \(no such folder\)"),
    (lambda root: os.makedirs(root), r"one sub-folder per class. Received: data='.*', an empty folder"),
    (lambda root: _save(os.path.join(root, "x.png"), _gray(1)),
     r"one sub-folder per class. Received: '.*': it holds 1 image file\(s\) but no class sub-folders"),
    (lambda root: (_classes(root, {"a": 2}), os.makedirs(os.path.join(root, "b")),
                   open(os.path.join(root, "b", "readme.txt"), "w").close()),
     r"image files \(PNG, JPEG, BMP, GIF\) in every class folder. Received: '.*/b' with no image files"),
    (lambda root: _classes(root, {"only": 3}), r"at least two classes .* the single class \['only'\]"),
    (lambda root: (_classes(os.path.join(root, "train"), {"a": 2, "b": 2}),
                   _classes(os.path.join(root, "test"), {"a": 2, "c": 2})),
     r"same class folders in every split. Received: '.*test' has \['a', 'c'\], the training folder has \['a', 'b'\]"),
])
def test_bad_folders_name_the_path(tmp_path, make, message):
    root = str(tmp_path / "missing")
    make(root)
    with pytest.raises(ValueError, match=message):
        data.source(root)


def test_corrupt_files_are_named_or_skipped_and_counted(tmp_path):
    root = _classes(tmp_path, {"a": 3, "b": 3})
    (tmp_path / "a" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    good = (tmp_path / "b" / "0.png").read_bytes()
    (tmp_path / "b" / "truncated.png").write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match=r"unreadable or corrupt image file: '.*a/broken.png'.*skip_bad_files=True"):
        data.source(root)
    with pytest.warns(UserWarning, match=r"Skipped 2 unreadable image file\(s\)"):
        src = data.source(root, skip_bad_files=True)
    assert len(src.skipped_files) == 2 and src.num_train + src.num_val == 6
    assert len(_all(src.train)[0]) == src.num_train  # the rest decodes


def test_image_size_strings_and_errors():
    from kerasrecipes.data.folders import parse_image_size

    assert parse_image_size("32x48") == (32, 48) == parse_image_size("32,48")
    assert parse_image_size(28) == (28, 28) == parse_image_size("28")
    with pytest.raises(ValueError, match=r"`image_size` must be .* Received: image_size='big'"):
        parse_image_size("big")
    with pytest.raises(ValueError, match=r"`color_mode` must be None .* Received: color_mode='cmyk'"):
        data.source("digits", color_mode="cmyk")
