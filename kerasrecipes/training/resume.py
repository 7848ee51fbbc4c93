"""Resume a killed run where it stopped, ending with the weights of an unbroken run.

Keras' `BackupAndRestore` (3.15) saves the model and optimizer every `save_freq`
batches, but on restart it only restores the epoch number: the interrupted epoch is run
again from its first batch (so the batches seen before the kill are seen twice), the
dropout seed generators start over, and `EarlyStopping`/`ReduceLROnPlateau` forget what
they had counted. `ResumableBackup` adds what is missing:

- the position inside the epoch (batches done), used by `fit_resumable` to skip exactly
  those batches of the replayed epoch (the pipeline's epoch k is a pure function of
  `(seed, k)`, see `kerasrecipes.data.pipeline(epoch_counter=...)`);
- the state of the model's seed generators (dropout draws) and of the other callbacks
  (early stopping's counters and best weights, the plateau schedule's counters, the
  learning-rate log), restored after their own `on_train_begin` has reset them;
- atomic backups: the arrays are written to new files first and `state.json`, written
  last by rename, names them, so a kill while saving leaves the previous backup whole;
- no backup of a non-finite state: a batch whose loss is NaN or Inf is never saved.
"""

import glob
import json
import math
import os

import keras
import numpy as np

from kerasrecipes import _keras_compat

_STATE = "state.json"
_SKIPPED_ATTRIBUTES = ("model", "_model", "params", "validation_data", "monitor_op")


def _seed_states(model):
    """The dropout and other seed-generator state variables, which `save_weights` omits."""
    return _keras_compat.seed_state_variables(model)


def _jsonable(value):
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return True, value
    if isinstance(value, (list, tuple)) and all(
        isinstance(v, (bool, int, float, str, np.generic)) for v in value
    ):
        return True, [v.item() if isinstance(v, np.generic) else v for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        try:
            return True, json.loads(json.dumps(value, default=float))
        except (TypeError, ValueError):
            return False, None
    return False, None


def _is_array_list(value):
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, np.ndarray) for v in value)


def read_position(backup_dir):
    """Returns `(epoch, batches_done)` of the backup in `backup_dir`, or `(0, 0)`."""
    path = os.path.join(backup_dir, _STATE)
    if not os.path.exists(path):
        return 0, 0
    with open(path) as handle:
        state = json.load(handle)
    return int(state["epoch"]), int(state["batch"])


@keras.saving.register_keras_serializable(package="kerasrecipes")
class EpochSync(keras.callbacks.Callback):
    """Tells an epoch-indexed pipeline which epoch `fit()` is starting.

    Its `counter` is the int64 variable to give `kerasrecipes.data.pipeline` as
    `epoch_counter`.

    Example:

    >>> sync = EpochSync()
    >>> train = pipeline(x, y, 128, training=True, seed=1, epoch_counter=sync.counter)
    >>> model.fit(train, epochs=3, callbacks=[sync])
    """

    def __init__(self):
        super().__init__()
        from kerasrecipes.data import seeding  # TensorFlow: only where a pipeline is fed

        self.counter = seeding.epoch_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self.counter.assign(epoch)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="kerasrecipes")
