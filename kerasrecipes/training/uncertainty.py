"""Monte Carlo dropout: the model's uncertainty from repeated dropout passes.

One seed points to "Dropout as a Bayesian Approximation: Representing Model Uncertainty
in Deep Learning" (Gal & Ghahramani, 2016): a network trained with dropout, run many
times with dropout still on, gives a distribution of predictions whose spread says how
sure it is. Keras has no helper for it; `model(x, training=True)` would also put batch
norm into training mode (batch statistics, and it updates the moving averages), so
`predict_mc_dropout` runs a copy in which only the dropout layers stay on.
"""

import keras
import numpy as np

from kerasrecipes.layers.mc_dropout import MCDropout
from kerasrecipes.layers.mc_dropout import DROPOUT_LAYERS


def mc_dropout_model(model):
    """Returns a copy of `model` (same weights) whose dropout layers stay on at inference.

    Args:
        model: a functional or Sequential `keras.Model` with at least one dropout layer.

    Raises:
        ValueError: the model has no dropout layer.
    """
    found = []

    def clone(layer):
        if isinstance(layer, DROPOUT_LAYERS):
            found.append(layer.name)
            inner = type(layer).from_config(layer.get_config())
            return MCDropout(inner, name=f"{layer.name}_mc")
        return layer.__class__.from_config(layer.get_config())

    copy = keras.models.clone_model(model, clone_function=clone, recursive=True)
    if not found:
        raise ValueError(
            "Argument `model` must contain a dropout layer for MC-dropout (Dropout, "
            f"SpatialDropout*D, GaussianDropout or AlphaDropout). Received: model={model.name!r} "
            "with none"
        )
    copy.set_weights(model.get_weights())
    return copy


def predict_mc_dropout(model, x, samples=30, batch_size=256):
    """Predicts `x` `samples` times with dropout on; returns the mean and the spread.

    The seeds' "dropout as a Bayesian approximation". Batch norm and every other layer
    run in inference mode; `model` itself is not changed. Set
    `keras.utils.set_random_seed` first for reproducible draws.

    Args:
        model: a trained `keras.Model` with dropout layers, outputting probabilities.
        x: inputs, an array (or anything `Model.predict` takes with `batch_size`).
        samples: int >= 2, the number of dropout passes. Defaults to 30.
        batch_size: int, the prediction batch size. Defaults to 256.

    Returns:
        `(mean, std)`: numpy arrays of the shape of `model.predict(x)`, the mean
        probabilities over the passes and their standard deviation (the spread; large
        where the model is unsure, e.g. on images unlike its training data).

    Raises:
        ValueError: `samples` < 2, or a model without dropout.

    Example:

    >>> mean, spread = predict_mc_dropout(model, x_test[:100], samples=30)
    >>> unsure = spread.max(axis=-1) > 0.2
    """
    if not (isinstance(samples, int) and not isinstance(samples, bool) and samples >= 2):
        raise ValueError(f"Argument `samples` must be an integer >= 2. Received: samples={samples!r}")
    copy = mc_dropout_model(model)
    # Welford's running mean and variance: no (samples, N, classes) array in memory.
    mean = m2 = None
    for index in range(1, samples + 1):
        predictions = np.asarray(copy.predict(x, batch_size=batch_size, verbose=0), "float64")
        if mean is None:
            mean, m2 = np.zeros_like(predictions), np.zeros_like(predictions)
        delta = predictions - mean
        mean += delta / index
        m2 += delta * (predictions - mean)
    return mean.astype("float32"), np.sqrt(m2 / samples).astype("float32")
