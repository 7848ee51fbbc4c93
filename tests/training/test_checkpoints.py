import os

import keras
import numpy as np
import pytest

from kerasrecipes import activations
from kerasrecipes.recipes import RecipeConfig
from kerasrecipes.recipes import validate
from kerasrecipes.training import checkpoints

SCORES = [0.5, 0.9, 0.7, 0.8]  # a scripted `val_score`: best at epoch 2 (max), 1 (min)


class ScriptedScore(keras.callbacks.Callback):
    """Puts `SCORES[epoch]` into the logs as `val_score` and keeps each epoch's weights."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        logs["val_score"] = SCORES[epoch]
        self.weights.append([np.array(w) for w in self.model.get_weights()])


class LastFileIsCurrent(keras.callbacks.Callback):
    """After the checkpoints of each epoch, reloads last.keras and compares it to the model."""

    def __init__(self, folder):
        super().__init__()
        self.folder = folder
        self.matches = []

    def on_epoch_end(self, epoch, logs=None):
        saved = keras.saving.load_model(os.path.join(self.folder, "last.keras"))
        self.matches.append(all(np.array_equal(a, b) for a, b in
                                zip(saved.get_weights(), self.model.get_weights())))


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (48, 8, 8, 1)).astype("float32")
    return x, np.arange(48) % 10


def small_model():
    # A kerasrecipes layer (PReLU) inside: it must reload without custom_objects.
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, name="conv")(keras.layers.Rescaling(1 / 255)(inputs))
    x = activations.layer("prelu", name="prelu")(x)
    x = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(x))
    model = keras.Model(inputs, x)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def weights_equal(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def fit(model, data, callbacks, epochs=1):
    x, y = data
    return model.fit(x, y, validation_split=0.25, epochs=epochs, batch_size=12, verbose=0,
                     callbacks=callbacks)


def test_best_by_the_monitored_metric_last_each_epoch_and_the_last_n_kept(tmp_path, data):
    model = small_model()
    scripted, current = ScriptedScore(), LastFileIsCurrent(str(tmp_path / "max"))
    fit(model, data, epochs=4, callbacks=[
        scripted,
        *checkpoints.checkpoint_callbacks(str(tmp_path / "max"), monitor="val_score",
                                          mode="max", keep_last=2),
        *checkpoints.checkpoint_callbacks(str(tmp_path / "min"), monitor="val_score",
                                          mode="min"),
        current,
    ])
    assert current.matches == [True] * 4
    assert sorted(os.listdir(tmp_path / "max")) == [
        "best.keras", "epoch-003.keras", "epoch-004.keras", "last.keras"]
    assert sorted(os.listdir(tmp_path / "min")) == ["best.keras", "last.keras"]
    for mode, best_epoch in (("max", 2), ("min", 1)):
        best = keras.saving.load_model(str(tmp_path / mode / "best.keras"), safe_mode=True)
        assert weights_equal(best.get_weights(), scripted.weights[best_epoch - 1]), mode
        assert not weights_equal(best.get_weights(), scripted.weights[-1]), mode
    epoch3 = keras.saving.load_model(str(tmp_path / "max" / "epoch-003.keras"))
    assert weights_equal(epoch3.get_weights(), scripted.weights[2])
    assert checkpoints.epoch_files(str(tmp_path / "max"))[-1].endswith("epoch-004.keras")
    restored = keras.saving.load_model(str(tmp_path / "max" / "last.keras"), safe_mode=True)
    x = data[0]
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_failed_write_keeps_the_previous_checkpoint(tmp_path, data, monkeypatch):
    model = small_model()
    callbacks = checkpoints.checkpoint_callbacks(str(tmp_path))
    fit(model, data, callbacks)
    before = model.get_weights()

    def crash_mid_write(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as handle:
            handle.write(b"PK\x03\x04 half a zip")
        raise RuntimeError("killed while writing")

    monkeypatch.setattr(keras.Model, "save", crash_mid_write)
    with pytest.raises(RuntimeError, match="killed while writing"):
        fit(model, data, callbacks)
    monkeypatch.undo()
    restored = keras.saving.load_model(str(tmp_path / "last.keras"))
    assert weights_equal(restored.get_weights(), before)
    assert sorted(f for f in os.listdir(tmp_path) if not f.startswith(".")) == [
        "best.keras", "last.keras"]
    # The next run removes the half-written temporary file before it starts.
    fit(model, data, callbacks)
    assert sorted(os.listdir(tmp_path)) == ["best.keras", "last.keras"]


def test_an_unreported_monitor_fails_after_the_first_epoch(tmp_path, data):
    model = small_model()
    seen = []
    counter = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))
    with pytest.raises(ValueError, match=r"`checkpoint_monitor` must be one of .*Did you mean "
                                         r"'val_accuracy'.*Received: checkpoint_monitor='val_acc'"):
        fit(model, data, epochs=2, callbacks=[
            *checkpoints.checkpoint_callbacks(str(tmp_path), monitor="val_acc"), counter])
    assert seen == [] and not os.path.exists(tmp_path / "best.keras")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(mode="maximum"), r"`checkpoint_mode` must be one of \['auto', 'max', 'min'\]. "
                               r"Did you mean 'max'"),
        (dict(keep_last=0), r"`keep_last` must be None or an integer >= 1. Received: keep_last=0"),
        (dict(monitor=""), r"`checkpoint_monitor` must be a metric name"),
    ],
)
def test_bad_options_raise(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        checkpoints.checkpoint_callbacks(str(tmp_path), **kwargs)
    assert os.listdir(tmp_path) == []


def test_recipe_config_checks_checkpoint_keys_before_building():
    with pytest.raises(ValueError, match="`keep_last` needs `checkpoint_dir`"):
        validate(RecipeConfig(keep_last=3))
    with pytest.raises(ValueError, match="`checkpoint_mode` must be one of"):
        validate(RecipeConfig(checkpoint_dir="ckpt", checkpoint_mode="up"))
    with pytest.raises(ValueError, match=r"Key `fold` must be an integer in \[0, 1/validation_split\)"):
        validate(RecipeConfig(validation_split=0.25, fold=4))
    validate(RecipeConfig(checkpoint_dir="ckpt", keep_last=2, validation_split=0.25, fold=3))


def test_filepath_must_be_a_keras_file():
    with pytest.raises(ValueError, match=r"`filepath` must end in `.keras`. Received: filepath='m.h5'"):
        checkpoints.AtomicModelCheckpoint("m.h5")


def test_folds_partition_the_training_images_class_by_class():
    from kerasrecipes.data.splits import stratified_split

    labels = np.repeat(np.arange(4), 25)
    vals = [stratified_split(labels, 0.25, seed=3, fold=k)[1] for k in range(4)]
    assert sorted(np.concatenate(vals).tolist()) == list(range(100))
    for val in vals:
        assert np.bincount(labels[val]).tolist() == [6, 6, 6, 6] or \
            np.bincount(labels[val]).tolist() == [7, 7, 7, 7]
    train, val = stratified_split(labels, 0.25, seed=3, fold=2)
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(100))
    # fold 0 is the split every recipe had before folds existed
    np.testing.assert_array_equal(np.sort(stratified_split(labels, 0.25, seed=3)[1]),
                                  np.sort(stratified_split(labels, 0.25, seed=3, fold=0)[1]))
