"""Optimizers by name, with the seeds' defaults.

Keras has every optimizer the seeds name; this module maps the names the seeds use
(`"sgd"`, `"momentum"`, `"nesterov"`, `"adagrad"`, `"rmsprop"`, `"adam"`) to configured
instances, with gradient clipping and weight decay as plain arguments. One seed's
"Adagrad" is really the normalized-gradient step `w ← w − η·∇/‖∇‖`: that is
`"normalized_sgd"` (`kerasrecipes.training.normalized_sgd`); `"adagrad"` is Keras' Adagrad.

The learning rate does not depend on the batch size. Sutskever's tip, as the seeds quote
it, is to divide the gradients by the mini-batch size; Keras' losses already do that
(their default reduction, `"sum_over_batch_size"`, is the mean over the batch), so the
gradient keeps its scale when the batch grows and the same LR works for 32 or 512
images per batch (`tests/training/test_optimizers.py` checks it). Keep that reduction in
custom losses: a summed loss would scale the step with the batch size.

Gradient clipping takes the seeds' values θ = 1 or 10: `global_clipnorm=θ` rescales all
gradients together when their global L2 norm exceeds θ, `clipnorm=θ` clips each gradient
tensor on its own (Keras' meaning), `clipvalue=v` clips each value to `[-v, v]`.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, optimizers: momentum vs sgd): +3.26 ± 0.74 pt, confirmed (3 seeds).
Measured (tips.json, optimizers: adam vs momentum): -3.38 ± 0.71 pt, not confirmed (3 seeds).
Measured (tips.json, optimizers: rmsprop vs adagrad): +5.40 ± 0.57 pt, confirmed (3 seeds).
Measured (tips.json, optimizers: clip_1 vs no_clip): -0.15 ± 0.58 pt, within noise / depends (3 seeds).
Measured (tips.json, optimizers: clip_10 vs no_clip): -0.27 ± 0.71 pt, within noise / depends (3 seeds).
"""

import keras

from kerasrecipes._names import unknown_name_error

# The seeds: "a typical value of LR in the beginning of your training is 0.1" (SGD);
# adaptive methods start lower.
DEFAULT_LEARNING_RATES = {
    "sgd": 0.1,
    "momentum": 0.1,
    "nesterov": 0.1,
    "adagrad": 0.01,
    "rmsprop": 0.001,
    "adam": 0.001,
    "adamw": 0.001,
    # Every step has length exactly η (the gradient is divided by its norm).
    "normalized_sgd": 0.01,
}


def names():
    """Returns the sorted optimizer names that `get()` accepts."""
    return sorted(DEFAULT_LEARNING_RATES)


def get(
    name="momentum",
    learning_rate=None,
    momentum=0.9,
    weight_decay=None,
    clipnorm=None,
    clipvalue=None,
    global_clipnorm=None,
    ema=None,
):
    """Returns a Keras optimizer by name.

    Args:
        name: str, one of `names()`. `"momentum"` is SGD with momentum 0.9,
            `"nesterov"` the same with Nesterov's update; `"normalized_sgd"` steps by
            `η·∇/‖∇‖` (not Adagrad, see the module docstring). Defaults to `"momentum"`.
        learning_rate: float or a `keras.optimizers.schedules.LearningRateSchedule`;
            defaults to `DEFAULT_LEARNING_RATES[name]`.
        momentum: float in [0, 1), for the SGD family. Defaults to 0.9.
        weight_decay: optional float >= 0, decoupled weight decay.
        clipnorm: optional float > 0, clip each gradient to this L2 norm.
        clipvalue: optional float > 0, clip gradient values to [-v, v].
        global_clipnorm: optional float > 0, clip all gradients together to this
            global L2 norm (the seeds' θ). At most one of the three clips.
        ema: optional float in (0, 1), keep an exponential moving average of the
            weights with this momentum (Keras' `use_ema`); `fit` ends by copying the
            average into the model, so evaluation and export use it.

    Returns:
        A `keras.optimizers.Optimizer`.

    Raises:
        ValueError: unknown name or an out-of-range value.

    Example:

    >>> optimizer = get("momentum", learning_rate=0.05, clipnorm=1.0)
    """
    if name not in DEFAULT_LEARNING_RATES:
        raise unknown_name_error("optimizer", name, names())
    if learning_rate is None:
        learning_rate = DEFAULT_LEARNING_RATES[name]
    if isinstance(learning_rate, (int, float)) and not learning_rate > 0:
        raise ValueError(
            f"Argument `learning_rate` must be > 0. Received: learning_rate={learning_rate}"
        )
    if not 0 <= momentum < 1:
        raise ValueError(f"Argument `momentum` must be in [0, 1). Received: momentum={momentum}")
    for arg, value in (("weight_decay", weight_decay), ("clipnorm", clipnorm),
                       ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
        if value is not None and value < 0:
            raise ValueError(f"Argument `{arg}` must be >= 0. Received: {arg}={value}")
    if sum(bool(v) for v in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
            f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
            f"global_clipnorm={global_clipnorm}"
        )
    if ema is not None and (isinstance(ema, bool) or not 0 < ema < 1):
        raise ValueError(f"Argument `ema` must be None or a momentum in (0, 1). Received: ema={ema!r}")
    common = dict(
        learning_rate=learning_rate,
        weight_decay=weight_decay or None,
        clipnorm=clipnorm or None,
        clipvalue=clipvalue or None,
        global_clipnorm=global_clipnorm or None,
    )
    if ema is not None:
        common.update(use_ema=True, ema_momentum=float(ema))
    if name == "sgd":
        return keras.optimizers.SGD(**common)
    if name in ("momentum", "nesterov"):
        return keras.optimizers.SGD(momentum=momentum, nesterov=name == "nesterov", **common)
    if name == "adagrad":
        return keras.optimizers.Adagrad(**common)
    if name == "normalized_sgd":
        from kerasrecipes.training.normalized_sgd import NormalizedSGD

        return NormalizedSGD(**common)  # the seed's plain step, like "sgd": no momentum
    if name == "rmsprop":
        return keras.optimizers.RMSprop(**common)
    if name == "adamw":
        return keras.optimizers.AdamW(**{**common, "weight_decay": weight_decay or 0.004})
    return keras.optimizers.Adam(**common)
