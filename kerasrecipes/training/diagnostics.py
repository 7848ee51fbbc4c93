"""Reading the training curves the way the seeds describe ("insights from figures").

- The loss curve: falling linearly means the learning rate is too low; not decreasing
  much, jumping up and down or diverging means it is too high.
- The accuracy curves: a big gap between training and validation accuracy means
  overfitting (increase regularisation); no gap with a low accuracy means underfitting
  (increase the model's capacity).
- The model's size against the data: "balance the number of model parameters with the
  number of training samples"; with `params` and `samples` given, an extreme ratio is
  reported with its numbers.

`diagnose(history)` applies these readings to a Keras `History` and returns findings
with the numbers that support them; `Recipe.fit()` prints them at the end of a run.
"""

import dataclasses
import math

import numpy as np
import keras


@dataclasses.dataclass(frozen=True)
class Finding:
    """One reading of the curves.

    Attributes:
        code: str, one of `"lr_too_low"`, `"lr_too_high"`, `"overfitting"`,
            `"underfitting"`, `"healthy"`, `"too_short"`, `"model_too_large"`,
            `"model_too_small"`.
        advice: str, what the curve shows and what to do.
        evidence: dict of the numbers behind it.
    """

    code: str
    advice: str
    evidence: dict

    def __str__(self):
        numbers = ", ".join(f"{key}={_fmt(value)}" for key, value in self.evidence.items())
        return f"[{self.code}] {self.advice} ({numbers})"


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def history_dict(history):
    """Returns a History's (or a dict's) per-epoch curves as `{name: [float, ...]}`.

    Raises:
        ValueError: `history` is neither, or has no `loss` curve.
    """
    curves = getattr(history, "history", history)
    if not isinstance(curves, dict) or "loss" not in curves:
        raise ValueError(
            "Argument `history` must be a keras History or a dict of per-epoch lists with "
            f"at least a 'loss' key. Received: history={history!r}"
        )
    return {key: [float(v) for v in values] for key, values in curves.items()}


def _loss_findings(loss, linearity, flat, jump):
    n = len(loss)
    epochs = n - 1
    bad = [i for i, v in enumerate(loss) if not math.isfinite(v)]
    if bad:
        return [Finding(
            "lr_too_high",
            "the loss became NaN or infinite: the learning rate is too high or the "
            "gradients explode; lower the LR or clip the gradients (global_clipnorm=1)",
            {"epoch": bad[0] + 1, "loss": loss[: bad[0] + 1]},
        )]
    diffs = np.diff(loss)
    if loss[-1] > loss[0]:
        return [Finding(
            "lr_too_high",
            "the loss diverged (it ended higher than it started): lower the learning rate",
            {"first_loss": loss[0], "last_loss": loss[-1]},
        )]
    ups = [i + 2 for i, d in enumerate(diffs) if d > jump * loss[i]]
    if n >= 3 and len(ups) >= max(1, epochs / 3):
        return [Finding(
            "lr_too_high",
            "the loss jumps up and down: the learning rate is too high; lower it "
            "(divide by 2 or by 5)",
            {"epochs_with_rising_loss": ups, "of_epochs": epochs},
        )]
    if n >= 3 and np.all(diffs < 0):
        half = epochs // 2
        early = loss[0] - loss[half]
        late = (loss[half] - loss[-1]) * half / (epochs - half)
        ratio = late / early
        if ratio >= linearity:
            return [Finding(
                "lr_too_low",
                "the loss falls in a straight line instead of fast-then-slow: the "
                "learning rate is too low; raise it (try find_lr)",
                {"drop_per_epoch_first_half": early / half,
                 "drop_per_epoch_second_half": late / half, "ratio": ratio},
            )]
    drop = (loss[0] - min(loss)) / abs(loss[0]) if loss[0] else 0.0
    if n >= 3 and drop < flat:
        return [Finding(
            "lr_too_high",
            "the loss does not decrease much: the learning rate is probably too high "
            "(or far too low if it falls steadily); try find_lr",
            {"relative_drop": drop, "first_loss": loss[0], "min_loss": min(loss)},
        )]
    return []


# Parameters per training sample beyond which the model size is extreme for the data:
# 1000 lets a net memorise every sample many times over (CIFAR ResNets run at ~30);
# below 0.01 (one weight per hundred samples) it can hardly use the data.
MAX_PARAMS_PER_SAMPLE = 1000.0
MIN_PARAMS_PER_SAMPLE = 0.01


