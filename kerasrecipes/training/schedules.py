"""Learning-rate schedules by name: per-step schedules and the plateau callback.

`"plateau"` is the seeds' "if you see that you stopped making progress on the validation
set, divide the LR by 2 (or by 5)": Keras' `ReduceLROnPlateau` with `factor=1/2` or `1/5`.
`"exponential"` is "multiply η by 0.98 after each epoch", applied per step.
`"cosine"` is cosine decay after a linear warmup. All come from Keras.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, optimizers: plateau_/2 vs constant): +0.92 ± 1.37 pt, within noise / depends (3 seeds).
Measured (tips.json, optimizers: plateau_/5 vs constant): +1.26 ± 1.22 pt, confirmed (3 seeds).
Measured (tips.json, optimizers: x0.98/epoch vs constant): +0.40 ± 1.77 pt, within noise / depends (3 seeds).
Measured (tips.json, optimizers: cosine vs constant): +1.32 ± 1.24 pt, confirmed (3 seeds).
"""

import keras

from kerasrecipes._names import unknown_name_error

_NAMES = ("constant", "cosine", "exponential", "plateau", "step")


def names():
    """Returns the schedule names."""
    return list(_NAMES)


def get(
    name,
    learning_rate,
    steps_per_epoch,
    epochs,
    warmup_epochs=0,
    decay_rate=0.98,
    step_epochs=10,
    step_factor=0.5,
):
    """Returns the learning rate (a float or a schedule) for the optimizer.

    Args:
        name: one of `names()`. `"plateau"` and `"constant"` return the float
            `learning_rate`; pair `"plateau"` with `plateau_callback()`.
        learning_rate: float > 0, the peak learning rate.
        steps_per_epoch: int > 0, optimizer steps per epoch.
        epochs: int > 0, planned epochs (for cosine decay).
        warmup_epochs: float >= 0, linear warmup from lr/10 (cosine only), at most
            a fifth of the run.
        decay_rate: float in (0, 1], per-epoch factor for `"exponential"` (the
            seeds' 0.98), applied a little at every step (`decay_steps` is one epoch).
        step_epochs: int >= 1, epochs between drops for `"step"`.
        step_factor: float in (0, 1], the factor of each `"step"` drop: `0.5`
            divides the LR by 2, `0.2` by 5.

    Returns:
        A float or a `keras.optimizers.schedules.LearningRateSchedule`.

    Example:

    >>> lr = get("exponential", 0.1, steps_per_epoch=469, epochs=20)
    >>> round(float(lr(469)), 4)  # one epoch later
    0.098
    """
    if name not in _NAMES:
        raise unknown_name_error("schedule", name, names())
    if not 0 < decay_rate <= 1:
        raise ValueError(
            f"Argument `decay_rate` must be in (0, 1]. Received: decay_rate={decay_rate}"
        )
    if not 0 < step_factor <= 1:
        raise ValueError(
            f"Argument `step_factor` must be in (0, 1]. Received: step_factor={step_factor}"
        )
    if not (isinstance(step_epochs, int) and step_epochs >= 1):
        raise ValueError(
            f"Argument `step_epochs` must be an integer >= 1. Received: step_epochs={step_epochs!r}"
        )
    if name in ("constant", "plateau"):
        return learning_rate
    if name == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(
            learning_rate, decay_steps=steps_per_epoch, decay_rate=decay_rate
        )
    if name == "step":
        return keras.optimizers.schedules.ExponentialDecay(
            learning_rate,
            decay_steps=steps_per_epoch * step_epochs,
            decay_rate=step_factor,
            staircase=True,
        )
    total = steps_per_epoch * epochs
    # Warmup never takes more than a fifth of a run, so short runs still decay.
    warmup = min(int(steps_per_epoch * warmup_epochs), total // 5)
    return keras.optimizers.schedules.CosineDecay(
        learning_rate / 10 if warmup else learning_rate,
        decay_steps=max(1, total - warmup),
        warmup_target=learning_rate if warmup else None,
        warmup_steps=warmup,
    )


def plateau_callback(factor=0.5, patience=2, monitor="val_loss", min_lr=1e-5):
    """Returns `ReduceLROnPlateau` that divides the LR by `1/factor` on a plateau.

    Args:
        factor: float, `0.5` divides by 2, `0.2` by 5 (the seeds' two choices).
        patience: int, epochs without improvement before a drop.
        monitor: str, the quantity watched.
        min_lr: float, the floor.
    """
    if not 0 < factor < 1:
        raise ValueError(f"Argument `lr_factor` must be in (0, 1). Received: lr_factor={factor}")
    return keras.callbacks.ReduceLROnPlateau(
        monitor=monitor, factor=factor, patience=patience, min_lr=min_lr, verbose=1
    )
