import numpy as np
import pytest

from kerasrecipes.training import evaluation

Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
Y_PRED = np.array([0, 0, 1, 1, 2, 2, 2, 0, 2])


def test_confusion_matrix_of_a_known_prediction_set_is_exact():
    matrix = evaluation.confusion_matrix(Y_TRUE, Y_PRED, classes=4)
    np.testing.assert_array_equal(matrix, [[2, 1, 0, 0],
                                           [0, 1, 1, 0],
                                           [1, 0, 3, 0],
                                           [0, 0, 0, 0]])
    precision, recall, f1, support = evaluation.per_class_metrics(matrix)
    np.testing.assert_allclose(precision, [2 / 3, 1 / 2, 3 / 4, 0])
    np.testing.assert_allclose(recall, [2 / 3, 1 / 2, 3 / 4, 0])
    np.testing.assert_allclose(f1, [2 / 3, 1 / 2, 3 / 4, 0])
    np.testing.assert_array_equal(support, [3, 2, 4, 0])


def test_report_numbers_and_most_confident_mistakes():
    probabilities = np.full((len(Y_TRUE), 3), 0.1)
    probabilities[np.arange(len(Y_TRUE)), Y_PRED] = 0.8
    probabilities[2, 1], probabilities[4, 2] = 0.95, 0.6  # mistakes: 2 (0.95), 7 (0.8), 4 (0.6)
    report = evaluation.evaluation_report(probabilities, Y_TRUE, ["a", "b", "c"], mistakes=2)
    assert report["samples"] == 9 and report["accuracy"] == pytest.approx(6 / 9)
    assert report["confusion_matrix"] == [[2, 1, 0], [0, 1, 1], [1, 0, 3]]
    assert report["per_class"]["c"] == {"precision": 0.75, "recall": 0.75, "f1": 0.75, "support": 4}
    assert report["macro_avg"]["recall"] == pytest.approx((2 / 3 + 1 / 2 + 3 / 4) / 3)
    assert [(m["index"], m["true"], m["predicted"]) for m in report["mistakes"]] == [(2, 0, 1), (7, 2, 0)]
    assert report["mistakes"][0]["confidence"] == pytest.approx(0.95)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"`y_true` and `y_pred` must have the same length"):
        evaluation.confusion_matrix([0, 1], [0], classes=2)
    with pytest.raises(ValueError, match=r"Argument `y_pred` must hold class ids in \[0, 2\)"):
        evaluation.confusion_matrix([0, 1], [0, 2], classes=2)
    with pytest.raises(ValueError, match=r"Argument `y_true` must be a 1-D array of integer class ids"):
        evaluation.confusion_matrix([0.5, 1], [0, 1], classes=2)
    with pytest.raises(ValueError, match=r"must have shape \(len\(y_true\), len\(class_names\)\) = \(2, 3\)"):
        evaluation.evaluation_report(np.ones((2, 2)), np.array([0, 1]), ["a", "b", "c"])
