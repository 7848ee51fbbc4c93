import keras
import numpy as np
import pytest

from kerasrecipes.training import optimizers
from kerasrecipes.training import statistics


def test_names_and_seed_defaults():
    assert optimizers.names() == ["adagrad", "adam", "adamw", "momentum", "nesterov",
                                  "normalized_sgd", "rmsprop", "sgd"]
    sgd = optimizers.get("sgd")
    assert isinstance(sgd, keras.optimizers.SGD) and sgd.momentum == 0.0
    assert float(sgd.learning_rate) == pytest.approx(0.1)  # the seeds' typical start
    nesterov = optimizers.get("nesterov")
    assert nesterov.nesterov and nesterov.momentum == 0.9
    assert isinstance(optimizers.get("adagrad"), keras.optimizers.Adagrad)
    assert isinstance(optimizers.get("rmsprop"), keras.optimizers.RMSprop)
    assert float(optimizers.get("adam").learning_rate) == pytest.approx(1e-3)


def test_clipping_and_weight_decay_reach_the_optimizer():
    optimizer = optimizers.get("momentum", clipnorm=1.0, weight_decay=1e-4)
    assert (optimizer.clipnorm, optimizer.weight_decay) == (1.0, 1e-4)
    assert optimizers.get("adam", clipvalue=0.5).clipvalue == 0.5
    assert optimizers.get("sgd", global_clipnorm=10.0).global_clipnorm == 10.0


def test_global_clipnorm_bounds_the_update():
    variable = keras.Variable(np.zeros(4, "float32"))
    optimizer = optimizers.get("sgd", learning_rate=1.0, global_clipnorm=1.0)
    optimizer.apply([keras.ops.convert_to_tensor(np.full(4, 100.0, "float32"))], [variable])
    # A gradient of norm 200 is rescaled to norm 1: each of the 4 entries moves by 0.5.
    np.testing.assert_allclose(variable.numpy(), -0.5, rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(name="adamm"), r"Did you mean 'adam'"),
        (dict(learning_rate=0), r"`learning_rate` must be > 0. Received: learning_rate=0"),
        (dict(momentum=1.0), r"`momentum` must be in \[0, 1\)"),
        (dict(clipvalue=-1), r"`clipvalue` must be >= 0"),
        (dict(clipnorm=1, global_clipnorm=1), r"Only one of `clipnorm`, `clipvalue` and"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optimizers.get(**kwargs)


def _model():
    keras.utils.set_random_seed(3)
    return keras.Sequential([
        keras.Input((20,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 20)).astype("float32")
    teacher = np.random.default_rng(99).normal(size=(20, 10))
    return x, (x @ teacher).argmax(-1)


def _norm(grads):
    return float(np.sqrt(sum(np.sum(g**2) for g in grads)))


def test_the_loss_is_the_mean_so_repeating_a_batch_keeps_the_gradient():
    model = _model()
    x, y = _data(64)
    small = statistics.gradients(model, x, y, loss="sparse_categorical_crossentropy")
    big = statistics.gradients(model, np.tile(x, (8, 1)), np.tile(y, 8),
                               loss="sparse_categorical_crossentropy")
    for a, b in zip(small, big):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7)
    summed = keras.losses.SparseCategoricalCrossentropy(reduction="sum")
    assert _norm(statistics.gradients(model, np.tile(x, (8, 1)), np.tile(y, 8), loss=summed)) \
        == pytest.approx(8 * _norm(statistics.gradients(model, x, y, loss=summed)), rel=1e-4)


def test_gradient_scale_does_not_depend_on_batch_size():
    # The gradient of a batch of 512 is the average of the gradients of its sixteen
    # batches of 32, so one LR fits both; with a summed loss it is 16 times their
    # average and the LR would have to shrink as the batch grows.
    model = _model()
    x, y = _data(512)
    mean_loss = "sparse_categorical_crossentropy"
    summed = keras.losses.SparseCategoricalCrossentropy(reduction="sum")
    for loss, factor in ((mean_loss, 1.0), (summed, 16.0)):
        big = statistics.gradients(model, x, y, loss=loss)
        parts = [statistics.gradients(model, x[i:i + 32], y[i:i + 32], loss=loss)
                 for i in range(0, 512, 32)]
        average = [np.mean([p[k] for p in parts], axis=0) for k in range(len(big))]
        for a, b in zip(big, average):
            np.testing.assert_allclose(a, factor * b, rtol=1e-3, atol=1e-6)
        assert _norm(big) / _norm(average) == pytest.approx(factor, rel=1e-4)


def test_normalized_sgd_steps_by_the_unit_gradient_whatever_its_scale():
    # The seeds' w <- w - lr * g / ||g|| (the norm over all variables together).
    from kerasrecipes.training.normalized_sgd import NormalizedSGD

    optimizer = optimizers.get("normalized_sgd", learning_rate=0.5)
    assert isinstance(optimizer, NormalizedSGD)
    assert not isinstance(optimizer, keras.optimizers.Adagrad)
    for scale in (1e-6, 1.0, 1e6):
        a = keras.Variable(np.zeros(3, "float32"))
        b = keras.Variable(np.zeros(1, "float32"))
        opt = NormalizedSGD(learning_rate=0.5)
        grads = [np.array([3.0, 0.0, 0.0], "float32") * scale, np.array([4.0], "float32") * scale]
        opt.apply([keras.ops.convert_to_tensor(g) for g in grads], [a, b])
        # Global norm 5·scale: the step is (0.6, 0, 0 | 0.8) · 0.5, for every scale.
        np.testing.assert_allclose(a.numpy(), [-0.3, 0.0, 0.0], rtol=1e-5)
        np.testing.assert_allclose(b.numpy(), [-0.4], rtol=1e-5)


def test_normalized_sgd_differs_from_keras_adagrad_and_rejects_bad_epsilon():
    from kerasrecipes.training.normalized_sgd import NormalizedSGD

    def two_steps(optimizer):
        variable = keras.Variable(np.zeros(2, "float32"))
        for _ in range(2):
            optimizer.apply([keras.ops.convert_to_tensor(np.array([1.0, 0.1], "float32"))],
                            [variable])
        return variable.numpy()

    normalized = two_steps(NormalizedSGD(learning_rate=0.1))
    adagrad = two_steps(keras.optimizers.Adagrad(learning_rate=0.1))
    # Normalized: the gradient's direction, length 0.1 per step.
    np.testing.assert_allclose(np.linalg.norm(normalized), 0.2, rtol=1e-5)
    assert not np.allclose(normalized, adagrad, rtol=1e-2)
    with pytest.raises(ValueError, match=r"Argument `epsilon` must be > 0. Received: epsilon=0"):
        NormalizedSGD(epsilon=0)


def test_normalized_sgd_trains_through_fit():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.get("normalized_sgd", learning_rate=0.05),
                  loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
