"""The learning-rate range test: find a good starting LR in one short run.

The seeds say a typical starting LR is 0.1 and that the validation set tells whether it is
right; the range test (Smith, 2017) measures it directly: train for `steps` batches while
the LR grows exponentially from `min_lr` to `max_lr`, record the loss, and stop once it
explodes. The loss falls fastest a little below the LR where it is lowest; the suggested
LR is the LR of the lowest (smoothed) loss divided by 10.

Keras has no range test, hence this module. It trains a clone of the model, so the
model's weights, its optimizer state and its schedule are left exactly as they were.

Reference:
    Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017
    (https://arxiv.org/abs/1506.01186).
"""

import dataclasses
import math

import keras
import numpy as np


@dataclasses.dataclass
class LRRangeTest:
    """The result of `find_lr`.

    Attributes:
        learning_rates: numpy array, the LR of each step taken.
        losses: numpy array, the loss of each step: the training batch's, or with
            `monitor="val_loss"` the fixed validation batch's after the step.
        smoothed: numpy array, the bias-corrected exponential moving average of
            `losses`.
        min_loss_lr: float, the LR where `smoothed` is lowest.
        steepest_lr: float, the LR where `smoothed` falls fastest (per log-LR).
        suggested: float, `min_loss_lr / 10`, the LR to start training with.

    Data only: `kerasrecipes.plots.curves.plot_lr_range_test(result, path)` draws it.
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    min_loss_lr: float
    steepest_lr: float
    suggested: float


def _clone(model, learning_rate):
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    optimizer = model.optimizer
    config = {**optimizer.get_config(), "learning_rate": float(learning_rate)}
    clone.compile(
        optimizer=type(optimizer).from_config(config),
        loss=model.loss,
        jit_compile=bool(getattr(model, "jit_compile", False)),
    )
    return clone


def find_lr(recipe, min_lr=1e-5, max_lr=10.0, steps=100, data=None, smoothing=0.9,
            stop_factor=4.0, monitor="loss", val_data=None):
    """Runs the LR range test on a clone of the recipe's compiled model.

    Args:
        recipe: a `Recipe` (its `model` and `train_data` are used) or a compiled
            `keras.Model` (then pass `data`).
        min_lr: float > 0, the first LR. Defaults to 1e-5.
        max_lr: float > min_lr, the last LR. Defaults to 10.
        steps: int >= 5, the number of batches; the LR is multiplied by
            `(max_lr / min_lr) ** (1 / (steps - 1))` after each. Defaults to 100.
        data: optional dataset of `(x, y)` batches; defaults to `recipe.train_data`.
            It is repeated as needed.
        smoothing: float in [0, 1), the moving-average factor of the loss. Defaults
            to 0.9.
        stop_factor: float > 1, stop when the smoothed loss exceeds this times its
            lowest value (the loss has exploded). Defaults to 4.
        monitor: `"loss"` (the training batch's loss, the usual range test) or
            `"val_loss"`: after every step the loss on one fixed validation batch,
            since the seeds pick the LR by the validation set ("for obtaining an
            appropriate LR, utilizing the validation set is an effective way").
        val_data: optional dataset of `(x, y)` batches for `monitor="val_loss"`;
            its first batch is used. Defaults to `recipe.val_data`.

    Returns:
        An `LRRangeTest` with the curve and the suggested LR.

    Raises:
        ValueError: bad arguments, or a model that is not compiled.

    Example:

    >>> result = find_lr(kr.recipes.get("fashion_mnist_vgg")(), steps=100)
    >>> result.suggested
    >>> result.plot("lr_range_test.png")
    """
    model = getattr(recipe, "model", recipe)
    data = data if data is not None else getattr(recipe, "train_data", None)
    if not (min_lr > 0 and max_lr > min_lr):
        raise ValueError(
            "Arguments `min_lr` and `max_lr` must satisfy 0 < min_lr < max_lr. "
            f"Received: min_lr={min_lr}, max_lr={max_lr}"
        )
    if not (isinstance(steps, int) and steps >= 5):
        raise ValueError(f"Argument `steps` must be an integer >= 5. Received: steps={steps!r}")
    if not 0 <= smoothing < 1:
        raise ValueError(f"Argument `smoothing` must be in [0, 1). Received: smoothing={smoothing}")
    if not stop_factor > 1:
        raise ValueError(f"Argument `stop_factor` must be > 1. Received: stop_factor={stop_factor}")
    if data is None:
        raise ValueError("Argument `data` is required when `recipe` is a model. Received: data=None")
    if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
        raise ValueError("Argument `recipe` must hold a compiled model (optimizer and loss).")
    if monitor not in ("loss", "val_loss"):
        raise ValueError(
            f"Argument `monitor` must be 'loss' or 'val_loss'. Received: monitor={monitor!r}")
    val_batch = None
    if monitor == "val_loss":
        val_data = val_data if val_data is not None else getattr(recipe, "val_data", None)
        if val_data is None:
            raise ValueError("Argument `val_data` is required with monitor='val_loss' when "
                             "`recipe` is a model. Received: val_data=None")
        val_batch = next(iter(val_data))

    clone = _clone(model, min_lr)
    factor = (max_lr / min_lr) ** (1.0 / (steps - 1))
    rates, losses, smoothed = [], [], []
    average, best = 0.0, math.inf
    batches = iter(data.repeat() if hasattr(data, "repeat") else data)
    for step in range(steps):
        rate = min_lr * factor**step
        clone.optimizer.learning_rate = rate
        x, y = next(batches)
        loss = float(clone.train_on_batch(x, y, return_dict=True)["loss"])
        if val_batch is not None:
            loss = float(clone.test_on_batch(*val_batch, return_dict=True)["loss"])
        rates.append(rate)
        losses.append(loss)
        if not math.isfinite(loss):
            break
        average = smoothing * average + (1 - smoothing) * loss
        value = average / (1 - smoothing ** (step + 1))
        smoothed.append(value)
        best = min(best, value)
        if step > 0 and value > stop_factor * best:
            break
    rates = np.asarray(rates[: len(smoothed)])
    curve = np.asarray(smoothed)
    lowest = int(np.argmin(curve))
    slopes = np.gradient(curve, np.log(rates)) if len(curve) > 1 else np.zeros(1)
    steepest = int(np.argmin(slopes[: lowest + 1]))
    return LRRangeTest(
        learning_rates=rates,
        losses=np.asarray(losses[: len(smoothed)]),
        smoothed=curve,
        min_loss_lr=float(rates[lowest]),
        steepest_lr=float(rates[steepest]),
        suggested=float(rates[lowest] / 10),
    )
