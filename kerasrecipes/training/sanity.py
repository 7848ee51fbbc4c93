"""The sanity check before a long run: overfit a tiny subset first.

Karpathy's tip from the seeds: "before training on the whole dataset try to overfit on a
very small subset of it, that way you know your network can converge." `sanity_check`
does it on a copy of the recipe's model, so the recipe itself is untouched:

1. The initial loss (training mode, on the subset) of a fresh softmax classifier on C
   classes is close to ln(C) (every class equally likely); far from it, the init or the
   labels are wrong.
2. Training on `samples` images reaches ~100 % training accuracy within `max_steps`.
   If it does not, it names the likely cause from what it measured: diverging loss
   (LR too high), identical units (all-zero init), no trainable weights (frozen
   layers), weights that barely moved (LR too low).
3. The memorised subset still teaches something: held-out accuracy is clearly above
   chance. A model that memorises its subset but predicts held-out images at chance
   learned labels that do not belong to the images (shuffled or misaligned labels).
"""

import dataclasses
import math
import time

import keras
import numpy as np

from kerasrecipes.training import statistics


class SanityCheckError(ValueError):
    """Raised by `sanity_check` when the recipe cannot overfit a tiny subset.

    Attributes:
        report: the `SanityReport` with the measured numbers.
    """

    def __init__(self, message, report):
        super().__init__(message)
        self.report = report


@dataclasses.dataclass
class SanityReport:
    """What `sanity_check` measured.

    Attributes:
        passed: bool.
        cause: None when passed, else one of `"init"`, `"lr_too_high"`,
            `"lr_too_low"`, `"frozen"`, `"labels"`, `"capacity"`.
        message: str, a one-line summary with the numbers.
        initial_loss, expected_loss: the subset's loss before training and ln(C).
        steps: optimizer steps taken.
        train_accuracy: accuracy on the subset after training (inference mode).
        heldout_accuracy: accuracy on held-out images, or None without any.
        chance: 1 / C.
        seconds: wall time of the check.
    """

    passed: bool
    cause: object
    message: str
    initial_loss: float
    expected_loss: float
    steps: int
    train_accuracy: float
    heldout_accuracy: object
    chance: float
    seconds: float

    def __str__(self):
        return self.message


def _take(dataset, count):
    images, labels = [], []
    total = 0
    for x, y in dataset:
        images.append(keras.ops.convert_to_numpy(x))
        labels.append(keras.ops.convert_to_numpy(y))
        total += len(labels[-1])
        if total >= count:
            break
    if not images:
        return None, None
    return np.concatenate(images)[:count], np.concatenate(labels)[:count]


def _learning_rate(recipe, optimizer):
    config_lr = getattr(getattr(recipe, "config", None), "learning_rate", None)
    if config_lr:
        return float(config_lr)
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


def _copy(recipe):
    """A compiled clone of the recipe's model with its weights and a constant LR.

    The check runs at the recipe's peak LR, without its schedule: warmup and decay are
    about long runs, and a warmup would hide a too-high LR.
    """
    model = recipe.model
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    optimizer = model.optimizer
    config = {**optimizer.get_config(), "learning_rate": _learning_rate(recipe, optimizer)}
    clone.compile(
        optimizer=type(optimizer).from_config(config),
        loss=model.loss,
        metrics=["accuracy"],
        jit_compile=bool(getattr(model, "jit_compile", False)),
    )
    return clone


def _relative_change(before, after):
    moved = math.sqrt(sum(float(np.sum((a - b) ** 2)) for a, b in zip(after, before)))
    scale = math.sqrt(sum(float(np.sum(b**2)) for b in before))
    return moved / scale if scale else (math.inf if moved else 0.0)


