import numpy as np
import pytest

from kerasrecipes.layers.augmentation import RandomGaussianNoise
from kerasrecipes.layers.augmentation import RandomPixelDrop
from kerasrecipes.layers.augmentation import RandomSaltAndPepper
from tests.layers.augmentation._checks import check_config_round_trip
from tests.layers.augmentation._checks import check_save_load

IMAGES = np.full((8, 20, 20, 3), 100.0, "float32")


def test_gaussian_noise_has_the_asked_std_and_stays_in_range():
    out = np.asarray(RandomGaussianNoise(0.1, seed=1)(IMAGES, training=True))
    noise = out - IMAGES
    assert abs(noise.mean()) < 1.0 and abs(noise.std() - 25.5) < 1.0
    edge = np.full((2, 10, 10, 1), 250.0, "float32")
    out = np.asarray(RandomGaussianNoise(0.1, seed=1)(edge, training=True))
    assert out.max() == 255.0 and out.min() >= 0.0


def test_salt_and_pepper_hits_whole_pixels_at_the_rate():
    out = np.asarray(RandomSaltAndPepper(0.2, seed=2)(IMAGES, training=True))
    salt = np.all(out == 255.0, axis=-1)
    pepper = np.all(out == 0.0, axis=-1)
    untouched = np.all(out == 100.0, axis=-1)
    assert np.all(salt | pepper | untouched)
    assert abs(salt.mean() - 0.1) < 0.02 and abs(pepper.mean() - 0.1) < 0.02


def test_pixel_drop_zeroes_pixels_at_the_rate_without_rescaling():
    out = np.asarray(RandomPixelDrop(0.3, seed=3)(IMAGES, training=True))
    dropped = np.all(out == 0.0, axis=-1)
    assert np.all(dropped | np.all(out == 100.0, axis=-1))
    assert abs(dropped.mean() - 0.3) < 0.03


@pytest.mark.parametrize("cls", [RandomGaussianNoise, RandomSaltAndPepper, RandomPixelDrop])
def test_identity_in_inference_config_and_save_load(cls, tmp_path):
    layer = cls(0.1, seed=4)
    np.testing.assert_array_equal(np.asarray(layer(IMAGES, training=False)), IMAGES)
    check_config_round_trip(layer)
    check_save_load(cls(0.1, seed=5), IMAGES[:2], tmp_path)


@pytest.mark.parametrize("cls, arg", [(RandomGaussianNoise, "stddev"), (RandomSaltAndPepper, "rate"),
                                      (RandomPixelDrop, "rate")])
def test_rate_out_of_range_is_named(cls, arg):
    with pytest.raises(ValueError, match=rf"`{arg}` must be in \[0, 1\). Received: {arg}=1.5"):
        cls(1.5)
