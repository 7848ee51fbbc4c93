import keras
import numpy as np
import pytest

from kerasrecipes.training import soft_labels


def test_smoothed_targets_sum_to_one_with_the_right_mass():
    targets = np.asarray(soft_labels.smooth_labels(np.array([2, 0, 9]), classes=10, label_smoothing=0.1))
    assert targets.shape == (3, 10)
    np.testing.assert_allclose(targets.sum(-1), 1.0, atol=1e-6)
    np.testing.assert_allclose(targets[0, 2], 0.9 + 0.01, atol=1e-6)  # 1 - ε + ε/K
    np.testing.assert_allclose(np.delete(targets[0], 2), 0.01, atol=1e-7)  # ε/K elsewhere
    assert targets[1].argmax() == 0 and targets[2].argmax() == 9


def test_loss_is_cross_entropy_against_the_smoothed_targets_for_sparse_and_soft_labels():
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(4), size=6).astype("float32")
    labels = rng.integers(0, 4, 6)
    smoothed = 0.8 * np.eye(4)[labels] + 0.2 / 4
    expected = -(smoothed * np.log(probabilities)).sum(-1).mean()
    loss = soft_labels.SoftLabelCrossentropy(label_smoothing=0.2)
    np.testing.assert_allclose(float(loss(labels, probabilities)), expected, rtol=1e-5)
    np.testing.assert_allclose(float(loss(labels[:, None], probabilities)), expected, rtol=1e-5)
    np.testing.assert_allclose(float(loss(np.eye(4)[labels], probabilities)), expected, rtol=1e-5)
    plain = keras.losses.SparseCategoricalCrossentropy()(labels, probabilities)
    np.testing.assert_allclose(float(soft_labels.SoftLabelCrossentropy()(labels, probabilities)),
                               float(plain), rtol=1e-5)


def test_accuracy_reads_integer_and_soft_labels():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3]], "float32")
    metric = soft_labels.SoftLabelAccuracy()
    metric.update_state(np.array([0, 2, 0]), probabilities)
    np.testing.assert_allclose(float(metric.result()), 2 / 3, rtol=1e-6)
    metric.reset_state()
    mixed = np.array([[0.6, 0.4, 0.0], [0.0, 0.3, 0.7], [0.0, 0.45, 0.55]], "float32")
    metric.update_state(mixed, probabilities)  # largest components: 0, 2, 2
    np.testing.assert_allclose(float(metric.result()), 2 / 3, rtol=1e-6)
    assert metric.name == "accuracy"


def test_compiled_model_with_soft_loss_saves_and_reloads(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(loss=soft_labels.SoftLabelCrossentropy(0.1), metrics=[soft_labels.SoftLabelAccuracy()])
    x, y = np.eye(3, dtype="float32"), np.arange(3)
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    restored = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    assert restored.loss.label_smoothing == pytest.approx(0.1)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("value", [-0.1, 1.0, "0.1", True])
def test_bad_smoothing(value):
    with pytest.raises(ValueError, match=r"Argument `label_smoothing` must be a number in \[0, 1\)"):
        soft_labels.SoftLabelCrossentropy(value)