def size_findings(params, samples, most=MAX_PARAMS_PER_SAMPLE, least=MIN_PARAMS_PER_SAMPLE):
    """Compares the trainable parameters with the training samples (the seeds' "balance").

    Args:
        params: int, trainable parameters of the model.
        samples: int > 0, training samples.
        most, least: floats, the parameters-per-sample bounds of a reasonable size.

    Returns:
        A list with a `model_too_large` or `model_too_small` `Finding`, or empty.

    Raises:
        ValueError: `samples` is not a positive integer or `params` is negative.
    """
    if not (isinstance(samples, int) and samples > 0):
        raise ValueError(f"Argument `samples` must be an integer > 0. Received: samples={samples!r}")
    if not (isinstance(params, int) and params >= 0):
        raise ValueError(f"Argument `params` must be an integer >= 0. Received: params={params!r}")
    ratio = params / samples
    evidence = {"params": params, "samples": samples, "params_per_sample": ratio}
    if ratio > most:
        return [Finding(
            "model_too_large",
            f"the model has over {most:g} parameters per training sample: it can memorise "
            "the data (the seeds: balance the parameters with the number of samples); use "
            "a smaller model (width < 1), more data or augmentation, or more regularisation",
            {**evidence, "limit": most},
        )]
    if ratio < least:
        return [Finding(
            "model_too_small",
            f"the model has under {least:g} parameters per training sample: it may be too "
            "small to use this much data; a wider or deeper model can",
            {**evidence, "limit": least},
        )]
    return []


def diagnose(history, metric="accuracy", gap=0.05, low_accuracy=0.9, linearity=0.6,
             flat=0.05, jump=0.02, params=None, samples=None):
    """Reads the loss and accuracy curves of a run and says what they show.

    Args:
        history: a `keras.callbacks.History` or a dict of per-epoch lists, with
            `"loss"` and optionally `"val_loss"`, `metric` and `"val_" + metric`.
        metric: str, the accuracy metric's name. Defaults to `"accuracy"`.
        gap: float, a final train-minus-validation `metric` above this is a big gap
            (overfitting). Defaults to 0.05 (five points).
        low_accuracy: float, with no gap (below `gap / 2`), a final validation
            `metric` below this means underfitting. Defaults to 0.9.
        linearity: float, the loss falls "linearly" when it falls every epoch and the
            second half of the run drops at least this fraction of the first half's
            drop per epoch (a healthy curve drops much less late). Defaults to 0.6.
        flat: float, a loss that never falls by this fraction of its first value is
            "not decreasing much". Defaults to 0.05.
        jump: float, an epoch whose loss rises by more than this fraction counts as
            a jump; jumps in a third of the epochs mean a too-high LR. Defaults to 0.02.
        params: optional int, the model's trainable parameters; with `samples`, an
            extreme parameters-per-sample ratio adds a finding (`size_findings`).
        samples: optional int, the number of training samples.

    Returns:
        A list of `Finding`s; `[Finding("healthy", ...)]` when nothing is wrong.

    Raises:
        ValueError: `history` has no `"loss"` curve.

    Example:

    >>> for finding in diagnose({"loss": [2.3, 2.2, 2.1, 2.0, 1.9]}):
    ...     print(finding.code)
    lr_too_low
    """
    curves = history_dict(history)
    loss = curves["loss"]
    if len(loss) < 2:
        short = [Finding("too_short", "one epoch is too short to read the curves",
                         {"epochs": len(loss)})]
        return short + (size_findings(params, samples)
                        if params is not None and samples is not None else [])
    findings = _loss_findings(loss, linearity, flat, jump)
    if metric in curves and f"val_{metric}" in curves:
        train, val = curves[metric][-1], curves[f"val_{metric}"][-1]
        difference = train - val
        evidence = {f"train_{metric}": train, f"val_{metric}": val, "gap": difference}
        if difference > gap:
            findings.append(Finding(
                "overfitting",
                "big gap between training and validation accuracy: increase the "
                "regularisation (weight decay, dropout, augmentation, more data) or "
                "stop earlier",
                evidence,
            ))
        elif difference < gap / 2 and val < low_accuracy:
            findings.append(Finding(
                "underfitting",
                "no gap between training and validation accuracy and the accuracy is "
                "low: increase the model's capacity (wider or deeper, less "
                "regularisation) or train longer",
                {**evidence, "low_accuracy": low_accuracy},
            ))
    if not findings:
        evidence = {"first_loss": loss[0], "last_loss": loss[-1]}
        if f"val_{metric}" in curves:
            evidence[f"val_{metric}"] = curves[f"val_{metric}"][-1]
        findings.append(Finding("healthy", "the curves show none of the warning signs",
                                evidence))
    if params is not None and samples is not None:
        findings += size_findings(params, samples)
    return findings


