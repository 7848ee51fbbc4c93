"""Training-curve figures: loss and accuracy, the LR over time, the LR range test.

The seeds read training through figures ("insights from figures"): the loss curve tells
whether the learning rate is right, the gap between the training and validation accuracy
curves whether to regularise more or add capacity. These functions draw those figures as
PNG files with matplotlib's Agg backend (no display needed) and return the path written.
"""

import os

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from kerasrecipes.training.diagnostics import history_dict


def _subplots(*grid, figsize, **kwargs):
    # A Figure on its own Agg canvas: no pyplot, so the user's backend (a notebook's
    # inline one, say) is left alone and no global figure list grows.
    figure = Figure(figsize=figsize)
    FigureCanvasAgg(figure)
    return figure, figure.subplots(*grid, **kwargs)


def _save(figure, path):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return path


def plot_history(history, path, metric="accuracy", title=None):
    """Draws the loss and `metric` curves, training and validation, side by side.

    Args:
        history: a `keras.callbacks.History` or a dict of per-epoch lists.
        path: str, the PNG file to write.
        metric: str, the second panel's metric. Defaults to `"accuracy"`.
        title: optional str, the figure's title.

    Returns:
        `path`.

    Example:

    >>> plot_history(recipe.fit(), "runs/curves.png")
    """
    curves = history_dict(history)
    panels = ["loss"] + ([metric] if metric in curves else [])
    figure, axes = _subplots(1, len(panels), figsize=(5 * len(panels), 3.6), squeeze=False)
    for axis, key in zip(axes[0], panels):
        epochs = np.arange(1, len(curves[key]) + 1)
        axis.plot(epochs, curves[key], "o-", label=f"train {key}")
        if f"val_{key}" in curves:
            axis.plot(epochs, curves[f"val_{key}"], "s--", label=f"validation {key}")
        axis.set_xlabel("epoch")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_ylabel(key)
        axis.grid(alpha=0.3)
        axis.legend()
    if title:
        figure.suptitle(title)
    return _save(figure, path)


def plot_learning_rate(steps, rates, path, log_scale=False, title="learning rate"):
    """Draws the learning rate against the optimizer step.

    Args:
        steps, rates: sequences of equal length, e.g. from
            `kerasrecipes.training.callbacks.LearningRateLogger.rates()`.
        path: str, the PNG file to write.
        log_scale: bool, a logarithmic LR axis. Defaults to False.
        title: str.

    Returns:
        `path`.
    """
    if len(steps) != len(rates) or not len(steps):
        raise ValueError(
            "Arguments `steps` and `rates` must be non-empty and of equal length. "
            f"Received: len(steps)={len(steps)}, len(rates)={len(rates)}"
        )
    figure, axis = _subplots(figsize=(6, 3.6))
    axis.plot(steps, rates)
    if log_scale:
        axis.set_yscale("log")
    axis.set_xlabel("step")
    axis.set_ylabel("learning rate")
    axis.set_title(title)
    axis.grid(alpha=0.3)
    return _save(figure, path)


def plot_lr_range_test(result, path):
    """Draws the LR range test: loss against LR (log axis), with the suggested LR.

    Args:
        result: a `kerasrecipes.training.lr_finder.LRRangeTest`.
        path: str, the PNG file to write.

    Returns:
        `path`.
    """
    figure, axis = _subplots(figsize=(6, 3.6))
    axis.plot(result.learning_rates, result.losses, alpha=0.35, label="loss")
    axis.plot(result.learning_rates, result.smoothed, label="smoothed loss")
    axis.axvline(result.min_loss_lr, color="gray", linestyle=":",
                 label=f"lowest loss at {result.min_loss_lr:.3g}")
    axis.axvline(result.suggested, color="red", linestyle="--",
                 label=f"suggested {result.suggested:.3g}")
    axis.set_xscale("log")
    finite = result.smoothed[np.isfinite(result.smoothed)]
    if finite.size:
        axis.set_ylim(min(finite.min(), np.nanmin(result.losses)) * 0.95,
                      min(finite.max(), 4 * finite.min()) * 1.05)
    axis.set_xlabel("learning rate")
    axis.set_ylabel("training loss")
    axis.set_title("LR range test")
    axis.grid(alpha=0.3, which="both")
    axis.legend()
    return _save(figure, path)


def plot_activation_std(statistics_by_label, path, title="activation std per layer"):
    """Draws each layer's activation std (log axis), one line per labelled model.

    Args:
        statistics_by_label: dict `{label: activation_statistics(...)}`, e.g.
            `{"he_normal": ..., "small_random": ...}`.
        path: str, the PNG file to write.
        title: str.

    Returns:
        `path`.

    Example:

    >>> stats = {name: activation_statistics(build(name), x) for name in ("he_normal", "small_random")}
    >>> plot_activation_std(stats, "init.png")
    """
    if not statistics_by_label:
        raise ValueError(
            "Argument `statistics_by_label` must map labels to activation statistics. "
            f"Received: statistics_by_label={statistics_by_label!r}"
        )
    figure, axis = _subplots(figsize=(6, 3.6))
    for label, stats in statistics_by_label.items():
        names = list(stats)
        stds = [max(stats[name]["std"], 1e-300) for name in names]
        axis.plot(np.arange(1, len(names) + 1), stds, "o-", label=label)
    axis.set_yscale("log")
    axis.set_xlabel("layer")
    axis.set_ylabel("activation std")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_title(title)
    axis.grid(alpha=0.3, which="both")
    axis.legend()
    return _save(figure, path)
