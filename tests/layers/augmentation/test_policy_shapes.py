"""Policies that fit the input: crop size, colour jitter for RGB, blur, adapted fancy PCA."""

import numpy as np
import pytest

from kerasrecipes.layers import augmentation
from kerasrecipes.layers.augmentation import RandomTransform
from kerasrecipes.layers.augmentation import policies


def layer_named(policy, name):
    return next(layer for layer in policy.layers if layer.name == name)


def _dots(size, channels=1, n=64):
    # One bright pixel in the centre of each image: its displacement is the crop's shift.
    images = np.zeros((n, size, size, channels), "float32")
    images[:, size // 2, size // 2] = 255.0
    return images


def _shifts(out, size):
    centre = size // 2
    positions = np.argwhere(out[..., 0] > 127)
    return np.abs(positions[:, 1:] - centre)


@pytest.mark.parametrize("size, pixels", [(28, 2), (32, 2), (64, 5), (112, 8)])
def test_crop_shift_is_whole_pixels_derived_from_the_input_size(size, pixels):
    assert policies.crop_pixels(size) == pixels
    policy = augmentation.augmentation_policy("flip_crop", seed=1, input_shape=(size, size, 1))
    crop = policy.layers[1]
    assert crop.height_factor == pytest.approx(pixels / size)
    out = np.asarray(crop(_dots(size), training=True))
    shifts = _shifts(out, size)
    assert shifts.max() <= pixels and shifts.max() >= 1  # up to `pixels`, never beyond


def test_colour_jitter_for_rgb_only():
    rgb = augmentation.augmentation_policy("light", seed=2, input_shape=(32, 32, 3))
    grey = augmentation.augmentation_policy("light", seed=2, input_shape=(28, 28, 1))
    unknown = augmentation.augmentation_policy("light", seed=2)
    assert [layer.name for layer in rgb.layers][-1] == "colour_jitter"
    assert "colour_jitter" not in [layer.name for layer in grey.layers]
    assert "colour_jitter" not in [layer.name for layer in unknown.layers]
    strong = augmentation.augmentation_policy("strong", seed=2, input_shape=(32, 32, 3))
    jitter = layer_named(strong, "colour_jitter")
    assert jitter.hue_factor is not None and jitter.saturation_factor is not None
    # Hue/saturation change the colours of an image but not its grey-level layout much.
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    out = np.asarray(jitter(images, training=True))
    assert out.shape == images.shape and 0 <= out.min() and out.max() <= 255.0
    assert np.abs(out - images).mean() > 1.0
    with pytest.raises(ValueError, match=r"`input_shape` must be \(H, W, C\)"):
        augmentation.augmentation_policy("light", input_shape=(28, 28))


def _edge(n=16, size=16):
    images = np.zeros((n, size, size, 1), "float32")
    images[:, :, size // 2:] = 200.0
    return images


def test_blur_policy_and_random_transform_blur_soften_edges():
    images = _edge()
    policy = augmentation.augmentation_policy("blur", seed=3)
    assert "blur" in augmentation.names() and policy.layers[-1].name == "blur"
    blurred = np.asarray(layer_named(policy, "blur")(images, training=True))
    # Some images get the blur (intermediate values at the edge), some are left sharp.
    softened = [(np.unique(np.round(b)).size > 2) for b in blurred]
    assert 0 < sum(softened) < len(images)

    layer = RandomTransform(["blur"], magnitude=1.0, seed=4)
    out = np.asarray(layer(images, training=True))
    edge = out[:, 8, 7, 0]  # the last dark column: its blur picks up the bright side
    assert np.all(edge >= 0) and np.unique(np.round(edge, 1)).size > len(images) // 2
    assert edge.max() > 20.0  # per-image degrees of blur, up to σ = 1's ~24 %
    np.testing.assert_allclose(np.asarray(RandomTransform(["blur"], magnitude=0.0, seed=4)(
        images, training=True)), images, atol=1e-4)
    np.testing.assert_array_equal(np.asarray(layer(images, training=False)), images)


def test_fancy_pca_policy_adapts_to_the_training_split():
    rng = np.random.default_rng(5)
    # Colours along one axis: the adapted first eigenvector is that axis.
    axis = np.array([1.0, 2.0, 0.5]) / np.linalg.norm([1.0, 2.0, 0.5])
    t = rng.uniform(0, 1, (400, 4, 4, 1))
    images = np.clip(40 + t * axis * 180 + rng.normal(0, 1, (400, 4, 4, 3)), 0, 255)
    policy = augmentation.augmentation_policy("fancy_pca", seed=1, input_shape=(4, 4, 3))
    assert augmentation.adapt_policy(policy, images.astype("uint8"), batch_size=64) == ["fancy_pca"]
    layer = layer_named(policy, "fancy_pca")
    vectors = layer.component_vectors.numpy()
    assert abs(abs(vectors[:, 0] @ axis) - 1) < 1e-3
    values = layer.component_values.numpy()
    assert values[0] > 100 * values[1]

    grey = rng.uniform(0, 255, (200, 4, 4, 1)).astype("uint8")
    grey_policy = augmentation.augmentation_policy("fancy_pca", input_shape=(4, 4, 1))
    augmentation.adapt_policy(grey_policy, grey)
    # Grayscale: one component, the pixel variance (in [0, 1] units).
    variance = (grey.astype("float64") / 255).var()
    np.testing.assert_allclose(layer_named(grey_policy, "fancy_pca").component_values.numpy(),
                               [variance], rtol=1e-4)
    assert augmentation.adapt_policy(augmentation.augmentation_policy("flip_crop"), grey) == []
    assert augmentation.adapt_policy(None, grey) == []


@pytest.mark.slow
def test_the_recipe_adapts_fancy_pca_on_its_training_split(monkeypatch):
    import kerasrecipes as kr
    from kerasrecipes.layers.augmentation.fancy_pca import FancyPCA

    seen = []
    original = FancyPCA.adapt

    def recording(self, data, batch_size=1024):
        original(self, data, batch_size)
        seen.append((len(data), self.component_values.numpy().copy(),
                     (np.asarray(data, "float64") / 255).var()))

    monkeypatch.setattr(FancyPCA, "adapt", recording)
    kr.recipes.get("fashion_mnist_vgg")(augment="fancy_pca", train_samples=500)
    # Adapted once, on the 500 training images (not validation, not test): for
    # grayscale its single eigenvalue is their pixel variance.
    assert len(seen) == 1 and seen[0][0] == 500
    np.testing.assert_allclose(seen[0][1], [seen[0][2]], rtol=1e-4)


def test_flip_crop_erase_zeroes_one_box_in_about_half_the_images():
    policy = augmentation.augmentation_policy("flip_crop_erase", seed=5, input_shape=(28, 28, 1))
    assert [layer.name for layer in policy.layers] == ["flip", "crop", "erasing"]
    images = np.full((400, 28, 28, 1), 200.0, "float32")
    out = np.asarray(layer_named(policy, "erasing")(images, training=True))
    zeros = (out[..., 0] == 0.0)
    erased = zeros.any(axis=(1, 2))
    assert 0.4 < erased.mean() < 0.6  # probability 0.5, not a probability drawn from [0, 0.5]
    areas = zeros[erased].mean(axis=(1, 2))
    assert areas.min() >= 0.01 and areas.max() <= 0.45  # 2-40 % of the image, whole pixels
    for image in zeros[erased][:20]:  # one axis-aligned box: its rows times its columns
        rows, cols = np.flatnonzero(image.any(1)), np.flatnonzero(image.any(0))
        assert image.sum() == len(rows) * len(cols)
    untouched = out[~erased]
    np.testing.assert_array_equal(untouched, images[: len(untouched)])
    np.testing.assert_array_equal(np.asarray(policy(images, training=False)), images)
