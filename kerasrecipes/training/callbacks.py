"""Callbacks that watch training: activation/gradient statistics and the learning rate.

Keras' own callbacks (`ReduceLROnPlateau`, `EarlyStopping`, `TerminateOnNaN`,
`TensorBoard`, ...) are used as they are by the recipes; these two add what Keras lacks:
per-layer signal statistics with a verdict, and a record of the learning rate that a
schedule or `ReduceLROnPlateau` actually applied, for the LR-over-time plot.
"""

import keras
import numpy as np

from kerasrecipes import _keras_compat
from kerasrecipes.training import statistics


@keras.saving.register_keras_serializable(package="kerasrecipes")
class ActivationStatistics(keras.callbacks.Callback):
    """Measures per-layer activations and gradients on a fixed probe batch.

    Before training and after every `every` epochs it records, for each layer, the
    activation mean and std, the spread between its units, the fraction of dead ReLU
    units, the fraction of saturated sigmoid/tanh units and the gradient norm of its
    weights (see `kerasrecipes.training.statistics`), and flags vanishing or exploding
    signals, identical units (all-zero init), dead ReLUs and saturated units.

    Args:
        x: the probe inputs, an array (a few dozen samples are enough).
        y: optional probe targets; with them the gradient norms are measured too.
        layers: optional list of layer names to watch; defaults to every layer.
        every: int >= 1, measure every `every` epochs. Defaults to 1.
        ratio: float > 1, the factor beyond which a signal counts as vanishing or
            exploding (see `statistics.find_problems`). Defaults to 100.
        verbose: int, 1 prints the problems found at each measurement.

    Attributes:
        records: list of dicts `{"epoch", "activations", "gradients", "problems"}`,
            epoch 0 being the initial state.

    Example:

    >>> stats = ActivationStatistics(x_train[:64], y_train[:64])
    >>> model.fit(x_train, y_train, epochs=2, callbacks=[stats])
    >>> stats.records[-1]["problems"]
    """

    def __init__(self, x, y=None, layers=None, every=1, ratio=100.0, verbose=0):
        super().__init__()
        if not (isinstance(every, int) and every >= 1):
            raise ValueError(f"Argument `every` must be an integer >= 1. Received: every={every!r}")
        if not ratio > 1:
            raise ValueError(f"Argument `ratio` must be > 1. Received: ratio={ratio}")
        self.x = np.asarray(x)
        self.y = None if y is None else np.asarray(y)
        if self.y is not None and len(self.y) != len(self.x):
            raise ValueError(
                f"Argument `y` must have one target per probe input ({len(self.x)}). "
                f"Received: y.shape={self.y.shape}"
            )
        self.layers = None if layers is None else list(layers)
        self.every = every
        self.ratio = float(ratio)
        self.verbose = verbose
        self.records = []

    def measure(self, epoch):
        """Measures the model now and appends the record for `epoch`; returns it."""
        activations = statistics.activation_statistics(self.model, self.x, self.layers)
        grads = None
        if self.y is not None:
            grads = statistics.gradient_norms(self.model, self.x, self.y)
        problems = statistics.find_problems(activations, grads, ratio=self.ratio)
        record = {"epoch": epoch, "activations": activations, "gradients": grads,
                  "problems": problems}
        self.records.append(record)
        if self.verbose and problems:
            for problem in problems:
                print(f"ActivationStatistics, epoch {epoch}: {problem}")
        return record

    def on_train_begin(self, logs=None):
        self.records = []
        self.measure(0)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self.measure(epoch + 1)

    def get_config(self):
        return {
            "x": self.x.tolist(),
            "y": None if self.y is None else self.y.tolist(),
            "layers": self.layers,
            "every": self.every,
            "ratio": self.ratio,
            "verbose": self.verbose,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="kerasrecipes")
class LearningRateLogger(keras.callbacks.Callback):
    """Records the learning rate applied at each epoch and step.

    Puts the LR at the end of each epoch into the logs (so `History` gets a
    `learning_rate` curve, as `ReduceLROnPlateau` does) and, after training,
    `rates()` gives the LR per optimizer step: read from the schedule where the
    optimizer has one (cosine, exponential, step), else piecewise constant between
    epochs (constant, plateau). Reading the schedule afterwards keeps the training
    loop free of a host round trip per step.

    Args:
        max_points: int >= 2, at most this many (step, LR) points from `rates()`.

    Example:

    >>> logger = LearningRateLogger()
    >>> model.fit(x, y, epochs=3, callbacks=[logger])
    >>> steps, rates = logger.rates()
    """

    def __init__(self, max_points=500):
        super().__init__()
        if not (isinstance(max_points, int) and max_points >= 2):
            raise ValueError(
                f"Argument `max_points` must be an integer >= 2. Received: max_points={max_points!r}"
            )
        self.max_points = max_points
        self.epoch_steps = []
        self.epoch_rates = []

    def _current(self):
        optimizer = self.model.optimizer
        return int(keras.ops.convert_to_numpy(optimizer.iterations)), float(
            keras.ops.convert_to_numpy(optimizer.learning_rate)
        )

    def on_train_begin(self, logs=None):
        self.epoch_steps, self.epoch_rates = [], []

    def on_epoch_begin(self, epoch, logs=None):
        step, rate = self._current()
        self.epoch_steps.append(step)
        self.epoch_rates.append(rate)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs.setdefault("learning_rate", self._current()[1])

    def on_train_end(self, logs=None):
        self.final_step = self._current()[0]

    def rates(self):
        """Returns `(steps, rates)`, two numpy arrays of the LR over the run's steps."""
        if not self.epoch_steps:
            raise ValueError("LearningRateLogger has no record yet: call it from `fit()` first.")
        last = max(getattr(self, "final_step", self.epoch_steps[-1]), self.epoch_steps[-1] + 1)
        steps = np.unique(np.linspace(self.epoch_steps[0], last - 1, self.max_points).astype(int))
        schedule = _keras_compat.optimizer_schedule(self.model.optimizer)
        if schedule is not None:
            rates = [float(keras.ops.convert_to_numpy(schedule(int(s)))) for s in steps]
        else:
            index = np.searchsorted(self.epoch_steps, steps, side="right") - 1
            rates = [self.epoch_rates[i] for i in index]
        return steps, np.asarray(rates)

    def get_config(self):
        return {"max_points": self.max_points}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
