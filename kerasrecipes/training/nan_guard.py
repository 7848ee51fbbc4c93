"""Stop at the first non-finite loss and keep the last good weights.

Keras' `TerminateOnNaN` stops `fit()` after the batch whose loss is NaN or Inf, but the
model then holds the NaN weights of that step. `NaNGuard` also snapshots the model and
optimizer state at the start of every epoch and puts it back, so the model in memory
(and anything saved from it afterwards) is the last good one; `ResumableBackup` never
writes a non-finite state, so the backup on disk stays the last good one too.
"""

import math

import keras
import numpy as np


@keras.saving.register_keras_serializable(package="kerasrecipes")
class NaNGuard(keras.callbacks.TerminateOnNaN):
    """`TerminateOnNaN` that restores the weights of the start of the epoch.

    After `fit()`, `diverged` is None, or `(epoch, batch, loss)` of the first
    non-finite loss, and `learning_rate` the rate in use at that step.

    Example:

    >>> guard = NaNGuard()
    >>> model.fit(x, y, epochs=3, callbacks=[guard])
    >>> guard.diverged
    """

    def __init__(self):
        super().__init__()
        self.diverged = None
        self.learning_rate = None
        self._epoch = 0
        self._snapshot = None

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _variables(self):
        optimizer = self.model.optimizer
        return list(self.model.variables) + (list(optimizer.variables) if optimizer else [])

    def on_train_begin(self, logs=None):
        self.diverged = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._snapshot = [np.array(keras.ops.convert_to_numpy(v)) for v in self._variables()]

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        self.diverged = (self._epoch, batch, float(loss))
        self.learning_rate = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        self.model.stop_training = True
        if self._snapshot is not None:
            for variable, value in zip(self._variables(), self._snapshot):
                variable.assign(value)
