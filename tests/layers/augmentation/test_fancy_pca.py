import numpy as np
import pytest

from kerasrecipes.layers.augmentation import FancyPCA
from kerasrecipes.layers.augmentation.fancy_pca import IMAGENET_EIGENVALUES
from kerasrecipes.layers.augmentation.fancy_pca import IMAGENET_EIGENVECTORS
from tests.layers.augmentation._checks import check_config_round_trip
from tests.layers.augmentation._checks import check_save_load


def _images(channels, n=16, size=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(60, 190, (n, size, size, channels)).astype("float32")


def test_shift_is_one_colour_per_image_along_the_given_components():
    images = _images(3)
    layer = FancyPCA(sigma=0.5, seed=1)
    out = np.asarray(layer(images, training=True))
    shift = out - images
    # One constant RGB shift per image (no clipping happens in 60..190).
    np.testing.assert_allclose(shift, shift[:, :1, :1, :] * np.ones_like(shift), atol=1e-3)
    per_image = shift[:, 0, 0, :] / 255.0
    vectors = np.asarray(IMAGENET_EIGENVECTORS)
    alphas_times_values = per_image @ vectors  # columns are orthonormal
    alphas = alphas_times_values / np.asarray(IMAGENET_EIGENVALUES)
    assert np.all(np.abs(alphas) < 0.5 * 5) and np.std(alphas) > 0.1
    assert not np.allclose(per_image[0], per_image[1])


def test_grey_images_get_a_brightness_shift_and_inference_is_identity():
    images = _images(1)
    layer = FancyPCA(sigma=1.0, seed=2)
    out = np.asarray(layer(images, training=True))
    shift = (out - images)[:, :, :, 0]
    np.testing.assert_allclose(shift, shift[:, :1, :1] * np.ones_like(shift), atol=1e-3)
    assert 5 < np.std(shift[:, 0, 0]) < 80
    np.testing.assert_array_equal(np.asarray(layer(images, training=False)), images)


def test_adapt_recovers_the_colour_covariance():
    rng = np.random.default_rng(3)
    basis = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    stds = np.array([40.0, 15.0, 3.0])
    pixels = 128 + (rng.normal(size=(20000, 3)) * stds) @ basis.T
    images = pixels.reshape(500, 8, 5, 3).astype("float32")
    layer = FancyPCA()
    layer.adapt(images, batch_size=37)
    values = np.asarray(layer.component_values)
    np.testing.assert_allclose(values, (stds / 255.0) ** 2, rtol=0.05)
    vectors = np.asarray(layer.component_vectors)
    np.testing.assert_allclose(np.abs(vectors[:, 0] @ basis[:, 0]), 1.0, atol=1e-3)


def test_adapt_streams_over_a_dataset_of_image_label_pairs():
    import tensorflow as tf

    images = _images(3, n=64)
    from_array, from_dataset = FancyPCA(), FancyPCA()
    from_array.adapt(images)
    from_dataset.adapt(tf.data.Dataset.from_tensor_slices((images, np.zeros(64))).batch(10))
    np.testing.assert_allclose(np.asarray(from_array.component_values),
                               np.asarray(from_dataset.component_values), rtol=1e-4)


def test_config_and_save_load_keep_the_adapted_components(tmp_path):
    layer = FancyPCA(eigenvalues=[0.3, 0.1], eigenvectors=[[0.6, -0.8], [0.8, 0.6]], sigma=0.2, seed=4)
    check_config_round_trip(layer)
    adapted = FancyPCA(seed=5)
    adapted.adapt(_images(3, seed=9))
    loaded = check_save_load(adapted, _images(3), tmp_path)
    np.testing.assert_allclose(np.asarray(loaded.layers[-1].component_values),
                               np.asarray(adapted.component_values))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(sigma=-1.0), "`sigma` must be in"),
        (dict(eigenvalues=[1.0]), "given together"),
        (dict(eigenvalues=[1.0, 2.0], eigenvectors=[[1.0]]), "C×C matrix"),
        (dict(eigenvalues=[-1.0], eigenvectors=[[1.0]]), "must be >= 0"),
        (dict(value_range=(255, 0)), "low < high"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FancyPCA(**kwargs)


def test_channel_mismatch_is_named():
    layer = FancyPCA(eigenvalues=[0.1], eigenvectors=[[1.0]])
    with pytest.raises(ValueError, match="input has 3 channels"):
        layer(_images(3), training=True)
