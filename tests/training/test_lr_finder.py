import keras
import numpy as np
import pytest
import tensorflow as tf

import kerasrecipes as kr
from kerasrecipes.training import find_lr


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 2048)
    x = (rng.normal(size=(2048, 16)) + np.eye(4, 16)[y] * 2).astype("float32")
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(2048, seed=0).batch(64)
    return data


def compiled_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((16,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.BatchNormalization(),
        keras.layers.Dense(4, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
                  loss="sparse_categorical_crossentropy")
    return model


def test_range_test_curve_and_suggestion(problem):
    result = find_lr(compiled_model(), min_lr=1e-4, max_lr=100.0, steps=60, data=problem)
    rates = result.learning_rates
    assert rates[0] == pytest.approx(1e-4)
    np.testing.assert_allclose(rates[1:] / rates[:-1], (1e6) ** (1 / 59), rtol=1e-9)
    assert len(result.losses) == len(result.smoothed) == len(rates) <= 60
    assert len(rates) < 60  # the loss exploded before LR 100 and the test stopped
    assert result.smoothed.min() < 0.5 * result.smoothed[0]
    assert result.suggested == pytest.approx(result.min_loss_lr / 10)
    assert 1e-3 < result.suggested < 3.0
    assert result.steepest_lr <= result.min_loss_lr


def test_model_weights_and_optimizer_are_restored_exactly(problem):
    model = compiled_model()
    model.fit(problem.take(3), verbose=0, shuffle=False)  # some optimizer state to keep
    weights = [w.copy() for w in model.get_weights()]
    iterations = int(model.optimizer.iterations.numpy())
    lr = float(model.optimizer.learning_rate.numpy())
    find_lr(model, steps=20, data=problem)
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert int(model.optimizer.iterations.numpy()) == iterations == 3
    assert float(model.optimizer.learning_rate.numpy()) == lr


def test_result_is_data_and_plots_draws_it(problem, tmp_path):
    import matplotlib.image

    from kerasrecipes.plots import curves

    result = find_lr(compiled_model(), steps=30, data=problem)
    assert not hasattr(result, "plot")  # training computes, plots draws
    path = curves.plot_lr_range_test(result, str(tmp_path / "range.png"))
    assert matplotlib.image.imread(path).shape[:2] == (360, 600)


def test_training_never_imports_plots():
    """The training <-> plots cycle stays broken: only plots imports training."""
    import os
    import re

    import kerasrecipes.training as training

    folder = os.path.dirname(training.__file__)
    importing = re.compile(r"^\s*(from|import)\s+(kerasrecipes\.plots|kerasrecipes import plots|"
                           r"matplotlib)", re.MULTILINE)
    offenders = [name for name in os.listdir(folder) if name.endswith(".py")
                 and importing.search(open(os.path.join(folder, name)).read())]
    assert not offenders


@pytest.mark.slow
def test_recipe_range_test_keeps_the_recipe_model():
    recipe = kr.recipes.get("fashion_mnist_vgg")(train_samples=1024, width=0.5)
    before = recipe.model.get_weights()
    result = find_lr(recipe, steps=15)
    assert len(result.learning_rates) >= 5 and np.all(np.isfinite(result.smoothed))
    for a, b in zip(before, recipe.model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(min_lr=1.0, max_lr=0.1), r"0 < min_lr < max_lr. Received: min_lr=1.0, max_lr=0.1"),
        (dict(steps=2), r"`steps` must be an integer >= 5"),
        (dict(smoothing=1.0), r"`smoothing` must be in \[0, 1\)"),
        (dict(stop_factor=1.0), r"`stop_factor` must be > 1"),
        (dict(data=None), r"`data` is required when `recipe` is a model"),
    ],
)
def test_bad_arguments(problem, kwargs, message):
    args = {"data": problem, **kwargs}
    with pytest.raises(ValueError, match=message):
        find_lr(compiled_model(), **args)


def test_uncompiled_model(problem):
    model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(4)])
    with pytest.raises(ValueError, match="must hold a compiled model"):
        find_lr(model, data=problem)


def test_monitor_val_loss_records_the_validation_batch_loss(problem):
    rng = np.random.default_rng(1)
    y_val = rng.integers(0, 4, 256)
    x_val = (rng.normal(size=(256, 16)) + np.eye(4, 16)[y_val] * 2).astype("float32")
    val = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(128)
    model = compiled_model()
    before = model.evaluate(x_val[:128], y_val[:128], verbose=0)
    result = find_lr(model, min_lr=1e-6, max_lr=10.0, steps=40, data=problem,
                     monitor="val_loss", val_data=val)
    train = find_lr(model, min_lr=1e-6, max_lr=10.0, steps=40, data=problem)
    # The first step at LR 1e-6 barely moves the weights: the first value is the
    # validation batch's loss (BN in inference mode), not the training batch's.
    assert result.losses[0] == pytest.approx(before, rel=1e-3)
    assert abs(train.losses[0] - before) > 1e-3
    assert result.smoothed.min() < 0.7 * result.smoothed[0]  # falls, then explodes
    assert result.losses[-1] > 2 * result.losses.min()
    with pytest.raises(ValueError, match=r"`monitor` must be 'loss' or 'val_loss'. "
                                         r"Received: monitor='val_acc'"):
        find_lr(model, data=problem, monitor="val_acc")
    with pytest.raises(ValueError, match=r"`val_data` is required with monitor='val_loss'"):
        find_lr(model, data=problem, monitor="val_loss")
