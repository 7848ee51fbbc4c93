"""The training extras wired into a recipe (config keys), and the evaluation report
of a recipe and of its export (`Recipe.report`, `kerasrecipes evaluate`)."""

import json
import os
import re

import keras
import matplotlib.image
import numpy as np
import pytest
import tensorflow as tf

import kerasrecipes as kr
from kerasrecipes import cli
from kerasrecipes.training import soft_labels
from kerasrecipes.training.swa import StochasticWeightAveraging

TINY = dict(epochs=1, train_samples=256, batch_size=64, width=0.25)


class RawWeights(keras.callbacks.Callback):
    """Records the trainable weights after every optimizer step."""

    def on_train_begin(self, logs=None):
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append([v.numpy().copy() for v in self.model.trainable_weights])


@pytest.fixture(scope="module")
def ema_run():
    # One forward pass (the default serves 10 views): the tests below set their own TTA.
    recipe = kr.recipes.get("fashion_mnist_vgg")(ema=0.5, tta=None, **TINY)
    raw = RawWeights()
    recipe.fit(verbose=0, callbacks=[raw])
    recipe.test_data = recipe.test_data.take(2)  # 1024 test images keep the tests short
    return recipe, raw.steps


@pytest.mark.slow
def test_ema_weights_are_the_moving_average_and_differ_from_the_raw_ones(ema_run):
    recipe, steps = ema_run
    assert recipe.model.optimizer.use_ema and recipe.model.optimizer.ema_momentum == 0.5
    assert len(steps) == 4
    # Keras: the average starts at the first step's weights, then a ← m·a + (1 − m)·w.
    expected = steps[0]
    for weights in steps[1:]:
        expected = [0.5 * a + 0.5 * w for a, w in zip(expected, weights)]
    final = [v.numpy() for v in recipe.model.trainable_weights]
    for got, want in zip(final, expected):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    moved = [not np.allclose(g, r, atol=1e-6) for g, r in zip(final, steps[-1])]
    assert sum(moved) >= len(final) // 2


@pytest.mark.slow
def test_the_export_serves_the_ema_weights(ema_run, tmp_path, fashion_mnist):
    recipe, steps = ema_run
    x = fashion_mnist[1][0][:64]
    path = recipe.export(str(tmp_path), tta="none")  # one pass, as `predict` gives
    served = tf.saved_model.load(path).signatures["serving_default"](images=tf.constant(x))
    served = served["probabilities"].numpy()
    np.testing.assert_allclose(served, recipe.model.predict(x.astype("float32"), verbose=0), atol=1e-5)
    raw_model = keras.models.clone_model(recipe.model)
    raw_model.set_weights(recipe.model.get_weights())
    for variable, value in zip(raw_model.trainable_weights, steps[-1]):
        variable.assign(value)
    assert np.abs(served - raw_model.predict(x.astype("float32"), verbose=0)).max() > 1e-3


@pytest.mark.slow
def test_tta_evaluation_averages_flipped_predictions(ema_run):
    recipe, _ = ema_run
    x, y = recipe._test_arrays()
    result = recipe.evaluate(tta="flip")
    probabilities = (recipe.model.predict(x, verbose=0) + recipe.model.predict(x[:, :, ::-1], verbose=0)) / 2
    assert result["accuracy"] == pytest.approx((probabilities.argmax(-1) == y).mean(), abs=2e-4)
    assert set(result) == {"loss", "accuracy"} and len(y) == 1024


@pytest.mark.slow
def test_the_configs_tta_is_what_evaluate_uses_unless_told_none(ema_run, monkeypatch):
    recipe, _ = ema_run
    flipped, plain = recipe.evaluate(tta="flip"), recipe.evaluate(tta="none")
    assert recipe.evaluate() == plain and flipped != plain
    monkeypatch.setattr(recipe, "config", recipe.config.replace(tta="flip"))
    assert recipe.evaluate() == flipped and recipe.evaluate(tta="none") == plain
    with pytest.raises(ValueError, match=r"`tta` must be one of .*Did you mean 'flip'"):
        recipe.evaluate(tta="flop")


@pytest.mark.slow
def test_the_export_serves_the_configs_tta_unless_told_none(ema_run, monkeypatch, tmp_path):
    recipe, _ = ema_run
    monkeypatch.setattr(recipe, "config", recipe.config.replace(tta="flip"))
    x, _ = recipe._test_arrays()
    x = x[:64]

    def served(path):
        out = tf.saved_model.load(path).signatures["serving_default"](
            images=tf.constant(x.astype(np.uint8)))
        return out["probabilities"].numpy()

    flipped = recipe.export(str(tmp_path), metrics={"accuracy": 0.5})
    plain = recipe.export(str(tmp_path), tta="none")
    np.testing.assert_allclose(served(flipped), kr.training.predict_tta(recipe.model, x, "flip"),
                               atol=1e-5)
    np.testing.assert_allclose(served(plain), recipe.model.predict(x, verbose=0), atol=1e-5)
    assert np.abs(served(flipped) - served(plain)).max() > 1e-3
    card = kr.export.load_metadata(flipped)
    assert (card["served_tta"], card["test_tta"], card["config"]["tta"]) == ("flip", "flip", "flip")
    assert card["parameters"] == recipe.model.count_params()
    assert kr.export.load_metadata(plain)["served_tta"] is None
    with pytest.raises(ValueError, match=r"`tta` must be one of .*Did you mean 'flip'"):
        recipe.export(str(tmp_path), tta="flop")
    assert sorted(os.listdir(tmp_path)) == [recipe.config.name]
    assert sorted(os.listdir(tmp_path / recipe.config.name)) == ["1", "2"]


