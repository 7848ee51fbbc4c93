"""Checkpoints written atomically each epoch: best, last and the last `n` epochs.

A long run otherwise keeps nothing but its final weights. `checkpoint_callbacks()` gives
the recipe three kinds of `.keras` files in one folder, all through Keras'
`ModelCheckpoint`:

    best.keras              the model at its best epoch by `monitor` (val_loss by default)
    last.keras              the model after the latest epoch
    epoch-001.keras, ...    the last `keep_last` epochs, for snapshot ensembles and SWA

Each file is written under a hidden temporary name in the same folder and renamed into
place (`os.replace`, atomic on POSIX and Windows), so a run killed mid-write leaves the
previous checkpoint intact, never half a zip. The files reload with
`keras.saving.load_model(path)` in safe mode, no `custom_objects` needed.

Example:

>>> callbacks = checkpoint_callbacks("runs/fm/checkpoints", monitor="val_accuracy")
>>> model.fit(train, validation_data=val, epochs=5, callbacks=callbacks)
>>> best = keras.saving.load_model("runs/fm/checkpoints/best.keras")
"""

import glob
import os

import keras

from kerasrecipes._names import unknown_name_error

DEFAULT_MONITOR = "val_loss"
MODES = ("auto", "min", "max")
BEST_FILE = "best.keras"
LAST_FILE = "last.keras"
EPOCH_PATTERN = "epoch-{epoch:03d}.keras"


