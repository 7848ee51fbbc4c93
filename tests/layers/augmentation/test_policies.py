import numpy as np
import pytest

from kerasrecipes.layers import augmentation
from kerasrecipes.layers import augmentation_policy

REQUIRED = ("none", "flip_crop", "light", "strong", "fancy_pca", "randaugment")


def _images():
    rng = np.random.default_rng(0)
    images = np.zeros((8, 28, 28, 1), "float32")
    images[:, 6:22, 9:19] = rng.uniform(80, 250, (8, 16, 10, 1))
    return images


def test_required_names_are_registered_and_old_imports_work():
    assert set(REQUIRED) <= set(augmentation.names())
    assert augmentation.augmentation_policy is augmentation_policy
    assert augmentation_policy("none") is None


@pytest.mark.parametrize("name", [n for n in REQUIRED if n != "none"])
def test_policy_changes_images_keeps_shape_range_and_is_seeded(name):
    images = _images()
    out = np.asarray(augmentation_policy(name, seed=3)(images, training=True))
    again = np.asarray(augmentation_policy(name, seed=3)(images, training=True))
    assert out.shape == images.shape and out.min() >= 0.0 and out.max() <= 255.0
    assert np.abs(out - images).mean() > 0.05
    np.testing.assert_array_equal(out, again)
    np.testing.assert_array_equal(
        np.asarray(augmentation_policy(name, seed=3)(images, training=False)), images)


def test_layers_of_a_policy_get_distinct_seeds():
    policy = augmentation_policy("strong", seed=10)
    seeds = [layer.seed for layer in policy.layers]
    assert len(set(seeds)) == len(seeds)


def test_unknown_policy_lists_names_and_close_matches():
    with pytest.raises(ValueError, match=r"`augment` must be one of .*Did you mean 'strong'"):
        augmentation_policy("strnog")


def test_policy_runs_inside_a_model_and_is_identity_at_inference(tmp_path):
    import keras

    inputs = keras.Input((28, 28, 1))
    outputs = augmentation_policy("strong", seed=1)(inputs)
    model = keras.Model(inputs, outputs)
    images = _images()
    np.testing.assert_array_equal(np.asarray(model(images, training=False)), images)
    assert np.abs(np.asarray(model(images, training=True)) - images).mean() > 1.0
    model.save(tmp_path / "augment.keras")
    loaded = keras.saving.load_model(tmp_path / "augment.keras")
    np.testing.assert_array_equal(np.asarray(loaded.predict(images, verbose=0)), images)
