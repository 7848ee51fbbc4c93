import pytest

from kerasrecipes import recipes
from kerasrecipes.recipes.config import RecipeConfig


def test_json_round_trip():
    config = recipes.config("fashion_mnist_vgg", epochs=3, regularizer="l2:5e-4")
    assert RecipeConfig.from_json(config.to_json()) == config


def test_cli_strings_are_coerced_to_field_types():
    config = recipes.config(
        "fashion_mnist_vgg", epochs="3", learning_rate="0.05", jit_compile="true",
        early_stopping="none", clipnorm="1",
    )
    assert (config.epochs, config.learning_rate, config.jit_compile) == (3, 0.05, True)
    assert config.early_stopping is None and config.clipnorm == 1.0


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(batch_sz=3), r"Did you mean 'batch_size'"),
        (dict(epochs="two"), r"Key `epochs` must be an integer. Received: epochs='two'"),
        (dict(jit_compile="maybe"), r"true or false"),
        (dict(epochs=None), r"cannot be None"),
    ],
)
def test_bad_overrides(overrides, message):
    with pytest.raises(ValueError, match=message):
        recipes.config("fashion_mnist_vgg", **overrides)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(epochs=0), r"Key `epochs` must be an integer >= 1. Received: epochs=0"),
        (dict(optimizer="adamm"), r"`optimizer` must be one of .*Did you mean 'adam'"),
        (dict(schedule="linear"), r"`schedule` must be one of"),
        (dict(augment="heavy"), r"`augment` must be one of"),
        (dict(model="inception"), r"`model` must be one of"),
        (dict(dropout=1.5), r"Key `dropout` must be None or in \[0, 1\)"),
        (dict(validation_split=0.0), r"validation_split"),
    ],
)
def test_bad_values_fail_before_loading_data(overrides, message, monkeypatch):
    from kerasrecipes import data

    def fail(*args, **kwargs):
        raise AssertionError("data was loaded before the config was validated")

    monkeypatch.setattr(data, "load", fail)
    with pytest.raises(ValueError, match=message):
        recipes.get("fashion_mnist_vgg")(**overrides)


def test_unknown_recipe():
    with pytest.raises(ValueError, match=r"`recipe` must be one of \[.*'fashion_mnist_vgg'"):
        recipes.get("fashion_mnist_vggg")
