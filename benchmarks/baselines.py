"""What users would write instead, and the one way benchmarks time a recipe.

`keras_io_convnet()` is the keras.io "simple MNIST convnet", verbatim; `run_baseline()`
trains it as that example does (pixels / 255, Adam, batch 128, a 10 % validation split).
`run_recipe()` trains a registered recipe and reports the same fields, so both sit in
one table. `benchmarks/train_default.py` and `benchmarks/compare.py` import them from
here, so there is one copy.

Example:

>>> baseline = run_baseline(15)
>>> recipe = run_recipe("fashion_mnist_vgg", {"precision": "float32"})
>>> recipe["wall_s"] / baseline["wall_s"]
"""

import statistics
import time

import keras

import kerasrecipes as kr
from provenance import recipe_config

KERAS_IO_CONFIG = {"optimizer": "adam", "batch_size": 128, "validation_split": 0.1,
                   "loss": "sparse_categorical_crossentropy", "scaling": "x / 255"}


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time (`times`) and this process's CPU time (`cpu_times`, all its
    threads: TensorFlow's and tf.data's) of every epoch, validation included.

    CPU time is blind to what a shared host takes away (another tenant's load slows the
    wall clock, not the work done), so it is the steadier measure of overhead.
    """

    def __init__(self):
        super().__init__()
        self.times, self.cpu_times = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self._start, self._cpu = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)
        self.cpu_times.append(time.process_time() - self._cpu)


def epoch_times(timer):
    """`epoch_s` (each epoch's seconds), `median_epoch_s` and `cpu_s` of `timer`, for a
    result row.

    The median is what a shared machine's noise leaves alone: one epoch slowed by another
    process moves the total but not the median. `cpu_s`, the process's CPU time over the
    epochs, leaves out what the hypervisor gives other guests (steal), which slows every
    epoch alike and so moves the median too.
    """
    return {"epoch_s": [round(t, 2) for t in timer.times],
            "median_epoch_s": round(statistics.median(timer.times), 3),
            "cpu_s": round(sum(timer.cpu_times), 1)}


def keras_io_convnet():
    """The model of https://keras.io/examples/vision/mnist_convnet/, verbatim."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            keras.layers.MaxPooling2D(pool_size=(2, 2)),
            keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            keras.layers.MaxPooling2D(pool_size=(2, 2)),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def run_baseline(epochs, train_samples=None, test_samples=None, verbose=2):
    """Trains the keras.io convnet on Fashion-MNIST as the example does.

    Args:
        epochs: int, 15 in the example.
        train_samples: optional int, the first images of the training set only (tests).
        test_samples: optional int, the first test images only (tests).
        verbose: passed to `fit`.

    Returns:
        A dict: model, params, epochs, train_images, wall_s (fit, validation
        included), epoch_s, median_epoch_s and cpu_s (`epoch_times`), images_per_s,
        test_accuracy, evaluate_s (the test evaluation's seconds, outside wall_s),
        precision ("float32") and the model itself under "keras_model"
        (dropped before writing JSON).
    """
    (x_train, y_train), (x_test, y_test) = kr.data.load("fashion_mnist")
    x_train, y_train = x_train[:train_samples], y_train[:train_samples]
    x_test, y_test = x_test[:test_samples], y_test[:test_samples]
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    keras.utils.set_random_seed(0)
    model = keras_io_convnet()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    timer = EpochTimer()
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=128, epochs=epochs, validation_split=0.1,
              verbose=verbose, callbacks=[timer])
    wall = time.perf_counter() - start
    start = time.perf_counter()
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    evaluate_s = time.perf_counter() - start
    train_images = int(len(x_train) * 0.9)
    return {
        "model": "keras.io simple MNIST convnet",
        "params": model.count_params(),
        "epochs": epochs,
        "train_images": train_images,
        "wall_s": round(wall, 1),
        **epoch_times(timer),
        "images_per_s": round(train_images * epochs / wall, 1),
        "test_accuracy": round(float(accuracy), 4),
        "evaluate_s": round(evaluate_s, 1),
        "precision": model.dtype_policy.name,
        "jit_compile": bool(model.jit_compile),
        "keras_model": model,
    }


def run_recipe(name, overrides, test_samples=None, verbose=2):
    """Trains the registered recipe `name` with `overrides` and times its `fit()`.

    Args:
        name: a registered recipe name, e.g. `"fashion_mnist_vgg"`.
        overrides: dict of config keys (values may be `--set` strings).
        test_samples: optional int, score on the first test images only (tests).
        verbose: passed to `fit`.

    Returns:
        A dict: model, params, config (the full `recipe.config.to_dict()`), precision
        (the resolved dtype policy), jit_compile, epochs, train_images, wall_s,
        epoch_s, median_epoch_s and cpu_s (`epoch_times`), images_per_s, test_accuracy (with
        the config's test-time augmentation, if any: then `tta` and
        `test_accuracy_without_tta` too), evaluate_s (the seconds of the evaluation
        that gives test_accuracy, TTA views included; outside wall_s),
        best_val_accuracy, and the trained model under "keras_model" (dropped before
        writing JSON).
    """
    recipe = kr.recipes.get(name)(**overrides)
    train_images = recipe.source.num_train
    timer = EpochTimer()
    start = time.perf_counter()
    history = recipe.fit(verbose=verbose, callbacks=[timer])
    wall = time.perf_counter() - start
    tta = recipe.config.tta
    if test_samples is None:
        start = time.perf_counter()
        accuracy = recipe.evaluate()["accuracy"]
        evaluate_s = time.perf_counter() - start
        plain = recipe.evaluate(tta="none")["accuracy"] if tta else accuracy
    else:
        (_, _), (x_test, y_test) = kr.data.load("fashion_mnist")
        x_test, y_test = x_test[:test_samples].astype("float32"), y_test[:test_samples]
        start = time.perf_counter()
        plain = recipe.model.evaluate(x_test, y_test, verbose=0, return_dict=True)["accuracy"]
        if tta:
            start = time.perf_counter()
            accuracy = kr.training.tta.evaluate_tta(recipe.model, x_test, y_test, tta=tta)["accuracy"]
        else:
            accuracy = plain
        evaluate_s = time.perf_counter() - start
    epochs = len(history.history["loss"])
    return {
        "model": name,
        "params": recipe.model.count_params(),
        "config": recipe_config(recipe, overrides),
        "precision": recipe.model.dtype_policy.name,
        "jit_compile": bool(recipe.model.jit_compile),
        "epochs": epochs,
        "train_images": train_images,
        "wall_s": round(wall, 1),
        **epoch_times(timer),
        "images_per_s": round(train_images * epochs / wall, 1),
        "test_accuracy": round(float(accuracy), 4),
        **({"tta": tta, "test_accuracy_without_tta": round(float(plain), 4)} if tta else {}),
        "evaluate_s": round(evaluate_s, 1),
        "best_val_accuracy": round(max(history.history["val_accuracy"]), 4),
        "keras_model": recipe.model,
    }
