"""The evaluation report's figures: the confusion matrix and the most confident mistakes.

Both draw what `kerasrecipes.training.evaluation.evaluation_report` computed.
"""

import numpy as np

from kerasrecipes.plots.curves import _save
from kerasrecipes.plots.curves import _subplots


def plot_confusion_matrix(report, path, normalize=True):
    """Draws the confusion matrix as a heat map, rows true and columns predicted.

    Args:
        report: the dict of `evaluation_report` (uses `confusion_matrix`, `class_names`).
        path: str, the PNG file to write.
        normalize: bool, colour by the fraction of each true class (the recall per
            cell); the cells always print the counts. Defaults to True.

    Returns:
        `path`.

    Example:

    >>> plot_confusion_matrix(evaluation_report(probs, y_test, names), "confusion.png")
    """
    return _save(confusion_matrix_figure(report, normalize), path)


def confusion_matrix_figure(report, normalize=True):
    """Returns the matplotlib `Figure` that `plot_confusion_matrix` saves."""
    matrix = np.asarray(report["confusion_matrix"], dtype=np.float64)
    names = report["class_names"]
    shown = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1) if normalize else matrix
    size = max(4.5, 0.55 * len(names) + 2.5)
    figure, axis = _subplots(figsize=(size + 1.0, size))
    image = axis.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04,
                    label="fraction of the true class" if normalize else "count")
    ticks = np.arange(len(names))
    axis.set_xticks(ticks, names, rotation=45, ha="right", fontsize=8)
    axis.set_yticks(ticks, names, fontsize=8)
    axis.set_xlabel("predicted class")
    axis.set_ylabel("true class")
    if len(names) <= 20:
        threshold = shown.max() / 2 if shown.max() else 1
        for row in range(len(names)):
            for col in range(len(names)):
                axis.text(col, row, f"{int(matrix[row, col])}", ha="center", va="center",
                          fontsize=7, color="white" if shown[row, col] > threshold else "black")
    accuracy = report.get("accuracy")
    axis.set_title("confusion matrix" + (f" (accuracy {accuracy:.2%})" if accuracy is not None else ""))
    return figure


def plot_mistakes(report, images, path, columns=8):
    """Draws a grid of the most confident mistakes, titled with true and predicted class.

    Args:
        report: the dict of `evaluation_report` (uses `mistakes`, `class_names`).
        images: the evaluated images `(N, H, W, C)` or `(N, H, W)`, indexed as in
            the report.
        path: str, the PNG file to write.
        columns: int, images per row. Defaults to 8.

    Returns:
        `path`.

    Raises:
        ValueError: the report lists no mistakes.
    """
    return _save(mistakes_figure(report, images, columns), path)


def mistakes_figure(report, images, columns=8):
    """Returns the matplotlib `Figure` that `plot_mistakes` saves."""
    mistakes = report["mistakes"]
    if not mistakes:
        raise ValueError("Argument `report` must list at least one mistake. Received: none")
    names = report["class_names"]
    columns = min(columns, len(mistakes))
    rows = -(-len(mistakes) // columns)
    figure, axes = _subplots(rows, columns, figsize=(1.7 * columns, 2.2 * rows), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, mistake in zip(axes.flat, mistakes):
        image = np.asarray(images[mistake["index"]])
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        image = image.astype(np.float64)
        top = 255.0 if image.max() > 1 else 1.0
        if image.ndim == 2:
            axis.imshow(image, cmap="gray", vmin=0, vmax=top)
        else:
            axis.imshow(np.clip(image / top, 0, 1))
        axis.set_title(f"true: {names[mistake['true']]}\npred: {names[mistake['predicted']]} "
                       f"{mistake['confidence']:.0%}", fontsize=7)
    figure.suptitle("most confident mistakes", fontsize=9)
    return figure
