import matplotlib.image
import numpy as np
import pytest

from kerasrecipes.plots import augmentation_grid


def _images(n=6):
    images = np.zeros((n, 28, 28, 1), np.uint8)
    images[:, 4:24, 10:18] = 220
    return images


def test_grid_png_has_original_and_augmented_rows(tmp_path):
    path = augmentation_grid(_images(), "strong", str(tmp_path / "sub" / "grid.png"), count=6, versions=2)
    picture = matplotlib.image.imread(path)
    assert picture.ndim == 3 and picture.shape[1] > picture.shape[0] > 200
    assert picture[..., :3].std() > 0.1


def test_grid_from_a_dataset_of_pairs_and_a_layer(tmp_path):
    import keras
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((_images(10), np.zeros(10, np.int32))).batch(4)
    layer = keras.layers.RandomFlip(seed=1)
    path = augmentation_grid(dataset, layer, str(tmp_path / "flip.png"), count=5)
    picture = matplotlib.image.imread(path)[..., :3]
    assert picture.shape[0] > 100
    # The images are drawn: the bright bar of every image fills part of the figure.
    assert picture.std() > 0.1 and (picture.mean(-1) > 0.8).mean() > 0.05


def test_grid_errors(tmp_path):
    with pytest.raises(ValueError, match="`augment` must be one of"):
        augmentation_grid(_images(), "stronger", str(tmp_path / "x.png"))
    with pytest.raises(ValueError, match="`count` must be a positive integer"):
        augmentation_grid(_images(), "flip", str(tmp_path / "x.png"), count=0)
    with pytest.raises(ValueError, match=r"\(H, W, 1\) or \(H, W, 3\)"):
        augmentation_grid(np.zeros((2, 4, 4, 2)), "flip", str(tmp_path / "x.png"))
