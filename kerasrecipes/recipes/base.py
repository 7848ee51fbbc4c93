"""The `Recipe` object and the generic assembly of a config into model, data and callbacks."""

import json
import math
import os

import keras
import numpy as np

from kerasrecipes import models
from kerasrecipes.layers import augmentation
from kerasrecipes.recipes import reliability
from kerasrecipes.recipes.config import RecipeConfig
from kerasrecipes.training import callbacks as callbacks_lib
from kerasrecipes.training import diagnostics
from kerasrecipes.training import optimizers
from kerasrecipes.training import precision
from kerasrecipes.training import schedules


def validate(config):
    """Checks every value of `config` before anything is loaded or built.

    Raises:
        ValueError: naming the key, the value and what is allowed.
    """
    def need(ok, key, allowed):
        if not ok:
            raise ValueError(
                f"Key `{key}` must be {allowed}. Received: {key}={getattr(config, key)!r}"
            )

    need(config.epochs >= 1, "epochs", "an integer >= 1")
    need(config.batch_size >= 1, "batch_size", "an integer >= 1")
    need(config.learning_rate > 0, "learning_rate", "> 0")
    need(0 <= config.dropout < 1, "dropout", "in [0, 1)")
    need(0 < config.validation_split < 1, "validation_split", "in (0, 1)")
    need(config.width > 0, "width", "> 0")
    need(config.warmup_epochs >= 0, "warmup_epochs", ">= 0")
    need(config.train_samples is None or config.train_samples >= 10, "train_samples",
         "None or an integer >= 10")
    need(config.early_stopping is None or config.early_stopping >= 1, "early_stopping",
         "None or a patience >= 1")
    need(config.backup_freq >= 1, "backup_freq", "an integer >= 1 (batches between backups)")
    need(config.parallel_calls is None or config.parallel_calls >= 1, "parallel_calls",
         "None (autotune) or an integer >= 1")
    if config.model not in models.names():
        from kerasrecipes._names import unknown_name_error

        raise unknown_name_error("model", config.model, models.names())
    augmentation.augmentation_policy(config.augment)
    precision.resolve(config.precision)
    reliability.check_part_names(config)
    need(config.tensorboard is False or config.log_dir is not None, "tensorboard",
         "false unless `log_dir` is set (TensorBoard writes into log_dir/tensorboard)")
    if config.tensorboard:
        import importlib.util

        # TensorFlow 2.21's tf.summary needs the tensorboard package, no longer a
        # TensorFlow dependency: fail now rather than after the first epoch.
        need(importlib.util.find_spec("tensorboard") is not None, "tensorboard",
             "false when the tensorboard package is missing (pip install tensorboard)")
    _optimizer(config, _learning_rate(config, steps_per_epoch=1))
    if config.schedule == "plateau":
        schedules.plateau_callback(config.lr_factor, config.lr_patience)


def _learning_rate(config, steps_per_epoch):
    return schedules.get(
        config.schedule,
        config.learning_rate,
        steps_per_epoch=steps_per_epoch,
        epochs=config.epochs,
        warmup_epochs=config.warmup_epochs,
        decay_rate=config.decay_rate,
        step_epochs=config.step_epochs,
        step_factor=config.step_factor,
    )


def _optimizer(config, learning_rate):
    return optimizers.get(
        config.optimizer,
        learning_rate=learning_rate,
        momentum=config.momentum,
        weight_decay=config.weight_decay,
        clipnorm=config.clipnorm,
        clipvalue=config.clipvalue,
        global_clipnorm=config.global_clipnorm,
    )


