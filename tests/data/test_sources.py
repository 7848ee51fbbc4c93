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
