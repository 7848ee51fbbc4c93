import math

import numpy as np
import pytest

import kerasrecipes as kr
from kerasrecipes.training import sanity
from kerasrecipes.training.sanity import SanityCheckError
from kerasrecipes.training.sanity import sanity_check


def recipe(**overrides):
    return kr.recipes.get("fashion_mnist_vgg")(train_samples=256, width=0.5, **overrides)


@pytest.mark.slow
def test_healthy_recipe_passes_and_leaves_the_model_alone():
    healthy = recipe()
    before = healthy.model.get_weights()
    report = sanity_check(healthy)
    assert report.passed and report.cause is None
    assert abs(report.initial_loss - math.log(10)) < 0.5 * math.log(10)
    assert report.expected_loss == pytest.approx(2.302585, rel=1e-6)
    assert report.train_accuracy >= 0.98 and report.steps <= 150
    assert report.heldout_accuracy > 0.3  # 64 images already teach something
    assert str(report).startswith("sanity check passed: initial loss")
    for a, b in zip(before, healthy.model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(healthy.model.optimizer.iterations.numpy()) == 0


@pytest.mark.slow
def test_all_zero_init_fails_on_identical_units():
    with pytest.raises(SanityCheckError, match=r"sanity check failed \(init\): .*identical units: "
                       r"the \d+ units of layer '\w+' compute the same output") as error:
        sanity_check(recipe(initializer="zeros"))
    report = error.value.report
    assert report.cause == "init" and report.train_accuracy < 0.5
    assert report.initial_loss == pytest.approx(math.log(10), rel=1e-4)  # all-zero logits


@pytest.mark.slow
def test_tiny_learning_rate_fails_as_lr_too_low():
    with pytest.raises(SanityCheckError, match=r"sanity check failed \(lr_too_low\): .*the weights "
                       r"moved by only .* of their norm: the learning rate \(1e-07\) is too low"):
        sanity_check(recipe(learning_rate=1e-7))


@pytest.mark.slow
def test_shuffled_labels_fail_on_held_out_accuracy():
    broken = recipe()
    x, y = sanity._take(broken.train_data, 256)
    broken.train_data = kr.data.pipeline(x, np.random.default_rng(0).permutation(y), 128,
                                         training=True, seed=0)
    report = sanity_check(broken, raise_error=False)
    assert not report.passed and report.cause == "labels"
    assert report.train_accuracy >= 0.98  # random labels are memorised all the same
    assert report.heldout_accuracy < 0.2
    assert "check that the labels are not shuffled or misaligned" in report.message


@pytest.mark.slow
def test_diverging_lr_fails_as_lr_too_high():
    report = sanity_check(recipe(learning_rate=50.0, optimizer="sgd"), raise_error=False,
                          max_steps=30)
    assert not report.passed and report.cause == "lr_too_high"
    assert "the learning rate is too high" in report.message


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(samples=1), r"`samples` must be an integer >= 2. Received: samples=1"),
        (dict(max_steps=0), r"`max_steps` must be an integer >= 1"),
        (dict(target_accuracy=1.5), r"`target_accuracy` must be in \(0, 1\]"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sanity_check(object(), **kwargs)


def test_sanity_check_error_is_a_value_error():
    assert issubclass(SanityCheckError, ValueError)
