import keras
import matplotlib.image
import numpy as np
import pytest

from kerasrecipes.plots import curves
from kerasrecipes.training.lr_finder import LRRangeTest

HISTORY = {"loss": [0.9, 0.5, 0.4], "val_loss": [0.6, 0.45, 0.42],
           "accuracy": [0.7, 0.82, 0.86], "val_accuracy": [0.78, 0.83, 0.85]}


def image(path):
    return matplotlib.image.imread(path)


def coloured_pixels(path):
    """Pixels away from grey: drawn lines and markers (axes, text and a blank figure are
    black, white or grey)."""
    pixels = image(path)[..., :3]
    return int((np.abs(pixels - pixels.mean(-1, keepdims=True)).sum(-1) > 0.2).sum())


def test_history_plot_has_loss_and_accuracy_panels(tmp_path):
    path = curves.plot_history(HISTORY, str(tmp_path / "sub" / "curves.png"), title="run")
    assert path.endswith("curves.png")
    assert image(path).shape[:2] == (360, 1000)  # two 5-inch panels at 100 dpi
    history = keras.callbacks.History()
    history.history = {"loss": HISTORY["loss"]}
    only_loss = curves.plot_history(history, str(tmp_path / "loss.png"))
    assert image(only_loss).shape[:2] == (360, 500)


def test_history_plot_draws_the_curves(tmp_path):
    # The two panels differ where the lines are drawn: not a blank figure.
    pixels = image(curves.plot_history(HISTORY, str(tmp_path / "c.png")))[..., :3]
    coloured = np.abs(pixels - pixels.mean(-1, keepdims=True)).sum(-1) > 0.2
    assert coloured[:, :500].sum() > 500 and coloured[:, 500:].sum() > 500


def test_learning_rate_plot(tmp_path):
    steps = np.arange(100)
    path = curves.plot_learning_rate(steps, 0.1 * 0.98 ** (steps / 10), str(tmp_path / "lr.png"),
                                     log_scale=True)
    assert image(path).shape[:2] == (360, 600)
    assert coloured_pixels(path) > 300
    flat = curves.plot_learning_rate(steps, np.full(100, 0.1), str(tmp_path / "flat.png"))
    rising = curves.plot_learning_rate(steps, 0.001 * steps + 0.1, str(tmp_path / "rise.png"))
    # The line's pixels are where the data puts them: a flat rate fills one row band.
    rows = lambda p: np.unique(np.nonzero(  # noqa: E731
        np.abs(image(p)[..., :3] - image(p)[..., :3].mean(-1, keepdims=True)).sum(-1) > 0.2)[0])
    assert len(rows(flat)) < 10 < len(rows(rising))
    with pytest.raises(ValueError, match=r"`steps` and `rates` must be non-empty and of equal length"):
        curves.plot_learning_rate([1, 2], [0.1], str(tmp_path / "bad.png"))


def test_lr_range_test_plot(tmp_path):
    rates = np.geomspace(1e-4, 1, 30)
    losses = 2.3 - np.log10(rates / 1e-4) * 0.3 + np.where(rates > 0.3, 5.0, 0.0)
    result = LRRangeTest(rates, losses, losses, min_loss_lr=0.1, steepest_lr=0.01, suggested=0.01)
    path = curves.plot_lr_range_test(result, str(tmp_path / "range.png"))
    assert image(path).shape[:2] == (360, 600)
    assert coloured_pixels(path) > 300


def test_bad_history(tmp_path):
    with pytest.raises(ValueError, match=r"`history` must be a keras History or a dict"):
        curves.plot_history([0.1, 0.2], str(tmp_path / "x.png"))


def test_activation_std_plot(tmp_path):
    stats = {"he_normal": {f"dense_{i}": {"std": 0.8} for i in range(10)},
             "small_random": {f"dense_{i}": {"std": 0.01 ** (i + 1)} for i in range(10)}}
    path = curves.plot_activation_std(stats, str(tmp_path / "std.png"))
    assert image(path).shape[:2] == (360, 600)
    one = curves.plot_activation_std({"he_normal": stats["he_normal"]}, str(tmp_path / "one.png"))
    assert coloured_pixels(path) > coloured_pixels(one) > 200  # two curves draw more than one
    with pytest.raises(ValueError, match=r"`statistics_by_label` must map labels"):
        curves.plot_activation_std({}, str(tmp_path / "x.png"))
