"""The `Recipe` object and the generic assembly of a config into model, data and callbacks."""

import dataclasses
import json
import math
import os

import keras
import numpy as np

from kerasrecipes import models
from kerasrecipes.layers import augmentation
from kerasrecipes.recipes import extras
from kerasrecipes.recipes import model_inputs
from kerasrecipes.recipes import reliability
from kerasrecipes.recipes.config import RecipeConfig
from kerasrecipes.training import callbacks as callbacks_lib
from kerasrecipes.training import checkpoints
from kerasrecipes.training import diagnostics
from kerasrecipes.training import distribute
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
    need(config.dropout is None or 0 <= config.dropout < 1, "dropout", "None or in [0, 1)")
    need(0 < config.validation_split < 1, "validation_split", "in (0, 1)")
    need(config.width is None or config.width > 0, "width", "None or > 0")
    need(config.warmup_epochs >= 0, "warmup_epochs", ">= 0")
    need(config.train_samples is None or config.train_samples >= 10, "train_samples",
         "None or an integer >= 10")
    need(config.early_stopping is None or config.early_stopping >= 1, "early_stopping",
         "None or a patience >= 1")
    need(config.pad_to_multiple is None or config.pad_to_multiple >= 1, "pad_to_multiple",
         "None or an integer >= 1")
    need(config.backup_freq >= 1, "backup_freq", "an integer >= 1 (batches between backups)")
    need(config.parallel_calls is None or config.parallel_calls >= 1, "parallel_calls",
         "None (autotune) or an integer >= 1")
    if config.model not in models.names():
        from kerasrecipes._names import unknown_name_error

        raise unknown_name_error("model", config.model, models.names())
    augmentation.augmentation_policy(config.augment)
    precision.check(config.precision)
    distribute.check(config.strategy)
    need(config.steps_per_execution >= 1, "steps_per_execution", "an integer >= 1")
    need(config.lr_scaling in distribute.LR_SCALING, "lr_scaling", f"one of {distribute.LR_SCALING}")
    model_inputs.check_preprocessing(config.preprocessing)
    _validate_data(config)
    reliability.check_part_names(config)
    need(config.tensorboard is False or config.log_dir is not None, "tensorboard",
         "false unless `log_dir` is set (TensorBoard writes into log_dir/tensorboard)")
    if config.tensorboard:
        import importlib.util

        # TensorFlow 2.21's tf.summary needs the tensorboard package, no longer a
        # TensorFlow dependency: fail now rather than after the first epoch.
        need(importlib.util.find_spec("tensorboard") is not None, "tensorboard",
             "false when the tensorboard package is missing (pip install tensorboard)")
    extras.validate(config)
    _optimizer(config, _learning_rate(config, steps_per_epoch=1))
    if config.schedule == "plateau":
        schedules.plateau_callback(config.lr_factor, config.lr_patience)
    need(isinstance(config.fold, int) and 0 <= config.fold
         and (config.fold + 1) * config.validation_split <= 1 + 1e-9, "fold",
         "an integer in [0, 1/validation_split) (the validation block of the split)")
    checkpoints.check_config(config)


def _validate_data(config):
    """Checks the data keys without reading any data (that happens once, in `build`)."""
    from kerasrecipes.data import folders
    from kerasrecipes.data import sources

    folders.parse_image_size(config.image_size)
    folders.check_color_mode(config.color_mode)
    folders.check_cache(config.cache)
    if config.data in (sources.ARRAYS, sources.DATASET):
        return
    looks_like_path = os.sep in config.data or config.data.startswith(".")
    if looks_like_path and not os.path.isdir(config.data):
        raise ValueError(
            f"Key `data` must be a registered name ({sources.names()}), a TFDS name or an "
            f"existing folder. Received: data={config.data!r} (no such folder)"
        )


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
        ema=config.ema,
    )


