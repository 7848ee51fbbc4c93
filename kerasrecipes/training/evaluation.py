"""The evaluation report's numbers: accuracy, confusion matrix, per-class precision,
recall and F1, and the most confident mistakes. Pure NumPy, data out; the figures are
drawn by `kerasrecipes.plots.evaluation`.
"""

import numpy as np


def _labels(y, name):
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"Argument `{name}` must be a 1-D array of integer class ids. "
            f"Received: {name} with shape {y.shape} and dtype {y.dtype}"
        )
    return y


def confusion_matrix(y_true, y_pred, classes):
    """Counts `(true class, predicted class)` pairs.

    Args:
        y_true: integer labels `(N,)`.
        y_pred: integer predictions `(N,)`.
        classes: int, the number of classes.

    Returns:
        An int64 array `(classes, classes)`: row = true class, column = predicted class.

    Raises:
        ValueError: shapes differ or a class id lies outside `[0, classes)`.

    Example:

    >>> confusion_matrix([0, 1, 1], [0, 1, 0], classes=2)  # [[1, 0], [1, 1]]
    """
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "Arguments `y_true` and `y_pred` must have the same length. "
            f"Received: {len(y_true)} and {len(y_pred)}"
        )
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if len(y) and (y.min() < 0 or y.max() >= classes):
            raise ValueError(
                f"Argument `{name}` must hold class ids in [0, {classes}). "
                f"Received: values from {y.min()} to {y.max()}"
            )
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def per_class_metrics(matrix):
    """Returns `(precision, recall, f1, support)` arrays, one value per class.

    A class never predicted has precision 0 (and a class with no example recall 0),
    as scikit-learn's `zero_division=0`.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    hits = np.diag(matrix)
    predicted, support = matrix.sum(axis=0), matrix.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros_like(hits), where=support > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(hits), where=total > 0)
    return precision, recall, f1, support.astype(np.int64)


def confident_mistakes(probabilities, y_true, count=16):
    """Returns the indices of the wrong predictions, the most confident first.

    Args:
        probabilities: array `(N, classes)`.
        y_true: integer labels `(N,)`.
        count: int, the most indices to return.
    """
    probabilities = np.asarray(probabilities)
    y_true = _labels(y_true, "y_true")
    predicted = probabilities.argmax(axis=-1)
    wrong = np.flatnonzero(predicted != y_true)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:count]


def evaluation_report(probabilities, y_true, class_names, mistakes=16):
    """Computes the whole report from predicted probabilities and true labels.

    Args:
        probabilities: array `(N, classes)` of class probabilities.
        y_true: integer labels `(N,)`.
        class_names: list of str, one per class.
        mistakes: int, how many of the most confident mistakes to list. Defaults to 16.

    Returns:
        A JSON-ready dict: `samples`, `accuracy`, `class_names`, `confusion_matrix`
        (rows true, columns predicted), `per_class` (name → precision, recall, f1,
        support), `macro_avg` (unweighted means), `mistakes` (list of `index`, `true`,
        `predicted`, `confidence`, most confident first).

    Raises:
        ValueError: shapes that do not match.

    Example:

    >>> report = evaluation_report(model.predict(x_test), y_test, class_names)
    >>> report["per_class"]["Shirt"]["recall"]
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    y_true = _labels(y_true, "y_true")
    class_names = [str(name) for name in class_names]
    if probabilities.ndim != 2 or probabilities.shape != (len(y_true), len(class_names)):
        raise ValueError(
            "Argument `probabilities` must have shape (len(y_true), len(class_names)) = "
            f"({len(y_true)}, {len(class_names)}). Received: shape {probabilities.shape}"
        )
    predicted = probabilities.argmax(axis=-1)
    matrix = confusion_matrix(y_true, predicted, len(class_names))
    precision, recall, f1, support = per_class_metrics(matrix)
    return {
        "samples": int(len(y_true)),
        "accuracy": float((predicted == y_true).mean()) if len(y_true) else 0.0,
        "class_names": class_names,
        "confusion_matrix": matrix.tolist(),
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(class_names, precision, recall, f1, support)
        },
        "macro_avg": {"precision": float(precision.mean()), "recall": float(recall.mean()),
                      "f1": float(f1.mean())},
        "mistakes": [
            {"index": int(i), "true": int(y_true[i]), "predicted": int(predicted[i]),
             "confidence": float(probabilities[i, predicted[i]])}
            for i in confident_mistakes(probabilities, y_true, mistakes)
        ],
    }
