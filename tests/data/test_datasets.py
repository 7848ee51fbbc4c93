import numpy as np
import pytest

from kerasrecipes.data import datasets


def test_class_names():
    names = datasets.class_names("fashion_mnist")
    assert len(names) == 10 and names[9] == "Ankle boot"


def test_unknown_dataset_lists_known_ones():
    with pytest.raises(ValueError, match=r"one of \['fashion_mnist'\].*Did you mean.*fashion_mnist"):
        datasets.load("fashion_mnst")


def test_data_dir_is_searched_first(tmp_path, fashion_mnist, monkeypatch):
    # A folder holding a copy of the files (made small) wins over the Debian one.
    from tests.data.test_idx import _write_idx

    (x_train, y_train), (x_test, y_test) = fashion_mnist
    for (images, labels), (img_file, lbl_file) in zip(
        [(x_train[:20, ..., 0], y_train[:20]), (x_test[:10, ..., 0], y_test[:10])],
        [datasets._IDX_FILES["train"], datasets._IDX_FILES["test"]],
    ):
        _write_idx(str(tmp_path / img_file), images)
        _write_idx(str(tmp_path / lbl_file), labels.astype(np.uint8))
    (a, b), (c, d) = datasets.load("fashion_mnist", data_dir=tmp_path)
    assert a.shape == (20, 28, 28, 1) and c.shape == (10, 28, 28, 1)
    np.testing.assert_array_equal(b, y_train[:20])


def test_keras_cache_folder_is_searched(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    dirs = datasets.search_dirs("fashion_mnist")
    assert dirs == [
        "/usr/share/datasets/fashion-mnist",
        str(tmp_path / "datasets" / "fashion-mnist"),
    ]


def test_offline_without_files_names_the_apt_package(monkeypatch, tmp_path):
    monkeypatch.setattr(datasets, "search_dirs", lambda name, data_dir=None: [str(tmp_path)])
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        datasets.load("fashion_mnist", allow_download=False)


def test_failed_download_names_the_apt_package_and_keras(monkeypatch, tmp_path):
    import keras

    def no_network():
        raise OSError("network unreachable")

    monkeypatch.setattr(datasets, "search_dirs", lambda name, data_dir=None: [str(tmp_path)])
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", no_network)
    with pytest.raises(FileNotFoundError, match="keras.datasets.fashion_mnist.*dataset-fashion-mnist"):
        datasets.load("fashion_mnist")