class Recipe:
    """A compiled model with its pipelines and callbacks, ready to `fit()`.

    Attributes:
        config: the `RecipeConfig`.
        model: the compiled `keras.Model` (raw pixels in, probabilities out).
        train_data, val_data, test_data: `tf.data.Dataset`s of `(images, labels)`;
            `test_data` is None when the data has no test set.
        callbacks: list of `keras.callbacks.Callback` used by `fit()`.
        class_names: list of str.
        source: the `kerasrecipes.data.Source` the pipelines read from.
    """

    def __init__(self, config, model, train_data, val_data, test_data, callbacks, class_names,
                 source=None):
        self.config = config
        self.source = source
        self.model = model
        self.train_data = train_data
        self.val_data = val_data
        self.test_data = test_data
        self.callbacks = callbacks
        self.class_names = class_names
        self.history = None
        self.findings = None
        self.strategy = None

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
        if verbose != 0:
            print(precision.describe_run(self.model))
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
        self.findings = diagnostics.diagnose(
            self.history,
            params=sum(int(np.prod(w.shape)) for w in self.model.trainable_weights),
            samples=self.source.num_train if self.source is not None else None,
        )
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

    def evaluate(self, verbose=0, tta=None):
        """Returns the test-set metrics as a dict (`loss`, `accuracy`).

        Args:
            verbose: passed to `keras.Model.evaluate`.
            tta: optional test-time augmentation mode, e.g. `"flip"` (see
                `kerasrecipes.training.tta`): the probabilities are averaged over
                the views before the metrics are computed; `loss` is then the plain
                cross-entropy of the averaged probabilities (no label smoothing).
                None (the default) takes the config's `tta`; `"none"` turns it off.

        Raises:
            ValueError: the data has no test set (a folder without `test/`, arrays or
                a dataset given without test data).
        """
        if self.test_data is None:
            raise ValueError(
                f"Recipe `{self.config.name}` has no test set: data={self.config.data!r} "
                "gave none. Give a folder with train/ and test/ sub-folders, or arrays "
                "((x, y), (x_test, y_test)); `fit()` still validates on the validation split."
            )
        tta = self._tta(tta)
        if tta is not None:
            from kerasrecipes.training import tta as tta_lib

            x, y = self._test_arrays()
            return tta_lib.evaluate_tta(self.model, x, y, tta=tta)
        return self.model.evaluate(self.test_data, verbose=verbose, return_dict=True)

    def _tta(self, tta):
        """The TTA mode to use: `tta`, else the config's; None when off."""
        if tta is None:
            return self.config.tta
        if tta == "none":
            return None
        from kerasrecipes.training import tta as tta_lib

        if tta not in tta_lib.names():
            from kerasrecipes._names import unknown_name_error

            raise unknown_name_error("tta", tta, ["none", *tta_lib.names()])
        return tta

    def _test_arrays(self):
        batches = list(self.test_data.as_numpy_iterator())
        return np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])

    def report(self, path, tta=None, mistakes=16):
        """Writes the test-set evaluation report into the folder `path`.

        Accuracy, per-class precision/recall/F1 and the confusion matrix (JSON and
        PNG) and a PNG grid of the most confident mistakes; see
        `kerasrecipes.recipes.report`.

        Args:
            path: str, the report folder.
            tta: optional test-time augmentation mode, e.g. `"flip"`; None (the
                default) takes the config's `tta`, `"none"` turns it off.
            mistakes: int, how many confident mistakes to show. Defaults to 16.

        Returns:
            The report dict.
        """
        from kerasrecipes.recipes.report import write_report
        from kerasrecipes.training import tta as tta_lib

        tta = self._tta(tta)
        x, y = self._test_arrays()
        if tta is None:
            probabilities = self.model.predict(x, batch_size=512, verbose=0)
        else:
            probabilities = tta_lib.predict_tta(self.model, x, tta=tta)
        report, _ = write_report(probabilities, y, x, self.class_names, path, mistakes=mistakes)
        return report

    def export(self, base_dir="saved_models", name=None, metrics=None, tflite=None, tta=None):
        """Exports the model as a versioned SavedModel; returns the version folder.

        `metrics` (e.g. `evaluate()`'s) go into the model card; `tflite` modes are also
        written into the version folder, int8 calibrated on `train_data`. `tta` (None:
        the config's; `"none"`: off) is built into the export, whose signatures then
        serve the probabilities averaged over the views, as `evaluate()` measures them.
        """
        from kerasrecipes import export

        tta = self._tta(tta)
        return export.save(
            self.model,
            f"{base_dir.rstrip('/')}/{name or self.config.name}",
            config=resolved_config(self.config),
            class_names=self.class_names,
            metrics=metrics,
            tflite=tflite,
            representative_data=self.train_data if tflite else None,
            tta=tta,
        )


