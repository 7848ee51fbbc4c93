import gzip
import os
import struct
import sys

import numpy as np
import pytest

from kerasrecipes import data


def _write_idx(path, array):
    codes = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C}
    header = struct.pack(">HBB", 0, codes[array.dtype], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.tobytes())


def test_load_idx_gives_nhwc_uint8_and_int32(tmp_path):
    images = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)
    _write_idx(tmp_path / "x.gz", images)
    _write_idx(tmp_path / "y.gz", np.array([2, 0, 1], np.uint8))
    x, y = data.load_idx(str(tmp_path / "x.gz"), str(tmp_path / "y.gz"))
    assert x.shape == (3, 4, 5, 1) and x.dtype == np.uint8 and y.dtype == np.int32
    np.testing.assert_array_equal(x[..., 0], images)
    _write_idx(tmp_path / "y2.gz", np.array([2, 0], np.uint8))
    with pytest.raises(ValueError, match=r"`labels_path` must be a vector of integer labels, one per image \(3\)"):
        data.load_idx(str(tmp_path / "x.gz"), str(tmp_path / "y2.gz"))


def test_from_directory_feeds_the_pipeline(tmp_path):
    import keras

    rng = np.random.default_rng(0)
    for label, name in enumerate(["boots", "shirts"]):
        os.makedirs(tmp_path / name)
        for i in range(3):
            image = np.full((10, 10, 1), 40 + 150 * label, np.uint8) + rng.integers(0, 5, (10, 10, 1)).astype(np.uint8)
            keras.utils.save_img(str(tmp_path / name / f"{i}.png"), image, scale=False)
    dataset, class_names = data.from_directory(str(tmp_path), image_size=(10, 10))
    assert class_names == ["boots", "shirts"]
    images, labels = next(iter(data.pipeline(dataset, batch_size=6, training=True,
                                             shuffle_buffer=6, seed=1, augment=None)))
    assert images.shape == (6, 10, 10, 1) and sorted(labels.numpy().tolist()) == [0, 0, 0, 1, 1, 1]
    brightness = images.numpy().mean(axis=(1, 2, 3))
    assert np.all((brightness > 150) == (labels.numpy() == 1))


def test_from_directory_errors(tmp_path):
    with pytest.raises(ValueError, match="`directory` must be an existing folder"):
        data.from_directory(str(tmp_path / "missing"))


def test_tfds_mocked_dataset_is_converted():
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=5):
        images, label = next(iter(data.load_tfds("fashion_mnist")))
    assert images.dtype.name == "uint8" and images.shape == (28, 28, 1) and label.dtype.name == "int32"


def test_tfds_never_downloads(tmp_path):
    pytest.importorskip("tensorflow_datasets")
    with pytest.raises(FileNotFoundError, match="never downloads"):
        data.load_tfds("fashion_mnist", data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="Did you mean 'fashion_mnist'"):
        data.load_tfds("fashion_mnsit", data_dir=str(tmp_path))


def test_tfds_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)
    with pytest.raises(ImportError, match="pip install tensorflow-datasets"):
        data.load_tfds("fashion_mnist")


def _arrays(n=40, classes=4, size=(5, 5), seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, *size), dtype=np.uint8), np.arange(n) % classes


def test_source_from_arrays_with_and_without_test_set():
    x, y = _arrays()
    src = data.source((x, y), validation_split=0.25, seed=0)
    assert src.input_shape == (5, 5, 1) and src.class_names == ["0", "1", "2", "3"]
    # round(10 · 0.25) = 2 of each class's 10 images.
    assert (src.num_train, src.num_val, src.test, src.description) == (32, 8, None, "<arrays>")
    assert np.bincount(src.val[1]).tolist() == [2, 2, 2, 2]
    x_test, y_test = _arrays(8, seed=1)
    src = data.source(((x, y), (x_test, y_test)), train_samples=12, image_size=10)
    assert src.num_train == 12 and src.num_test == 8
    assert src.train[0].shape == (12, 10, 10, 1) and src.test[0].shape == (8, 10, 10, 1)


@pytest.mark.parametrize("build, message", [
    (lambda x, y: (x[0], y[:5]), r"`x` must be images of rank 3 \(N, H, W\) or 4 \(N, H, W, C\). Received: x.shape=\(5, 5\)"),
    (lambda x, y: (x[..., None, None], y), r"`x` must be images of rank 3 .* Received: x.shape=\(40, 5, 5, 1, 1\)"),
    (lambda x, y: (x, y - 1), r"labels in \[0, 3\). Received: labels from -1 to 2 in the training labels `y`"),
    (lambda x, y: ((x, y), (x[:4], np.array([0, 1, 2, 9]))), r"`y_test` must hold labels in \[0, 4\) .* from 0 to 9"),
    (lambda x, y: (x, np.zeros_like(y)), r"at least two classes. Received: only label 0"),
    (lambda x, y: (x / 255.0, y), r"raw pixels in 0..255 .* Received: values from 0.0 to 1.0"),
])
def test_bad_arrays_raise_naming_the_problem(build, message):
    with pytest.raises(ValueError, match=message):
        data.source(build(*_arrays()))


def test_source_from_a_dataset_splits_it_stratified():
    import tensorflow as tf

    x, y = _arrays(60, classes=3, size=(4, 4, 3))
    dataset = tf.data.Dataset.from_tensor_slices((x.astype("float32"), y.astype("int64")))
    src = data.source(dataset, validation_split=0.2, seed=2, cache="memory")
    assert (src.num_train, src.num_val, src.input_shape, src.description) == (48, 12, (4, 4, 3), "<dataset>")
    val_images, val_labels = src.take("val", 100)
    train_images, _ = src.take("train", 100)
    assert val_images.dtype == np.uint8 and np.bincount(val_labels).tolist() == [4, 4, 4]
    # Train and validation are disjoint and together the whole set.
    seen = {image.tobytes() for image in np.concatenate([train_images, val_images])}
    assert len(seen) == 60 == len({image.tobytes() for image in x})
    bad = tf.data.Dataset.from_tensor_slices((x, -np.ones(60, np.int64)))
    with pytest.raises(ValueError, match=r"labels in \[0, 0\). Received: labels from -1 to -1 in the dataset '<dataset>'"):
        data.source(bad)


def test_digits_and_unknown_names():
    src = data.source("digits")
    assert src.input_shape == (8, 8, 1) and src.classes == 10 and src.num_test == 359
    assert src.train[0].dtype == np.uint8 and src.train[0].max() == 255
    with pytest.raises(ValueError, match=r"`data` must be one of .*Did you mean 'digits'"):
        data.source("digitz")
    with pytest.raises(TypeError, match=r"`data` must be .* Received: data of type int"):
        data.source(3)


def test_tfds_names_are_read_locally_only(tmp_path):
    pytest.importorskip("tensorflow_datasets")
    with pytest.raises(FileNotFoundError, match="never downloads"):
        data.source("mnist", data_dir=str(tmp_path))