class ResumableBackup(keras.callbacks.BackupAndRestore):
    """`BackupAndRestore` that resumes mid-epoch with the exact state of the run.

    Put it last in the callback list (it restores the other callbacks' state after
    their own `on_train_begin`) and train with `fit_resumable`.

    Args:
        backup_dir: str, a folder for this run's backup alone.
        save_freq: int (batches) or `"epoch"`. Defaults to 50 batches.

    `track(callbacks)` names the callbacks whose state is backed up with the model.

    Example:

    >>> backup = ResumableBackup("runs/fm/backup", save_freq=20).track(callbacks)
    >>> history = fit_resumable(model, train_data, epochs=12, backup=backup,
    ...                         callbacks=callbacks + [backup])
    """

    def __init__(self, backup_dir, save_freq=50):
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq < 1):
            raise ValueError(
                "Argument `save_freq` must be a positive number of batches or 'epoch'. "
                f"Received: save_freq={save_freq!r}"
            )
        super().__init__(backup_dir, save_freq=save_freq, delete_checkpoint=False)
        self.tracked = []
        self.batch_offset = 0
        self.history = {}
        self._epoch = 0
        self._batches_done = 0
        self._saves = 0

    def get_config(self):
        return {"backup_dir": self.backup_dir, "save_freq": self.save_freq}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def track(self, callbacks):
        """Backs up the state of `callbacks` too; returns `self`."""
        self.tracked = [c for c in callbacks if c is not self]
        return self

    # Restoring.
    def on_train_begin(self, logs=None):
        path = os.path.join(self.backup_dir, _STATE)
        if not os.path.exists(path):
            self.history, self._saves = {}, 0
            return
        with open(path) as handle:
            state = json.load(handle)
        model = self.model
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        model.load_weights(os.path.join(self.backup_dir, state["weights"]))
        with np.load(os.path.join(self.backup_dir, state["arrays"]), allow_pickle=False) as arrays:
            for index, variable in enumerate(_seed_states(model)):
                variable.assign(arrays[f"seed_{index}"])
            for index, callback in enumerate(self.tracked):
                saved = state["callbacks"][index]
                if saved["class"] != type(callback).__name__:
                    raise ValueError(
                        f"The backup in {self.backup_dir} was made with other callbacks "
                        f"({saved['class']} at position {index}); use a new `backup_dir`. "
                        f"Received: {type(callback).__name__}"
                    )
                for key, value in saved["values"].items():
                    setattr(callback, key, value)
                for key, count in saved["arrays"].items():
                    setattr(callback, key, [arrays[f"cb{index}_{key}_{i}"] for i in range(count)])
        self.history = state["history"]
        self._saves = state["saves"]

    # Saving.
    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._batches_done = self.batch_offset

    def on_train_batch_end(self, batch, logs=None):
        self._batches_done = self.batch_offset + batch + 1
        if self.save_freq != "epoch" and self._batches_done % self.save_freq == 0:
            if _finite(logs):
                self._save(self._epoch, self._batches_done)

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if _finite(logs):
            self._save(epoch + 1, 0)

    def on_train_end(self, logs=None):
        """Keeps the backup: `fit_resumable` deletes it once the whole run is done
        (Keras' own `on_train_end` would delete it after each partial `fit`)."""

    def _save(self, epoch, batch):
        if not all(np.all(np.isfinite(keras.ops.convert_to_numpy(v)))
                   for v in self.model.trainable_variables):
            return  # the last finite state stays the backup
        os.makedirs(self.backup_dir, exist_ok=True)
        self._saves += 1
        stem = f"backup-{self._saves:06d}"
        weights, arrays = f"{stem}.weights.h5", f"{stem}.npz"
        self.model.save_weights(os.path.join(self.backup_dir, weights), overwrite=True)
        to_save = {f"seed_{i}": np.asarray(v.numpy()) for i, v in enumerate(_seed_states(self.model))}
        callbacks = []
        for index, callback in enumerate(self.tracked):
            values, array_counts = {}, {}
            for key, value in vars(callback).items():
                if key in _SKIPPED_ATTRIBUTES:
                    continue
                if _is_array_list(value):
                    array_counts[key] = len(value)
                    for i, array in enumerate(value):
                        to_save[f"cb{index}_{key}_{i}"] = array
                    continue
                ok, plain = _jsonable(value)
                if ok:
                    values[key] = plain
            callbacks.append({"class": type(callback).__name__, "values": values,
                              "arrays": array_counts})
        with open(os.path.join(self.backup_dir, arrays), "wb") as handle:
            np.savez(handle, **to_save)
        state = {"epoch": epoch, "batch": batch, "weights": weights, "arrays": arrays,
                 "saves": self._saves, "history": self.history, "callbacks": callbacks}
        temporary = os.path.join(self.backup_dir, f".{_STATE}.tmp")
        with open(temporary, "w") as handle:
            json.dump(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, os.path.join(self.backup_dir, _STATE))
        for old in glob.glob(os.path.join(self.backup_dir, "backup-*")):
            if not os.path.basename(old).startswith(stem):
                os.remove(old)

    def delete(self):
        """Removes the backup (called when the run has finished)."""
        for path in glob.glob(os.path.join(self.backup_dir, "backup-*")) + [
                os.path.join(self.backup_dir, _STATE)]:
            if os.path.exists(path):
                os.remove(path)
        if os.path.isdir(self.backup_dir) and not os.listdir(self.backup_dir):
            os.rmdir(self.backup_dir)


def _finite(logs):
    return all(math.isfinite(float(v)) for v in (logs or {}).values()
               if isinstance(v, (int, float, np.generic)) or hasattr(v, "__float__"))


def fit_resumable(model, train_data, epochs, backup, callbacks, **fit_kwargs):
    """Runs `model.fit` so that a killed run, started again, continues exactly.

    When `backup` holds a mid-epoch state (epoch k, b batches done), a first `fit`
    runs the rest of epoch k on `train_data.skip(b)` and a second one the later
    epochs; `backup.on_train_begin` restores the state before each. `train_data`
    must be epoch-indexed (`pipeline(..., epoch_counter=...)` with an `EpochSync`
    in `callbacks`), so the skipped batches are exactly those seen before the kill.
    The backup is deleted when the run ends normally (all epochs, or early
    stopping), and kept when the loss became non-finite or an error was raised.

    Args:
        model: a compiled `keras.Model`.
        train_data: an epoch-indexed `tf.data.Dataset`.
        epochs: int, the total number of epochs of the run.
        backup: a `ResumableBackup` (also in `callbacks`, last).
        callbacks: list of callbacks for `fit`.
        **fit_kwargs: more `keras.Model.fit` arguments.

    Returns:
        A `keras.callbacks.History` whose `history` covers every epoch of the run,
        those before the kill included.
    """
    epoch, done = read_position(backup.backup_dir)
    history = None
    if done and epoch < epochs:
        backup.batch_offset = done
        try:
            history = model.fit(train_data.skip(done), epochs=epoch + 1, initial_epoch=epoch,
                                callbacks=callbacks, **fit_kwargs)
        finally:
            backup.batch_offset = 0
        epoch += 1
    if epoch < epochs and not model.stop_training:
        history = model.fit(train_data, epochs=epochs, initial_epoch=epoch,
                            callbacks=callbacks, **fit_kwargs)
    if history is None:  # the backup already held the finished run
        history = keras.callbacks.History()
        history.set_model(model)
        history.epoch = []
    history.history = {key: list(values) for key, values in backup.history.items()}
    history.epoch = list(range(len(next(iter(history.history.values()), []))))
    nan_stop = any(not math.isfinite(v) for vs in history.history.values() for v in vs)
    if not nan_stop:
        backup.delete()
    return history