def resolved_config(config):
    """The config as saved with an export: `precision` as the policy actually used."""
    values = config.to_dict()
    values["precision"] = precision.resolve(config.precision)
    return values


def split_data_object(overrides):
    """Takes Python data (arrays, a dataset) out of recipe keyword `overrides`.

    A config holds strings only, so `data=(x, y)` is recorded as `data="<arrays>"` and
    a `tf.data.Dataset` as `data="<dataset>"`; the object itself goes to `build`.

    Returns:
        `(overrides, data_object or None)`.
    """
    value = overrides.get("data")
    if value is None or isinstance(value, str):
        return overrides, None
    from kerasrecipes.data import sources

    return {**overrides, "data": sources.describe(value)}, value


def build(config, data=None, strategy=None):
    """Assembles a `Recipe` from a `RecipeConfig` (validated first).

    A recipe is a whole training program, so, like the keras.io examples, it seeds
    Keras' global random state with `config.seed` (`keras.utils.set_random_seed`) to
    make weight initialisation and dropout reproducible; the parts and layers of the
    library never touch global seeds.

    Args:
        config: a `RecipeConfig`.
        data: optional data object (arrays `(x, y)`, `((x, y), (x_test, y_test))` or a
            `tf.data.Dataset`) used instead of `config.data`, which then records
            `"<arrays>"` or `"<dataset>"`.
        strategy: optional `tf.distribute.Strategy` object, used instead of
            `config.strategy` (a name).

    Returns:
        A `Recipe`.
    """
    distribute.check(config.strategy if strategy is None else strategy)
    # First: multi-worker and TPU strategies must configure the runtime before any tensor.
    strategy = distribute.get(config.strategy if strategy is None else strategy)
    validate(config)
    reliability.configure(config)
    keras.utils.set_random_seed(config.seed)
    source = _data(config, data)
    batch_size = distribute.global_batch_size(config.batch_size, strategy)
    with distribute.scope(strategy):
        device = precision.detect()
        policy = precision.resolve(config.precision, device)
    with distribute.scope(strategy), precision.policy_scope(policy):
        model = _model(config, source)
        _compile(config, model, math.ceil(source.num_train / batch_size), device, strategy)
    epoch_sync = reliability.epoch_sync()  # epoch k's order and draws depend on (seed, k)
    train_data, val_data, test_data = _pipelines(config, source, batch_size, epoch_sync)
    train_data = extras.mix(config, train_data, source.classes)
    if strategy is not None:
        # Element-wise sharding (DATA) for arrays and folders alike: a folder's files are
        # read by a map over their paths, which file-based auto-sharding cannot split.
        train_data, val_data, test_data = (
            None if d is None else distribute.shard(d, "memory")
            for d in (train_data, val_data, test_data))
    callbacks = _callbacks(config, source, epoch_sync)
    recipe = Recipe(config, model, train_data, val_data, test_data, callbacks,
                    source.class_names, source=source)
    recipe.strategy = strategy
    return recipe


def _data(config, data=None):
    """Reads and checks the data (`kerasrecipes.data.source`) before anything is built."""
    from kerasrecipes.data import sources

    if data is None and config.data in (sources.ARRAYS, sources.DATASET):
        raise ValueError(
            f"Key `data` records data passed as a Python object. Received: "
            f"data={config.data!r} with no object: pass the arrays or dataset again as "
            "`data=` to the recipe function."
        )
    return sources.source(
        config.data if data is None else data,
        image_size=config.image_size,
        color_mode=config.color_mode,
        validation_split=config.validation_split,
        seed=config.seed,
        cache=config.cache,
        skip_bad_files=config.skip_bad_files,
        train_samples=config.train_samples,
        split_seed=config.split_seed,
        fold=config.fold,
    )


