import math

import keras
import pytest

import kerasrecipes as kr
from kerasrecipes.training import diagnostics
from kerasrecipes.training.diagnostics import diagnose


def codes(history, **kwargs):
    return [finding.code for finding in diagnose(history, **kwargs)]


def test_loss_falling_linearly_means_the_lr_is_too_low():
    findings = diagnose({"loss": [2.3, 2.2, 2.1, 2.0, 1.9, 1.8]})
    assert [f.code for f in findings] == ["lr_too_low"]
    evidence = findings[0].evidence
    assert evidence["drop_per_epoch_first_half"] == pytest.approx(0.1)
    assert evidence["drop_per_epoch_second_half"] == pytest.approx(0.1)
    assert evidence["ratio"] == pytest.approx(1.0)
    assert "learning rate is too low" in findings[0].advice


def test_fast_then_slow_loss_is_healthy():
    history = {"loss": [0.6, 0.35, 0.3, 0.28], "accuracy": [0.8, 0.88, 0.91, 0.92],
               "val_loss": [0.4, 0.32, 0.29, 0.28], "val_accuracy": [0.85, 0.89, 0.91, 0.915]}
    findings = diagnose(history)
    assert [f.code for f in findings] == ["healthy"]
    assert findings[0].evidence == {"first_loss": 0.6, "last_loss": 0.28, "val_accuracy": 0.915}


def test_flat_loss_means_the_lr_is_too_high():
    findings = diagnose({"loss": [2.31, 2.30, 2.31, 2.30, 2.30]})
    assert [f.code for f in findings] == ["lr_too_high"]
    assert findings[0].evidence["relative_drop"] == pytest.approx(0.01 / 2.31)
    assert "does not decrease much" in findings[0].advice


def test_jumping_loss_means_the_lr_is_too_high():
    findings = diagnose({"loss": [1.0, 0.8, 1.1, 0.7, 1.0, 0.9]})
    assert [f.code for f in findings] == ["lr_too_high"]
    assert findings[0].evidence == {"epochs_with_rising_loss": [3, 5], "of_epochs": 5}
    assert "jumps up and down" in findings[0].advice


@pytest.mark.parametrize(
    "loss, evidence",
    [
        ([1.0, 2.0, 5.0], {"first_loss": 1.0, "last_loss": 5.0}),
        ([1.0, 0.9, float("nan")], {"epoch": 3}),
    ],
)
def test_diverging_loss_means_the_lr_is_too_high(loss, evidence):
    findings = diagnose({"loss": loss})
    assert [f.code for f in findings] == ["lr_too_high"]
    for key, value in evidence.items():
        assert findings[0].evidence[key] == value


def test_big_gap_means_more_regularisation():
    history = {"loss": [0.9, 0.5, 0.35, 0.3], "accuracy": [0.7, 0.85, 0.95, 0.99],
               "val_accuracy": [0.7, 0.8, 0.82, 0.83]}
    findings = diagnose(history)
    assert [f.code for f in findings] == ["overfitting"]
    assert findings[0].evidence["gap"] == pytest.approx(0.16)
    assert "increase the regularisation" in findings[0].advice


def test_no_gap_and_low_accuracy_means_more_capacity():
    history = {"loss": [1.2, 0.9, 0.8, 0.78], "accuracy": [0.6, 0.7, 0.72, 0.73],
               "val_accuracy": [0.61, 0.7, 0.73, 0.74]}
    findings = diagnose(history)
    assert [f.code for f in findings] == ["underfitting"]
    assert findings[0].evidence["gap"] == pytest.approx(-0.01)
    assert "increase the model's capacity" in findings[0].advice
    # The same curves at a high accuracy are fine.
    assert codes(history, low_accuracy=0.7) == ["healthy"]


def test_loss_and_accuracy_findings_combine():
    history = {"loss": [2.3, 2.2, 2.1, 2.0], "accuracy": [0.3, 0.35, 0.4, 0.45],
               "val_accuracy": [0.3, 0.35, 0.4, 0.45]}
    assert codes(history) == ["lr_too_low", "underfitting"]


def test_history_object_string_form_and_report():
    history = keras.callbacks.History()
    history.history = {"loss": [2.3, 2.2, 2.1]}
    finding = diagnose(history)[0]
    assert str(finding).startswith("[lr_too_low] the loss falls in a straight line")
    assert "ratio=1" in str(finding)
    assert diagnostics.report([finding]) == f"diagnose: {finding}"


def test_too_short_and_bad_input():
    assert codes({"loss": [1.0]}) == ["too_short"]
    with pytest.raises(ValueError, match=r"Argument `history` must be a keras History or a dict"):
        diagnose({"accuracy": [0.5]})


@pytest.mark.slow
@pytest.mark.parametrize("learning_rate, expected", [(2e-4, "lr_too_low"), (0.1, None)])
def test_real_runs(learning_rate, expected):
    # SGD with momentum at a constant LR on 1,000 images for 4 epochs: at 2e-4 the loss
    # falls in a straight line; at the seeds' 0.1 it falls fast, then slowly. The findings
    # asked for read the training loss: 600 validation images do, not 6,000.
    recipe = kr.recipes.get("fashion_mnist_vgg")(
        train_samples=1000, epochs=4, batch_size=100, optimizer="momentum", schedule="constant",
        learning_rate=learning_rate, augment="none", width=0.5, validation_split=0.01)
    history = recipe.fit(verbose=0)
    assert recipe.findings == diagnose(history)
    found = [f.code for f in recipe.findings]
    loss = history.history["loss"]
    assert all(math.isfinite(v) for v in loss)
    if expected:
        assert found[0] == expected
        assert recipe.findings[0].evidence["ratio"] > 0.6
    else:
        assert "lr_too_low" not in found and "lr_too_high" not in found
        assert loss[-1] < 0.75 * loss[0]