def report(findings):
    """Formats findings as lines for printing, headed `diagnose:`."""
    return "\n".join(f"diagnose: {finding}" for finding in findings)


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or Inf; the message is the one-line diagnosis.

    Attributes:
        epoch, batch: int, where the loss first stopped being finite.
        diagnosis: str, the message.
        history: the `keras.callbacks.History` of the run up to there, or None.
    """

    def __init__(self, diagnosis, epoch=None, batch=None, history=None):
        super().__init__(diagnosis)
        self.diagnosis, self.epoch, self.batch, self.history = diagnosis, epoch, batch, history


# A healthy SGD step changes the weights by about 1e-3 of their norm; a step of 5% or
# more of the weights' norm is what a learning rate far too high looks like.
UPDATE_RATIO_TOO_HIGH = 0.05
GRADIENT_NORM_EXPLODING = 1e3


def _global_norm(arrays):
    return math.sqrt(sum(float(np.sum(np.square(np.asarray(a, dtype=np.float64)))) for a in arrays))


def diagnose_divergence(model, x, y, learning_rate, where=""):
    """Explains a loss that became NaN or Inf, from one batch and the last good weights.

    The checks, in order: non-finite values in the input batch; a gradient that is
    already non-finite or larger than `GRADIENT_NORM_EXPLODING` (an exploding gradient:
    clip it) unless the learning rate explains it; an update `learning_rate * |g|` of
    more than `UPDATE_RATIO_TOO_HIGH` of the weights' norm `|w|` (the learning rate is
    too high, and by how much).

    Args:
        model: a `keras.Model` holding the last good weights.
        x, y: one training batch (numpy arrays or tensors).
        learning_rate: float, the learning rate in use when the loss diverged.
        where: optional str, e.g. "epoch 2, batch 7", put in the message.

    Returns:
        str, a one-line diagnosis with the numbers behind it and what to change.

    Example:

    >>> diagnose_divergence(model, x[:64], y[:64], learning_rate=1e4)
    'The loss became NaN or Inf: the learning rate 10000 is too high ...'
    """
    from kerasrecipes.training import statistics

    head = f"The loss became NaN or Inf{' at ' + where if where else ''}"
    x = np.asarray(keras.ops.convert_to_numpy(x))
    if not np.all(np.isfinite(x)):
        bad = int(np.sum(~np.isfinite(x)))
        return (f"{head}: NaN in the input ({bad} non-finite values in a training batch); "
                "clean the data (kerasrecipes.data.validate_arrays finds them).")
    weights = _global_norm([keras.ops.convert_to_numpy(v) for v in model.trainable_variables])
    if not math.isfinite(weights):
        return (f"{head}: the weights were already NaN or Inf at the start of the epoch "
                f"(learning_rate={_fmt(learning_rate)}); lower `learning_rate` or set "
                "global_clipnorm=1.0 and start again.")
    kept = [keras.ops.convert_to_numpy(v) for v in model.non_trainable_variables]
    gradient = _global_norm(statistics.gradients(model, x, y))
    for variable, value in zip(model.non_trainable_variables, kept):
        variable.assign(value)  # the training-mode pass moved the BatchNorm statistics
    ratio = learning_rate * gradient / max(weights, 1e-12)
    numbers = (f"learning_rate={_fmt(learning_rate)}, gradient norm {_fmt(gradient)}, "
               f"weight norm {_fmt(weights)}")
    if math.isfinite(gradient) and ratio > UPDATE_RATIO_TOO_HIGH:
        suggested = learning_rate * 1e-3 / ratio
        return (f"{head}: the learning rate is too high (one step would change the weights "
                f"by {_fmt(ratio)} of their norm; {numbers}); lower `learning_rate` to about "
                f"{_fmt(suggested)} or run kerasrecipes.training.find_lr.")
    if not math.isfinite(gradient) or gradient > GRADIENT_NORM_EXPLODING:
        return (f"{head}: exploding gradient norm ({numbers}); clip it, e.g. "
                "--set global_clipnorm=1.0, or lower `learning_rate`.")
    return (f"{head}, though the last good weights show a normal gradient ({numbers}); "
            "look for log(0) or division by zero in a custom loss, or set global_clipnorm=1.0.")