# `norm=None` keeps the model preset's normalisation; this value trains without any.
NO_NORM = "off"


def _model(config, source):
    """Builds `config.model` for the source's input shape and classes; None keys keep
    the preset's own values."""
    options = dict(
        width=config.width,
        norm=config.norm,
        activation=config.activation,
        kernel_initializer=config.initializer,
        kernel_regularizer=config.regularizer,
        kernel_constraint=config.constraint,
        dropout=config.dropout,
        pad_to_multiple=config.pad_to_multiple,
    )
    options = {key: value for key, value in options.items() if value is not None}
    if config.norm == NO_NORM:  # None keeps the preset's norm; "off" asks for none at all
        options["norm"] = None
    return model_inputs.build_model(
        config.model, config.preprocessing, source.train,
        input_shape=source.input_shape, classes=source.classes, **options,
    )


def _compile(config, model, steps_per_epoch, device, strategy):
    scaled = dataclasses.replace(config, learning_rate=distribute.scale_learning_rate(
        config.learning_rate, strategy, config.lr_scaling))
    model.compile(
        optimizer=_optimizer(scaled, _learning_rate(scaled, steps_per_epoch)),
        loss=extras.loss(config),
        metrics=extras.metrics(config),
        jit_compile=precision.resolve_jit_compile(config.jit_compile, device),
        steps_per_execution=config.steps_per_execution,
    )


# Streamed sources keep at most this many bytes of decoded images in the shuffle buffer
# (the file order itself is reshuffled every epoch before decoding).
SHUFFLE_BUFFER_BYTES = 64 << 20


def _pipelines(config, source, batch_size, epoch_sync):
    from kerasrecipes import data

    augment = augmentation.augmentation_policy(config.augment, seed=config.seed,
                                               input_shape=source.input_shape)
    # fancy_pca: the training split's colour components (streams over folders).
    augmentation.adapt_policy(augment, source.train if source.streamed else source.train[0])
    eval_batch = max(batch_size, 512)
    if not source.streamed:
        (x_train, y_train), (x_val, y_val) = source.train, source.val
        train_data = data.pipeline(
            x_train, y_train, batch_size, training=True, augment=augment,
            seed=config.seed, classes=source.classes, epoch_counter=epoch_sync.counter,
            **reliability.pipeline_options(config),
        )
        val_data = data.pipeline(x_val, y_val, eval_batch)
        test_data = None if source.test is None else data.pipeline(*source.test, eval_batch)
        return train_data, val_data, test_data
    image_bytes = int(np.prod(source.input_shape))
    buffer = max(1, min(source.num_train, SHUFFLE_BUFFER_BYTES // image_bytes))
    # cache=False: a source caches decoded images itself when `config.cache` says so.
    train_data = data.pipeline(
        source.train, batch_size=batch_size, training=True, augment=augment,
        seed=config.seed, shuffle_buffer=buffer, cache=False, epoch_counter=epoch_sync.counter,
        **reliability.pipeline_options(config),
    )
    val_data = data.pipeline(source.val, batch_size=eval_batch, cache=False)
    test_data = (None if source.test is None
                 else data.pipeline(source.test, batch_size=eval_batch, cache=False))
    return train_data, val_data, test_data


def _callbacks(config, source, epoch_sync):
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
        x_val, y_val = source.take("val", 64)
        callbacks.append(callbacks_lib.ActivationStatistics(x_val.astype("float32"), y_val))
    if config.tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=os.path.join(config.log_dir, "tensorboard")))
    callbacks += extras.callbacks(config, source.train)
    # After SwapEMAWeights (extras), so checkpoints hold the averaged weights.
    callbacks += checkpoints.from_config(config)
    return reliability.with_resume_callbacks(config, callbacks, epoch_sync)
