"""Saturating activations: the warning at build time and the measured saturated units."""

import warnings

import keras
import numpy as np
import pytest

from kerasrecipes import activations
from kerasrecipes import models
from kerasrecipes.training import callbacks
from kerasrecipes.training import statistics


@pytest.mark.parametrize("name, extra", [("tanh", ""), ("sigmoid", "not zero-centred")])
def test_hidden_sigmoid_and_tanh_warn_once_citing_the_seeds(name, extra):
    with pytest.warns(UserWarning, match=rf"Activation '{name}' in a hidden layer saturates: "
                                         rf"its gradient vanishes for large \|x\|.*{extra}.*"
                                         r"the seeds: avoid sigmoid/tanh"):
        activations.layer(name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        activations.layer("relu")
        activations.layer("prelu")
    assert not caught


def test_a_builder_with_tanh_warns():
    with pytest.warns(UserWarning, match=r"Activation 'tanh' in a hidden layer saturates"):
        models.get("fashion_resnet", width=0.25, activation="tanh")


def saturating_model(kind, bias):
    inputs = keras.Input((8,))
    outputs = keras.layers.Dense(4, activation=kind, name="d")(inputs)
    model = keras.Model(inputs, outputs)
    kernel = np.full((8, 4), 0.01, "float32")
    # Two units pushed far onto the flat ends (one each side), two left in the middle.
    model.get_layer("d").set_weights([kernel, np.array([bias, -bias, 0.0, 0.1], "float32")])
    return model


@pytest.mark.parametrize("kind", ["tanh", "sigmoid"])
def test_saturated_fraction_counts_units_on_the_flat_ends(kind):
    x = np.random.default_rng(0).uniform(-1, 1, (32, 8)).astype("float32")
    stats = statistics.activation_statistics(saturating_model(kind, 20.0), x)
    assert stats["d"]["saturated_fraction"] == 0.5
    assert stats["d"]["dead_fraction"] is None
    problems = statistics.find_problems(stats)
    assert any(p.startswith("saturated units: 50% of the units of layer 'd'") for p in problems)
    calm = statistics.activation_statistics(saturating_model(kind, 0.5), x)
    assert calm["d"]["saturated_fraction"] == 0.0
    assert not any("saturated" in p for p in statistics.find_problems(calm))


def test_relu_layers_report_no_saturation_and_the_callback_records_it():
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(4, activation="relu", name="r")(inputs)
    outputs = keras.layers.Dense(4, activation="tanh", name="t")(hidden)
    model = keras.Model(inputs, outputs)
    model.get_layer("t").set_weights([np.zeros((4, 4), "float32"),
                                      np.array([9.0, 9.0, 9.0, 0.0], "float32")])
    probe = callbacks.ActivationStatistics(np.ones((4, 8), "float32"))
    probe.set_model(model)
    record = probe.measure(0)
    assert record["activations"]["r"]["saturated_fraction"] is None
    assert record["activations"]["t"]["saturated_fraction"] == 0.75
    assert any("saturated units: 75% of the units of layer 't'" in p for p in record["problems"])