def sanity_check(recipe, samples=64, max_steps=150, target_accuracy=0.98,
                 loss_tolerance=0.5, heldout=512, check_every=10, patience=3,
                 raise_error=True):
    """Overfits `samples` training images on a copy of the recipe's model.

    Args:
        recipe: a `Recipe` (needs `model` compiled with a softmax classifier and
            sparse labels, `train_data`, and optionally `val_data` for the held-out
            check and `config.learning_rate`).
        samples: int >= 2, the size of the subset to overfit. Defaults to 64.
        max_steps: int, the most full-batch optimizer steps. Defaults to 150.
        target_accuracy: float, the subset accuracy to reach. Defaults to 0.98.
        loss_tolerance: float, how far (relative) the initial loss may be from ln(C).
            Defaults to 0.5 (the loss must lie in [ln(C)/1.5, 1.5·ln(C)]).
        heldout: int, held-out images from `val_data` for the label check (0 skips).
        check_every: int, steps between accuracy checks.
        patience: int, stop early when the subset loss has not improved by 1 % in
            this many checks (training has stalled).
        raise_error: bool, raise `SanityCheckError` on failure (else return the
            failed report). Defaults to True.

    Returns:
        A `SanityReport`.

    Raises:
        SanityCheckError: (a `ValueError`) the check failed; the message names the
            likely cause and the numbers.
        ValueError: bad arguments.

    Example:

    >>> recipe = kr.recipes.get("fashion_mnist_vgg")()
    >>> print(sanity_check(recipe))
    sanity check passed: ...
    """
    if not (isinstance(samples, int) and samples >= 2):
        raise ValueError(f"Argument `samples` must be an integer >= 2. Received: samples={samples!r}")
    if not (isinstance(max_steps, int) and max_steps >= 1):
        raise ValueError(
            f"Argument `max_steps` must be an integer >= 1. Received: max_steps={max_steps!r}"
        )
    if not 0 < target_accuracy <= 1:
        raise ValueError(
            f"Argument `target_accuracy` must be in (0, 1]. Received: target_accuracy={target_accuracy}"
        )
    start = time.perf_counter()
    x, y = _take(recipe.train_data, samples)
    if x is None or len(x) < 2:
        raise ValueError("Argument `recipe` must have a `train_data` with at least 2 samples.")
    classes = int(recipe.model.output_shape[-1])
    expected = math.log(classes)
    chance = 1.0 / classes
    model = _copy(recipe)
    # In training mode, as the first step sees it: a fresh model's batch-norm moving
    # statistics are placeholders, so an inference-mode loss would misjudge the init.
    initial_loss = float(keras.ops.convert_to_numpy(keras.ops.mean(
        statistics.loss_function(model)(y, model(x, training=True)))))
    trainable_before = [keras.ops.convert_to_numpy(v) for v in model.trainable_variables]

    def finish(passed, cause, message, steps, accuracy, heldout_accuracy=None):
        seconds = time.perf_counter() - start
        report = SanityReport(passed, cause, message, float(initial_loss), expected, steps,
                              float(accuracy), heldout_accuracy, chance, round(seconds, 2))
        if not passed and raise_error:
            raise SanityCheckError(message, report)
        return report

    def numbers(steps, accuracy):
        return (f"initial loss {initial_loss:.3f} (ln({classes}) = {expected:.3f}), "
                f"subset accuracy {accuracy:.3f} after {steps} steps on {len(x)} images")

    if not abs(initial_loss - expected) <= loss_tolerance * expected:
        return finish(False, "init", (
            f"sanity check failed (init): the initial loss {initial_loss:.3f} is far from "
            f"ln({classes}) = {expected:.3f}, the loss of a fresh softmax classifier that "
            "gives every class the same probability; the last layer's init is too large "
            "or the labels do not match the outputs"), 0, 0.0)

    steps, accuracy, losses = 0, 0.0, [float(initial_loss)]
    while steps < max_steps:
        epochs = min(check_every, max_steps - steps)
        model.fit(x, y, batch_size=len(x), epochs=epochs, verbose=0, shuffle=False)
        steps += epochs
        loss, accuracy = model.evaluate(x, y, batch_size=len(x), verbose=0)
        losses.append(float(loss))
        if not math.isfinite(loss) or accuracy >= target_accuracy:
            break
        if len(losses) > patience and min(losses[-patience:]) > 0.99 * min(losses[:-patience]):
            break  # stalled: more steps will not reach the target

    if accuracy < target_accuracy or not math.isfinite(losses[-1]):
        if not math.isfinite(losses[-1]) or losses[-1] > 1.5 * max(losses[0], expected):
            cause, why = "lr_too_high", (
                f"the loss diverged to {losses[-1]:.3g}: the learning rate is too high; "
                "lower it or clip the gradients")
        else:
            problems = statistics.find_problems(statistics.activation_statistics(model, x))
            identical = [p for p in problems if p.startswith("identical units")]
            frozen = [layer.name for layer in model.layers
                      if layer.weights and not layer.trainable]
            trainable_after = [keras.ops.convert_to_numpy(v) for v in model.trainable_variables]
            change = _relative_change(trainable_before, trainable_after)
            if identical:
                cause, why = "init", (
                    f"{identical[0]}; units that start identical get identical gradients "
                    "and never differ: use a random init such as he_normal")
            elif not model.trainable_variables or frozen:
                cause, why = "frozen", (
                    f"frozen layers {frozen or 'all'} do not learn: set trainable=True")
            elif change < 1e-3:
                cause, why = "lr_too_low", (
                    f"the weights moved by only {change:.2g} of their norm: the learning "
                    f"rate ({_learning_rate(recipe, model.optimizer):.3g}) is too low")
            else:
                cause, why = "capacity", (
                    "the loss fell but the subset was not memorised: the model may be too "
                    "small or too regularised, or the LR badly tuned")
        return finish(False, cause,
                      f"sanity check failed ({cause}): {numbers(steps, accuracy)}; {why}",
                      steps, accuracy)

    heldout_accuracy = None
    val_data = getattr(recipe, "val_data", None)
    if heldout and val_data is not None:
        hx, hy = _take(val_data, heldout)
        if hx is not None:
            _, heldout_accuracy = model.evaluate(hx, hy, batch_size=512, verbose=0)
            heldout_accuracy = float(heldout_accuracy)
            if heldout_accuracy < 2 * chance:
                return finish(False, "labels", (
                    f"sanity check failed (labels): {numbers(steps, accuracy)}, but "
                    f"held-out accuracy {heldout_accuracy:.3f} is at chance "
                    f"({chance:.3f}): the model memorised labels that do not belong to "
                    "the images; check that the labels are not shuffled or misaligned"),
                    steps, accuracy, heldout_accuracy)
    held = "" if heldout_accuracy is None else f", held-out accuracy {heldout_accuracy:.3f}"
    return finish(True, None, f"sanity check passed: {numbers(steps, accuracy)}{held}",
                  steps, accuracy, heldout_accuracy)
