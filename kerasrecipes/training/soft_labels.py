"""Soft labels: label smoothing, and a loss and accuracy that take sparse or soft targets.

Label smoothing (Szegedy et al., 2016) trains against `(1 - ε)·one_hot + ε/K` instead of
the one-hot target, so the network is not pushed towards infinitely confident logits.
MixUp and CutMix (`kerasrecipes.data.mixing`) make soft targets too: a convex mix of two
one-hot labels. The recipes' validation and test pipelines keep integer labels, and one
compiled model sees both, so the loss and the accuracy here accept either form:

- integer labels, shape `(batch,)` or `(batch, 1)`: one-hot encoded inside;
- soft labels, shape `(batch, classes)`: used as they are (label smoothing applies on top).

Accuracy on a soft label counts a prediction as right when it picks the label's largest
component (the dominant image of a MixUp/CutMix pair); on an integer label it is the usual
accuracy. So `accuracy` and `val_accuracy` keep their names and meaning in the history.

Reference:
    Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR 2016.

Measured on Fashion-MNIST by `benchmarks/tips.py` (effect of A over B, verdict):

Measured (tips.json, ensembles_extras: label_smoothing vs plain): -0.42 ± 0.48 pt, within noise / depends (3 seeds).
"""

import keras
from keras import ops


def check_smoothing(label_smoothing):
    """Returns `label_smoothing` as a float in [0, 1), or raises the Keras-form error."""
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)) or not (
        0 <= label_smoothing < 1
    ):
        raise ValueError(
            "Argument `label_smoothing` must be a number in [0, 1) (0.1 is typical). "
            f"Received: label_smoothing={label_smoothing!r}"
        )
    return float(label_smoothing)


def _is_sparse(y_true, y_pred):
    true_rank, pred_rank = len(y_true.shape), len(y_pred.shape)
    return true_rank < pred_rank or (
        true_rank == pred_rank and y_true.shape[-1] == 1 and y_pred.shape[-1] != 1
    )


def dense_labels(y_true, classes):
    """Returns float one-hot targets for integer labels; soft labels pass through as float."""
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) >= 1 and (len(y_true.shape) == 1 or y_true.shape[-1] == 1):
        if len(y_true.shape) == 2:
            y_true = ops.squeeze(y_true, axis=-1)
        return ops.one_hot(ops.cast(y_true, "int32"), classes)
    return ops.cast(y_true, "float32")


def smooth_labels(y_true, classes, label_smoothing):
    """Returns the smoothed targets `(1 - ε)·y + ε/classes`.

    Args:
        y_true: integer labels `(batch,)` or soft labels `(batch, classes)`.
        classes: int, the number of classes K.
        label_smoothing: float ε in [0, 1).

    Returns:
        A float tensor `(batch, classes)`; each row sums to 1, the true class holds
        `1 - ε + ε/K` of the mass and every other class `ε/K`.

    Example:

    >>> smooth_labels([2], classes=4, label_smoothing=0.1)  # [[0.025, 0.025, 0.925, 0.025]]
    """
    label_smoothing = check_smoothing(label_smoothing)
    targets = dense_labels(y_true, classes)
    return targets * (1.0 - label_smoothing) + label_smoothing / classes


def soft_label_crossentropy(y_true, y_pred, label_smoothing=0.0):
    """Categorical cross-entropy for integer or soft labels, with label smoothing.

    Args:
        y_true: integer labels or soft labels (see the module docstring).
        y_pred: probabilities `(batch, classes)`.
        label_smoothing: float in [0, 1).

    Returns:
        The per-sample loss, shape `(batch,)`.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    classes = y_pred.shape[-1]
    if _is_sparse(y_true, y_pred):
        y_true = dense_labels(y_true, classes)
    targets = smooth_labels(y_true, classes, label_smoothing)
    return keras.losses.categorical_crossentropy(ops.cast(targets, y_pred.dtype), y_pred)


@keras.saving.register_keras_serializable(package="kerasrecipes")
class SoftLabelCrossentropy(keras.losses.Loss):
    """Cross-entropy that takes integer or soft labels, with optional label smoothing.

    Args:
        label_smoothing: float in [0, 1); 0 (the default) is plain cross-entropy.
        name: str. Defaults to `"soft_label_crossentropy"`.
        reduction: Keras loss reduction. Defaults to `"sum_over_batch_size"` (the mean
            over the batch, which keeps the gradient scale independent of the batch size).

    Example:

    >>> model.compile(loss=SoftLabelCrossentropy(0.1), metrics=[SoftLabelAccuracy()])
    """

    def __init__(self, label_smoothing=0.0, name="soft_label_crossentropy",
                 reduction="sum_over_batch_size"):
        super().__init__(name=name, reduction=reduction)
        self.label_smoothing = check_smoothing(label_smoothing)

    def call(self, y_true, y_pred):
        return soft_label_crossentropy(y_true, y_pred, self.label_smoothing)

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


def soft_label_accuracy(y_true, y_pred):
    """Per-sample accuracy: 1 where the predicted class is the label's (largest) class."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if _is_sparse(y_true, y_pred):
        true_class = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    else:
        true_class = ops.cast(ops.argmax(y_true, axis=-1), "int32")
    predicted = ops.cast(ops.argmax(y_pred, axis=-1), "int32")
    return ops.cast(ops.equal(true_class, predicted), "float32")


@keras.saving.register_keras_serializable(package="kerasrecipes")
class SoftLabelAccuracy(keras.metrics.MeanMetricWrapper):
    """Accuracy for integer or soft labels (a soft label counts as its largest class).

    Args:
        name: str. Defaults to `"accuracy"`, so histories keep their usual keys.
        dtype: optional dtype of the metric's result.
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(soft_label_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