@pytest.mark.slow
def test_recipe_report_writes_the_numbers_and_figures(ema_run, tmp_path):
    recipe, _ = ema_run
    report = recipe.report(str(tmp_path / "report"))
    files = sorted(os.listdir(tmp_path / "report"))
    assert files == ["confusion_matrix.json", "confusion_matrix.png", "mistakes.png", "report.json"]
    x, y = recipe._test_arrays()
    predicted = recipe.model.predict(x, verbose=0).argmax(-1)
    assert report["accuracy"] == pytest.approx((predicted == y).mean())
    matrix = json.loads((tmp_path / "report" / "confusion_matrix.json").read_text())
    assert matrix["confusion_matrix"] == kr.training.evaluation.confusion_matrix(y, predicted, 10).tolist()
    assert matrix["class_names"][1] == "Trouser"
    assert json.loads((tmp_path / "report" / "report.json").read_text())["samples"] == 1024
    assert matplotlib.image.imread(tmp_path / "report" / "mistakes.png")[..., :3].std() > 0.1


@pytest.mark.slow
def test_evaluate_command_reports_the_export_on_the_config_dataset(ema_run, tmp_path, capsys,
                                                                   fashion_mnist):
    recipe, _ = ema_run
    recipe.export(str(tmp_path / "saved"))
    recipe.export(str(tmp_path / "saved"))  # version 2: the command takes the latest
    status = cli.main(["evaluate", str(tmp_path / "saved" / "fashion_mnist_vgg"),
                       "--output", str(tmp_path / "cli")])
    assert status == 0
    out = capsys.readouterr().out.splitlines()
    printed = json.loads(out[0])
    (_, _), (x_test, y_test) = fashion_mnist
    predicted = recipe.model.predict(x_test.astype("float32"), batch_size=1000, verbose=0).argmax(-1)
    assert printed["samples"] == 10000
    assert printed["accuracy"] == pytest.approx((predicted == y_test).mean(), abs=2e-4)
    assert sorted(os.listdir(tmp_path / "cli")) == [
        "confusion_matrix.json", "confusion_matrix.png", "mistakes.png", "report.json"]
    served = json.loads((tmp_path / "cli" / "report.json").read_text())
    expected = kr.training.evaluation.confusion_matrix(y_test.astype(int), predicted, 10)
    assert np.abs(np.subtract(served["confusion_matrix"], expected)).sum() <= 4  # float ties
    saved = str(tmp_path / "saved" / "fashion_mnist_vgg" / "1")
    assert cli.main(["evaluate", saved, "--data", "fashoin_mnist"]) == 2
    assert re.search(r"Did you mean \W*fashion_mnist", capsys.readouterr().err)
    assert cli.main(["evaluate", saved, "--tta", "flipp"]) == 2
    assert "flip" in capsys.readouterr().err


def test_evaluate_command_errors(tmp_path, capsys):
    assert cli.main(["evaluate", str(tmp_path / "nothing")]) == 2
    assert "Argument `path` must be an export folder" in capsys.readouterr().err


def test_mixup_recipe_trains_on_soft_labels_and_validates_on_integer_ones():
    recipe = kr.recipes.get("fashion_mnist_vgg")(mixup=0.2, cutmix=1.0, label_smoothing=0.1, **TINY)
    images, labels = next(iter(recipe.train_data))
    assert labels.shape == (64, 10) and images.shape == (64, 28, 28, 1)
    np.testing.assert_allclose(labels.numpy().sum(-1), 1.0, atol=1e-6)
    assert isinstance(recipe.model.loss, soft_labels.SoftLabelCrossentropy)
    history = recipe.model.fit(recipe.train_data.take(2), validation_data=recipe.val_data.take(1),
                               shuffle=False, verbose=0)
    assert {"accuracy", "val_accuracy", "loss", "val_loss"} <= set(history.history)
    assert 0 <= history.history["val_accuracy"][0] <= 1


def test_extras_are_off_by_default_and_swa_adds_its_callback():
    recipe = kr.recipes.get("fashion_mnist_vgg")(**TINY)
    assert isinstance(recipe.model.loss, keras.losses.SparseCategoricalCrossentropy)
    assert not recipe.model.optimizer.use_ema
    swa = kr.recipes.get("fashion_mnist_vgg")(swa=1, **TINY)
    (callback,) = [c for c in swa.callbacks if isinstance(c, StochasticWeightAveraging)]
    assert callback.epochs == 1 and callback.data is not None


@pytest.mark.parametrize("overrides, match", [
    (dict(label_smoothing=1.0), r"Key `label_smoothing` must be a number in \[0, 1\)"),
    (dict(mixup=-0.2), r"Key `mixup` must be None \(off\) or an alpha > 0"),
    (dict(cutmix="0"), r"Key `cutmix` must be None \(off\) or an alpha > 0"),
    (dict(ema=1.0), r"Key `ema` must be None \(off\) or a momentum in \(0, 1\)"),
    (dict(swa=3, epochs=2), r"Key `swa` must be None \(off\) or a number of final epochs in \[1, epochs=2\]"),
    (dict(swa=1, ema=0.9), r"Keys `swa` and `ema` must not both be set"),
    (dict(tta="flop"), r"Key `tta` must be None \(off\) or one of \['flip', 'flip_shift', 'shift'\]\. "
                       r"Received: tta='flop'"),
])
def test_bad_extras_fail_before_training(overrides, match):
    with pytest.raises(ValueError, match=match):
        kr.recipes.validate(kr.recipes.config("fashion_mnist_vgg", **overrides))
