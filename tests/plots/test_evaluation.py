import matplotlib.image
import numpy as np
import pytest

from kerasrecipes.plots import evaluation as plots
from kerasrecipes.training.evaluation import evaluation_report

NAMES = ["T-shirt/top", "Trouser", "Pullover"]
Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
Y_PRED = np.array([0, 0, 1, 1, 2, 2, 2, 0, 2])


def report():
    probabilities = np.full((len(Y_TRUE), 3), 0.1)
    probabilities[np.arange(len(Y_TRUE)), Y_PRED] = 0.8
    return evaluation_report(probabilities, Y_TRUE, NAMES)


def images():
    # Image i is a bright square at a place of its own, so a drawn panel names its source.
    out = np.zeros((len(Y_TRUE), 8, 8, 1), "uint8")
    for i in range(len(out)):
        out[i, i % 8, :, 0] = 255
    return out


def test_confusion_matrix_figure_draws_the_normalised_matrix_with_counts():
    figure = plots.confusion_matrix_figure(report())
    axis = figure.axes[0]
    expected = np.array([[2, 1, 0], [0, 1, 1], [1, 0, 3]]) / np.array([[3], [2], [4]])
    np.testing.assert_allclose(np.asarray(axis.images[0].get_array()), expected)
    assert [t.get_text() for t in axis.texts] == ["2", "1", "0", "0", "1", "1", "1", "0", "3"]
    assert [t.get_text() for t in axis.get_yticklabels()] == NAMES


def test_confusion_matrix_png_shows_the_heat_map(tmp_path):
    path = plots.plot_confusion_matrix(report(), str(tmp_path / "cm.png"))
    pixels = matplotlib.image.imread(path)[..., :3]
    blue = (pixels[..., 2] - pixels[..., 0]) > 0.3  # the Blues colour map, dark cells
    assert blue.sum() > 2000 and pixels.std() > 0.1


def test_mistakes_figure_shows_the_mistaken_images_with_both_class_names(tmp_path):
    rep = report()
    figure = plots.mistakes_figure(rep, images())
    drawn = [axis for axis in figure.axes if axis.images]
    assert len(drawn) == len(rep["mistakes"]) == 3
    for axis, mistake in zip(drawn, rep["mistakes"]):
        np.testing.assert_array_equal(np.asarray(axis.images[0].get_array()),
                                      images()[mistake["index"], ..., 0])
        title = axis.get_title()
        assert f"true: {NAMES[mistake['true']]}" in title and f"pred: {NAMES[mistake['predicted']]}" in title
    path = plots.plot_mistakes(rep, images(), str(tmp_path / "m.png"))
    assert matplotlib.image.imread(path)[..., :3].std() > 0.1


def test_no_mistakes_is_an_error():
    rep = dict(report(), mistakes=[])
    with pytest.raises(ValueError, match=r"Argument `report` must list at least one mistake"):
        plots.mistakes_figure(rep, images())
