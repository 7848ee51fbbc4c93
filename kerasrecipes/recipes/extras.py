"""The training extras of a recipe config: label smoothing, MixUp/CutMix, EMA and SWA.

Each is off by default and switched on by its config key (`--set mixup=0.2`):

| key | effect |
| --- | --- |
| `label_smoothing` | loss against `(1 - ε)·one_hot + ε/K` (`training.soft_labels`) |
| `mixup`, `cutmix` | Keras' `MixUp`/`CutMix` on training batches, soft labels (`data.mixing`) |
| `ema` | the optimizer keeps an exponential moving average of the weights (Keras' `use_ema`); validation, checkpoints after `SwapEMAWeights`, evaluation and export use it |
| `swa` | the mean of the last `swa` epochs' weights, batch norm re-estimated (`training.swa`) |
| `tta` | `evaluate()` and `report()` average the probabilities over test-time views, e.g. `"flip"` (`training.tta`); training is unchanged |

With `ema`, a run that stops early (`early_stopping`, `TerminateOnNaN`) ends on the raw
weights: Keras' `SwapEMAWeights` only restores the average at the last planned epoch.

With any of the first three, the loss and accuracy take integer and soft labels alike
(`SoftLabelCrossentropy`, `SoftLabelAccuracy`, still reported as `accuracy`); without
them the recipe keeps Keras' `SparseCategoricalCrossentropy` and `"accuracy"`.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, ensembles_extras: ema vs plain): -3.10 ± 1.47 pt, not confirmed (3 seeds).
"""

import keras

from kerasrecipes.data import mixing
from kerasrecipes.training import soft_labels
from kerasrecipes.training import swa as swa_lib
from kerasrecipes.training import tta as tta_lib


def validate(config):
    """Checks the extras' keys of `config`; raises `ValueError` in the recipe's form."""
    try:
        soft_labels.check_smoothing(config.label_smoothing)
        mixing.check_alpha("mixup", config.mixup)
        mixing.check_alpha("cutmix", config.cutmix)
    except ValueError as error:
        raise ValueError(str(error).replace("Argument", "Key", 1)) from None
    if config.ema is not None and not 0 < config.ema < 1:
        raise ValueError(
            f"Key `ema` must be None (off) or a momentum in (0, 1), e.g. 0.999. "
            f"Received: ema={config.ema!r}"
        )
    if config.swa is not None and not 1 <= config.swa <= config.epochs:
        raise ValueError(
            f"Key `swa` must be None (off) or a number of final epochs in [1, epochs={config.epochs}]. "
            f"Received: swa={config.swa!r}"
        )
    if config.tta is not None and config.tta not in tta_lib.names():
        raise ValueError(
            f"Key `tta` must be None (off) or one of {tta_lib.names()}. "
            f"Received: tta={config.tta!r}"
        )
    if config.swa is not None and config.ema is not None:
        raise ValueError(
            "Keys `swa` and `ema` must not both be set: each replaces the final weights by "
            f"its own average. Received: swa={config.swa!r}, ema={config.ema!r}"
        )


def _soft(config):
    return bool(config.label_smoothing or config.mixup or config.cutmix)


def loss(config):
    """Returns the recipe's loss: soft-label cross-entropy when an extra needs it."""
    if _soft(config):
        return soft_labels.SoftLabelCrossentropy(config.label_smoothing)
    return keras.losses.SparseCategoricalCrossentropy()


def metrics(config):
    """Returns the recipe's metrics (an accuracy that reads soft labels when needed)."""
    return [soft_labels.SoftLabelAccuracy()] if _soft(config) else ["accuracy"]


def mix(config, train_data, classes):
    """Returns `train_data` with MixUp/CutMix applied when the config asks for them."""
    if not (config.mixup or config.cutmix):
        return train_data
    return mixing.mix_batches(train_data, classes, mixup=config.mixup, cutmix=config.cutmix,
                              seed=config.seed)


def callbacks(config, train):
    """Returns the extras' callbacks: `SwapEMAWeights` for `ema`, SWA for `swa`.

    Args:
        config: the `RecipeConfig`.
        train: the training split, `(x, y)` arrays or a dataset of `(image, label)`;
            SWA re-estimates batch norm on it, unaugmented.
    """
    extra = []
    if config.ema is not None:
        # Validation (and any checkpoint placed after it) sees the averaged weights.
        extra.append(keras.callbacks.SwapEMAWeights(swap_on_epoch=True))
    if config.swa is not None:
        from kerasrecipes import data

        inputs = tuple(train) if isinstance(train, (tuple, list)) else (train,)
        bn_data = data.pipeline(*inputs, batch_size=max(config.batch_size, 512), cache=False)
        extra.append(swa_lib.StochasticWeightAveraging(config.swa, data=bn_data))
    return extra
