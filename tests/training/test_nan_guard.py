"""A diverging run stops at once, keeps the last good weights and backup, and says why."""

import hashlib
import os

import keras
import numpy as np
import pytest

from kerasrecipes import cli
from kerasrecipes import recipes
from kerasrecipes.training import diagnostics
from kerasrecipes.training.nan_guard import NaNGuard


def tiny_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


X = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
Y = np.arange(16) % 3


@pytest.mark.parametrize(
    "x, learning_rate, message",
    [
        (np.where(np.eye(16, 4) > 0, np.nan, X), 0.01, "NaN in the input .*4 non-finite"),
        (X, 1e4, "learning rate is too high .*lower `learning_rate` to about"),
        (X * 1e6, 1e-12, "exploding gradient norm .*global_clipnorm=1.0"),
        (X, 1e-3, "normal gradient"),
    ],
)
def test_diagnosis_names_the_cause(x, learning_rate, message):
    text = diagnostics.diagnose_divergence(tiny_model(), x, Y, learning_rate, where="epoch 1")
    assert text.startswith("The loss became NaN or Inf at epoch 1")
    assert len(text.splitlines()) == 1
    import re

    assert re.search(message, text), text


def test_guard_stops_at_the_first_nan_and_restores_the_epoch_start():
    model = tiny_model()
    start = [w.copy() for w in model.get_weights()]
    guard = NaNGuard()
    y = np.full((16, 3), np.nan, "float32")  # NaN targets: the first batch's loss is NaN
    model.compile("sgd", "mse")
    history = model.fit(X, y, batch_size=4, epochs=3, callbacks=[guard], verbose=0)
    assert guard.diverged[:2] == (0, 0) and np.isnan(guard.diverged[2])
    assert len(history.history["loss"]) == 1  # stopped in the first epoch
    for before, after in zip(start, model.get_weights()):
        np.testing.assert_array_equal(before, after)


class RaiseLearningRate(keras.callbacks.Callback):
    """At epoch 2 the learning rate jumps to 1e30; records the weights it starts from and
    the backup files written at the end of epoch 1."""

    def __init__(self, backup):
        super().__init__()
        self.backup = backup

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1:
            self.good = [w.copy() for w in self.model.get_weights()]
            self.files = digest(self.backup)
            self.model.optimizer.learning_rate.assign(1e30)


def digest(folder):
    return {name: hashlib.sha256(open(os.path.join(folder, name), "rb").read()).hexdigest()
            for name in sorted(os.listdir(folder))}


@pytest.mark.slow
def test_recipe_diverging_keeps_backup_and_good_weights(tmp_path):
    backup = str(tmp_path / "backup")
    recipe = recipes.get("fashion_mnist_vgg")(
        epochs=3, train_samples=100, batch_size=25, width=0.25, validation_split=0.01,
        schedule="constant", learning_rate=0.01, backup_dir=backup, backup_freq=1000)
    jump = RaiseLearningRate(backup)
    with pytest.raises(diagnostics.TrainingDiverged,
                       match=r"at epoch 2, batch \d+: the learning rate is too high") as caught:
        recipe.fit(verbose=0, callbacks=[jump])
    assert caught.value.epoch == 1
    assert len(jump.files) == 3 and digest(backup) == jump.files  # the backup of epoch 1 was not touched
    for good, now in zip(jump.good, recipe.model.get_weights()):
        np.testing.assert_array_equal(good, now)


@pytest.mark.slow
def test_cli_exits_3_with_the_one_line_diagnosis(capsys):
    status = cli.main(["train", "fashion_mnist_vgg", "--epochs", "1", "--verbose", "0",
                       "--set", "train_samples=100", "--set", "batch_size=25",
                       "--set", "width=0.25", "--set", "schedule=constant",
                       "--set", "learning_rate=1e4", "--set", "validation_split=0.01",
                       "--set", "norm=off"])
    out, err = capsys.readouterr()
    assert status == 3
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("kerasrecipes train: error: The loss became NaN or Inf at epoch 1")
    assert "learning rate is too high" in err