class Recipe:
    """A compiled model with its pipelines and callbacks, ready to `fit()`.

    Attributes:
        config: the `RecipeConfig`.
        model: the compiled `keras.Model` (raw pixels in, probabilities out).
        train_data, val_data, test_data: `tf.data.Dataset`s of `(images, labels)`.
        callbacks: list of `keras.callbacks.Callback` used by `fit()`.
        class_names: list of str.
    """

    def __init__(self, config, model, train_data, val_data, test_data, callbacks, class_names):
        self.config = config
        self.model = model
        self.train_data = train_data
        self.val_data = val_data
        self.test_data = test_data
        self.callbacks = callbacks
        self.class_names = class_names
        self.history = None
        self.findings = None

    def fit(self, epochs=None, verbose="auto", **kwargs):
        """Trains the model on `train_data`, validating on `val_data` every epoch.

        Args:
            epochs: optional int, defaults to `config.epochs`.
            verbose: passed to `keras.Model.fit`.
            **kwargs: more `keras.Model.fit` arguments.

        At the end it reads the curves with `kerasrecipes.training.diagnose` (kept in
        `self.findings`, printed unless `verbose=0`) and, when `config.log_dir` is
        set, writes `write_logs(config.log_dir)`.

        Returns:
            The `keras.callbacks.History`.
        """
        self.history = reliability.fit(
            self.model,
            self.train_data,
            validation_data=self.val_data,
            epochs=epochs or self.config.epochs,
            callbacks=self.callbacks + list(kwargs.pop("callbacks", [])),
            verbose=verbose,
            shuffle=False,  # the pipeline reshuffles every epoch itself
            **kwargs,
        )
        self.findings = diagnostics.diagnose(self.history)
        if verbose != 0:
            print(diagnostics.report(self.findings))
        if getattr(self.config, "log_dir", None):
            self.write_logs(self.config.log_dir)
        return self.history

    def write_logs(self, log_dir):
        """Writes the last run's curves and findings into `log_dir`.

        Files: `history.json`, `diagnosis.txt`, `curves.png` (loss and accuracy,
        train and validation), `learning_rate.png` (the LR per step) and, with the
        statistics callback, `statistics.json`.

        Returns:
            The list of paths written.
        """
        from kerasrecipes.plots import curves

        if self.history is None:
            raise ValueError("Recipe.write_logs needs a run: call `fit()` first.")
        os.makedirs(log_dir, exist_ok=True)
        written = []
        path = os.path.join(log_dir, "history.json")
        with open(path, "w") as handle:
            json.dump({k: [float(v) for v in vs] for k, vs in self.history.history.items()},
                      handle, indent=1)
        written.append(path)
        path = os.path.join(log_dir, "diagnosis.txt")
        with open(path, "w") as handle:
            handle.write(diagnostics.report(self.findings or []) + "\n")
        written.append(path)
        written.append(curves.plot_history(self.history, os.path.join(log_dir, "curves.png"),
                                           title=self.config.name))
        for callback in self.callbacks:
            if isinstance(callback, callbacks_lib.LearningRateLogger):
                steps, rates = callback.rates()
                written.append(curves.plot_learning_rate(
                    steps, rates, os.path.join(log_dir, "learning_rate.png"),
                    title=f"learning rate ({self.config.schedule})"))
            if isinstance(callback, callbacks_lib.ActivationStatistics):
                path = os.path.join(log_dir, "statistics.json")
                with open(path, "w") as handle:
                    json.dump(callback.records, handle, indent=1)
                written.append(path)
        return written

    def evaluate(self, verbose=0):
        """Returns the test-set metrics as a dict (`loss`, `accuracy`)."""
        return self.model.evaluate(self.test_data, verbose=verbose, return_dict=True)

    def export(self, base_dir="saved_models", name=None):
        """Exports the model as a versioned SavedModel; returns the version folder."""
        from kerasrecipes import export

        return export.save(
            self.model,
            f"{base_dir.rstrip('/')}/{name or self.config.name}",
            config=self.config.to_dict(),
            class_names=self.class_names,
        )


def split_validation(x, y, fraction, seed):
    """Splits off a seeded random `fraction` of `(x, y)` for validation (not the test set)."""
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, int(round(len(x) * fraction)))
    val, train = order[:n_val], order[n_val:]
    return (x[train], y[train]), (x[val], y[val])


def build(config):
    """Assembles a `Recipe` from a `RecipeConfig` (validated first).

    A recipe is a whole training program, so, like the keras.io examples, it seeds
    Keras' global random state with `config.seed` (`keras.utils.set_random_seed`) to
    make weight initialisation and dropout reproducible; the parts and layers of the
    library never touch global seeds.

    Args:
        config: a `RecipeConfig`.

    Returns:
        A `Recipe`.
    """
    from kerasrecipes import data

    validate(config)
    reliability.configure(config)
    keras.utils.set_random_seed(config.seed)
    (x_train, y_train), (x_test, y_test) = data.load(config.dataset)
    (x_train, y_train), (x_val, y_val) = split_validation(
        x_train, y_train, config.validation_split, config.seed
    )
    if config.train_samples is not None:
        x_train, y_train = x_train[: config.train_samples], y_train[: config.train_samples]
    class_names = data.class_names(config.dataset)
    with precision.policy_scope(precision.resolve(config.precision)):
        model = models.get(
            config.model,
            input_shape=x_train.shape[1:],
            classes=len(class_names),
            width=config.width,
            norm=config.norm,
            activation=config.activation,
            kernel_initializer=config.initializer,
            kernel_regularizer=config.regularizer,
            kernel_constraint=config.constraint,
            dropout=config.dropout,
        )
    steps_per_epoch = math.ceil(len(x_train) / config.batch_size)
    model.compile(
        optimizer=_optimizer(config, _learning_rate(config, steps_per_epoch)),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
        jit_compile=config.jit_compile,
    )
    augment = augmentation.augmentation_policy(config.augment, seed=config.seed)
    epoch_sync = reliability.epoch_sync()
    train_data = data.pipeline(
        x_train, y_train, config.batch_size, training=True, augment=augment, seed=config.seed,
        classes=len(class_names), epoch_counter=epoch_sync.counter,
        **reliability.pipeline_options(config),
    )
    val_data = data.pipeline(x_val, y_val, max(config.batch_size, 512))
    test_data = data.pipeline(x_test, y_test, max(config.batch_size, 512))
    callbacks = [keras.callbacks.TerminateOnNaN(), callbacks_lib.LearningRateLogger()]
    if config.schedule == "plateau":
        callbacks.append(schedules.plateau_callback(config.lr_factor, config.lr_patience))
    if config.early_stopping:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=config.early_stopping, restore_best_weights=True
            )
        )
    if config.statistics:
        callbacks.append(callbacks_lib.ActivationStatistics(x_val[:64].astype("float32"), y_val[:64]))
    if config.tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=os.path.join(config.log_dir, "tensorboard")))
    callbacks = reliability.with_resume_callbacks(config, callbacks, epoch_sync)
    return Recipe(config, model, train_data, val_data, test_data, callbacks, class_names)
