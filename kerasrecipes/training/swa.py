"""Stochastic weight averaging (SWA): the mean of the last epochs' weights.

Izmailov et al. average the weights that SGD visits at the end of training: the mean
lies nearer the centre of a wide, flat minimum than any single point, and generalises
better. The batch-norm statistics of the averaged network were never computed by any
of the averaged networks, so they are re-estimated with one pass over training data,
as `torch.optim.swa_utils.update_bn` does.

Reference:
    Izmailov et al., "Averaging Weights Leads to Wider Optima and Better
    Generalization", UAI 2018.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, ensembles_extras: swa vs plain): -0.05 ± 0.44 pt, within noise / depends (3 seeds).
"""

import warnings

import keras
import numpy as np


def _batch_norm_layers(layer):
    found = []
    for sub in getattr(layer, "layers", []):
        if isinstance(sub, keras.layers.BatchNormalization):
            found.append(sub)
        found.extend(_batch_norm_layers(sub))
    return found


def update_batch_norm(model, data, batches=None):
    """Re-estimates every batch-norm layer's moving mean and variance on `data`.

    The statistics become the plain average over the batches seen (each batch's
    momentum is `1 - 1/k` for the k-th batch), independent of the layers' momentum.

    Args:
        model: a built `keras.Model`.
        data: an iterable of `(images, labels)` or of image batches, e.g. an
            unaugmented `tf.data.Dataset` of training batches.
        batches: optional int, stop after this many batches.

    Returns:
        The number of batches used (0 when the model has no batch-norm layer).

    Example:

    >>> update_batch_norm(model, kerasrecipes.data.pipeline(x_train, y_train, 256))
    """
    layers = _batch_norm_layers(model)
    if not layers:
        return 0
    momenta = [layer.momentum for layer in layers]
    for layer in layers:
        layer.moving_mean.assign(keras.ops.zeros(layer.moving_mean.shape, layer.moving_mean.dtype))
        layer.moving_variance.assign(keras.ops.ones(layer.moving_variance.shape,
                                                    layer.moving_variance.dtype))
    count = 0
    try:
        for batch in data:
            if batches is not None and count >= batches:
                break
            images = batch[0] if isinstance(batch, (tuple, list)) else batch
            count += 1
            for layer in layers:
                layer.momentum = 1.0 - 1.0 / count
            model(images, training=True)
    finally:
        for layer, momentum in zip(layers, momenta):
            layer.momentum = momentum
    if count == 0:
        raise ValueError("Argument `data` must yield at least one batch. Received: an empty dataset")
    return count


@keras.saving.register_keras_serializable(package="kerasrecipes")
class StochasticWeightAveraging(keras.callbacks.Callback):
    """Replaces the model's weights by the mean of its last `epochs` epochs' weights.

    At the end of each of the last `epochs` epochs of `fit` it adds the weights to a
    running mean; at the end of training it sets the mean and, when `data` is given,
    re-estimates the batch-norm statistics on it (`update_batch_norm`). The
    non-trainable weights (batch-norm statistics) are averaged too, so a model without
    `data` still gets consistent, if approximate, statistics.

    Use a learning rate that stays well above zero over the averaged epochs (a
    constant or cyclic tail): with a cosine schedule that ends at zero the last
    epochs barely move and their mean is the final point.

    Args:
        epochs: int >= 1, how many final epochs to average. Defaults to 5.
        data: optional dataset of `(images, labels)` training batches without
            augmentation, for the batch-norm re-estimation. Not part of the config
            (a dataset has none): pass it again after `from_config`.
        batches: optional int, the most batches of `data` to use.

    Attributes:
        averaged: int, how many epochs' weights went into the mean.

    Example:

    >>> swa = StochasticWeightAveraging(epochs=3, data=pipeline(x_train, y_train, 256))
    >>> model.fit(train, epochs=12, callbacks=[swa])
    """

    def __init__(self, epochs=5, data=None, batches=None):
        super().__init__()
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"Argument `epochs` must be an integer >= 1. Received: epochs={epochs!r}")
        if batches is not None and (isinstance(batches, bool) or not isinstance(batches, int)
                                    or batches < 1):
            raise ValueError(
                f"Argument `batches` must be None or an integer >= 1. Received: batches={batches!r}"
            )
        self.epochs = epochs
        self.data = data
        self.batches = batches
        self.averaged = 0
        self._mean = None

    def on_train_begin(self, logs=None):
        self.averaged = 0
        self._mean = None
        total = self.params.get("epochs") if self.params else None
        if total is not None and total < self.epochs:
            warnings.warn(
                f"StochasticWeightAveraging averages the last {self.epochs} epochs but fit "
                f"runs {total}: every epoch is averaged. Lower `epochs` or train longer.",
                stacklevel=2,
            )

    def on_epoch_end(self, epoch, logs=None):
        total = self.params.get("epochs", epoch + 1)
        if epoch < total - self.epochs:
            return
        weights = [np.asarray(w, dtype=np.float64) for w in self.model.get_weights()]
        self.averaged += 1
        if self._mean is None:
            self._mean = weights
        else:
            self._mean = [m + (w - m) / self.averaged for m, w in zip(self._mean, weights)]

    def on_train_end(self, logs=None):
        if self._mean is None:
            warnings.warn(
                "StochasticWeightAveraging saw none of the last epochs (training stopped "
                "early): the model keeps its final weights.", stacklevel=2)
            return
        current = self.model.get_weights()
        self.model.set_weights([m.astype(w.dtype) for m, w in zip(self._mean, current)])
        if self.data is not None:
            update_batch_norm(self.model, self.data, self.batches)

    def get_config(self):
        return {"epochs": self.epochs, "data": None, "batches": self.batches}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
