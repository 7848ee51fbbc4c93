import numpy as np
import pytest

import kerasrecipes as kr


@pytest.fixture(scope="module")
def trained():
    # 1 % validation (600 images), not the default 10 % (6,000): the tests need no more.
    recipe = kr.recipes.get("fashion_mnist_vgg")(epochs=1, train_samples=2000, batch_size=64,
                                                 validation_split=0.01)
    history = recipe.fit(verbose=0)
    return recipe, history


def test_registry_and_public_api():
    assert "fashion_mnist_vgg" in kr.recipes.names()
    assert kr.recipes.names("fashion_*") == kr.recipes.names("fashion_mnist*")


@pytest.mark.slow
def test_one_epoch_on_2000_images_beats_chance_by_far(trained):
    recipe, history = trained
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    # One forward pass: the default's 10-view TTA would cost ten passes over the 10,000
    # test images here; tests/recipes/test_extras.py tests evaluate() with TTA.
    metrics = recipe.evaluate(tta="none")
    assert metrics["accuracy"] > 0.60  # chance is 0.10
    assert np.isfinite(metrics["loss"])


@pytest.mark.slow
def test_model_takes_raw_uint8_images(trained, fashion_mnist):
    recipe, _ = trained
    (_, _), (x_test, y_test) = fashion_mnist
    probabilities = recipe.model.predict(x_test[:500], verbose=0)
    assert probabilities.shape == (500, 10)
    np.testing.assert_allclose(probabilities.sum(-1), 1.0, rtol=1e-5)
    assert (probabilities.argmax(-1) == y_test[:500]).mean() > 0.6


def test_train_data_is_augmented_shuffled_and_batched():
    recipe = kr.recipes.get("fashion_mnist_vgg")(train_samples=256, batch_size=32, seed=5)
    plain = kr.recipes.get("fashion_mnist_vgg")(train_samples=256, batch_size=32, seed=5,
                                                augment="none")
    first = list(recipe.train_data)
    second = list(recipe.train_data)
    unaugmented = list(plain.train_data)
    labels = [np.concatenate([b[1].numpy() for b in run]) for run in (first, second, unaugmented)]
    assert [len(b[1]) for b in first] == [32] * 8
    assert not np.array_equal(labels[0], labels[1])  # a new order every epoch
    assert np.array_equal(labels[0], labels[2])  # the same seed, the same first-epoch order
    augmented = np.concatenate([b[0].numpy() for b in first])
    raw = np.concatenate([b[0].numpy() for b in unaugmented])
    assert augmented.dtype.name == "float32" and 0 <= augmented.min() and augmented.max() <= 255
    changed = np.mean(np.abs(augmented - raw).reshape(len(raw), -1).max(axis=1) > 0)
    assert changed > 0.5  # flip_crop: a random crop of the padded image, and flips
    assert abs(augmented.mean() - raw.mean()) < 0.1 * raw.mean()  # still the same images
    assert recipe.model.optimizer is not None and recipe.model.compiled


def test_export_writes_config_and_class_names(trained, tmp_path):
    recipe, _ = trained
    path = recipe.export(str(tmp_path))
    metadata = kr.export.load_metadata(path)
    assert path.endswith("fashion_mnist_vgg/1")
    assert metadata["config"]["train_samples"] == 2000
    assert metadata["class_names"][0] == "T-shirt/top"
    # The saved config records the policy actually used, not "auto".
    resolved = kr.training.precision.resolve("auto")
    assert recipe.config.precision == "auto" and metadata["config"]["precision"] == resolved
    assert (kr.recipes.RecipeConfig.from_dict(metadata["config"])
            == recipe.config.replace(precision=resolved))