@keras.saving.register_keras_serializable(package="kerasrecipes")
class AtomicModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """Keras' `ModelCheckpoint` (per epoch) whose files appear whole or not at all.

    Keras writes to `filepath` directly; this callback hands Keras a hidden temporary
    `.keras` path beside the target and renames the finished file into place. With
    `keep` set, `filepath` should contain `{epoch}` and only the `keep` newest files
    this callback wrote are kept (files it did not write are never deleted).

    With `save_best_only`, a `monitor` missing from the first epoch's logs raises
    (listing the quantities reported), where Keras warns at every epoch and never
    writes a best checkpoint. Epoch logs are the place to check: callbacks may add
    quantities there that no batch reports.

    Args:
        filepath: str, the target `.keras` path; may contain `{epoch}` (1-based) and
            other `str.format` fields of the epoch logs, as in `ModelCheckpoint`.
        monitor: str, the quantity compared for `save_best_only`. Defaults to
            `"val_loss"`.
        mode: `"auto"`, `"min"` or `"max"`, as in `ModelCheckpoint`.
        save_best_only: bool, write only when `monitor` improves.
        keep: optional int >= 1, how many of the newest files to keep.
        verbose: int, 1 prints a line for each file written.

    Example:

    >>> last = AtomicModelCheckpoint("ckpt/epoch-{epoch:03d}.keras", keep=3)
    """

    def __init__(self, filepath, monitor=DEFAULT_MONITOR, mode="auto", save_best_only=False,
                 keep=None, verbose=0):
        filepath = os.fspath(filepath)
        if not filepath.endswith(".keras"):
            raise ValueError(
                f"Argument `filepath` must end in `.keras`. Received: filepath={filepath!r}"
            )
        check_options(monitor=monitor, mode=mode, keep_last=keep)
        folder, name = os.path.split(filepath)
        # Keras requires the `.keras` suffix; the leading dot keeps the temporary
        # file out of globs such as `epoch-*.keras`.
        self._tmp_path = os.path.join(folder, f".{name.replace('{', '').replace('}', '')}"
                                              f".tmp-{os.getpid()}.keras")
        super().__init__(self._tmp_path, monitor=monitor, verbose=0, mode=mode,
                         save_best_only=save_best_only, save_freq="epoch")
        self.target_path = filepath
        self.keep = keep
        self.print_saves = verbose
        self.written = []
        self._monitor_checked = False

    def on_train_begin(self, logs=None):
        # A temporary file left by a killed run is garbage, not a checkpoint.
        if os.path.exists(self._tmp_path):
            os.remove(self._tmp_path)
        self._monitor_checked = False

    def on_epoch_end(self, epoch, logs=None):
        if self.save_best_only:
            self._check_monitor(set(logs or {}))
        super().on_epoch_end(epoch, logs)
        if not os.path.exists(self._tmp_path):
            return  # not an improvement: nothing written
        target = self.target_path.format(epoch=epoch + 1, **(logs or {}))
        os.replace(self._tmp_path, target)
        if self.print_saves:
            print(f"Epoch {epoch + 1}: saved {target}")
        if target in self.written:
            self.written.remove(target)
        self.written.append(target)
        if self.keep is not None:
            while len(self.written) > self.keep:
                stale = self.written.pop(0)
                if os.path.exists(stale):
                    os.remove(stale)

    def _check_monitor(self, reported):
        if not self._monitor_checked and self.monitor not in reported:
            raise unknown_name_error("checkpoint_monitor", self.monitor, sorted(reported))
        self._monitor_checked = True

    def get_config(self):
        return {
            "filepath": self.target_path,
            "monitor": self.monitor,
            "mode": self.mode,
            "save_best_only": self.save_best_only,
            "keep": self.keep,
            "verbose": self.print_saves,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def check_options(checkpoint_dir=None, monitor=DEFAULT_MONITOR, mode="auto", keep_last=None):
    """Checks checkpoint options before anything is trained.

    Raises:
        ValueError: `monitor` is not a non-empty string, `mode` is unknown, or
            `keep_last` is not None or an integer >= 1.
    """
    if not (isinstance(monitor, str) and monitor):
        raise ValueError(
            "Argument `checkpoint_monitor` must be a metric name such as 'val_loss' or "
            f"'val_accuracy'. Received: checkpoint_monitor={monitor!r}"
        )
    if mode not in MODES:
        raise unknown_name_error("checkpoint_mode", mode, MODES)
    if keep_last is not None and not (
        isinstance(keep_last, int) and not isinstance(keep_last, bool) and keep_last >= 1
    ):
        raise ValueError(
            f"Argument `keep_last` must be None or an integer >= 1. Received: keep_last={keep_last!r}"
        )
    if checkpoint_dir is not None and not (isinstance(checkpoint_dir, str) and checkpoint_dir):
        raise ValueError(
            "Argument `checkpoint_dir` must be None or a folder path. "
            f"Received: checkpoint_dir={checkpoint_dir!r}"
        )


def checkpoint_callbacks(checkpoint_dir, monitor=None, mode=None, keep_last=None, verbose=0):
    """Returns the callbacks that write `best.keras`, `last.keras` and, optionally, per-epoch files.

    Args:
        checkpoint_dir: str, the folder (created if missing).
        monitor: optional str, the quantity that decides the best epoch; None means
            `"val_loss"`.
        mode: optional `"auto"`, `"min"` or `"max"`; None means `"auto"` (Keras infers
            the direction from the name: `max` for accuracies, `min` otherwise).
        keep_last: optional int >= 1: also keep the last `keep_last` epochs as
            `epoch-NNN.keras` (for snapshot ensembles and SWA).
        verbose: int, 1 prints each file written.

    Returns:
        A list of `AtomicModelCheckpoint`.

    Example:

    >>> model.fit(x, y, validation_split=0.1, epochs=3,
    ...           callbacks=checkpoint_callbacks("ckpt", keep_last=2))
    """
    monitor = DEFAULT_MONITOR if monitor is None else monitor
    mode = "auto" if mode is None else mode
    check_options(checkpoint_dir, monitor, mode, keep_last)
    os.makedirs(checkpoint_dir, exist_ok=True)
    callbacks = [
        AtomicModelCheckpoint(os.path.join(checkpoint_dir, BEST_FILE), monitor=monitor,
                              mode=mode, save_best_only=True, verbose=verbose),
        AtomicModelCheckpoint(os.path.join(checkpoint_dir, LAST_FILE), monitor=monitor,
                              mode=mode, verbose=verbose),
    ]
    if keep_last:
        callbacks.append(AtomicModelCheckpoint(os.path.join(checkpoint_dir, EPOCH_PATTERN),
                                               monitor=monitor, mode=mode, keep=keep_last,
                                               verbose=verbose))
    return callbacks


def from_config(config):
    """Returns the checkpoint callbacks a `RecipeConfig` asks for (none without `checkpoint_dir`)."""
    if config.checkpoint_dir is None:
        return []
    return checkpoint_callbacks(config.checkpoint_dir, config.checkpoint_monitor,
                                config.checkpoint_mode, config.keep_last)


def epoch_files(checkpoint_dir):
    """Returns the `epoch-NNN.keras` files in `checkpoint_dir`, oldest epoch first."""
    return sorted(glob.glob(os.path.join(checkpoint_dir, "epoch-[0-9]*.keras")))


def check_config(config):
    """Checks a `RecipeConfig`'s checkpoint keys (`validate()` calls it before any training).

    Raises:
        ValueError: a bad value, or `keep_last` without `checkpoint_dir`.
    """
    check_options(
        config.checkpoint_dir,
        DEFAULT_MONITOR if config.checkpoint_monitor is None else config.checkpoint_monitor,
        "auto" if config.checkpoint_mode is None else config.checkpoint_mode,
        config.keep_last,
    )
    if config.keep_last is not None and config.checkpoint_dir is None:
        raise ValueError(
            "Key `keep_last` needs `checkpoint_dir` (the folder the epochs are kept in). "
            f"Received: keep_last={config.keep_last!r}, checkpoint_dir=None"
        )
