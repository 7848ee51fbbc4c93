import numpy as np
import pytest

from kerasrecipes.layers.augmentation import RandomTransform
from tests.layers.augmentation._checks import check_config_round_trip
from tests.layers.augmentation._checks import check_save_load


def _square(n=32, size=21):
    images = np.zeros((n, size, size, 1), "float32")
    images[:, 8:13, 8:13] = 200.0
    return images


def test_magnitude_zero_is_the_identity():
    images = _square(4)
    out = np.asarray(RandomTransform(magnitude=0.0, seed=1)(images, training=True))
    np.testing.assert_allclose(out, images, atol=1e-3)


def test_parameters_differ_per_sample_and_grow_with_magnitude():
    images = _square()
    small = np.asarray(RandomTransform(["translate"], magnitude=0.1, seed=2)(images, training=True))
    large = np.asarray(RandomTransform(["translate"], magnitude=1.0, seed=2)(images, training=True))

    def centres(batch):
        ys, xs = np.indices(batch.shape[1:3])
        mass = batch[..., 0].sum(axis=(1, 2))
        return np.stack([(batch[..., 0] * xs).sum((1, 2)) / mass,
                         (batch[..., 0] * ys).sum((1, 2)) / mass], 1)

    shift_small = np.abs(centres(small) - 10.0)
    shift_large = np.abs(centres(large) - 10.0)
    assert len(np.unique(np.round(centres(large), 2), axis=0)) == len(images)
    assert shift_small.max() <= 0.1 * 0.2 * 21 + 0.3
    assert shift_large.max() > 2.0 and shift_large.max() <= 0.2 * 21 + 0.3


def test_flip_mirrors_about_the_centre():
    images = np.zeros((64, 5, 5, 1), "float32")
    images[:, 2, 0] = 255.0
    out = np.asarray(RandomTransform(["flip"], seed=3)(images, training=True))
    flipped = out[:, 2, 4, 0] > 250
    kept = out[:, 2, 0, 0] > 250
    assert np.all(flipped ^ kept) and 15 < flipped.sum() < 49


def test_photometric_only_keeps_geometry_and_range():
    images = _square(8)
    out = np.asarray(RandomTransform(["brightness", "contrast"], magnitude=1.0, seed=4)(
        images, training=True))
    assert out.min() >= 0 and out.max() <= 255
    inside, outside = out[:, 10, 10, 0], out[:, 0, 0, 0]
    assert np.all(inside > outside) and np.std(inside) > 5


def test_unbatched_image_and_inference_identity():
    image = _square(1)[0]
    layer = RandomTransform(seed=5)
    assert np.asarray(layer(image, training=True)).shape == image.shape
    np.testing.assert_array_equal(np.asarray(layer(image[None], training=False)), image[None])


def test_config_and_save_load(tmp_path):
    layer = RandomTransform(["rotate", "zoom"], magnitude=0.3, fill_mode="reflect",
                            fill_value=1.0, interpolation="nearest", seed=6)
    check_config_round_trip(layer)
    check_save_load(RandomTransform(seed=7), _square(2), tmp_path)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(transforms=["spin"]), "Argument `transforms` must be one of"),
        (dict(transforms="rotate"), "non-empty list"),
        (dict(magnitude=1.5), r"`magnitude` must be in \[0, 1\]"),
        (dict(fill_mode="mirror"), "`fill_mode` must be one of"),
        (dict(interpolation="cubic"), "`interpolation` must be"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RandomTransform(**kwargs)
