import keras
import numpy as np
import pytest

from kerasrecipes.training import schedules


def lr(schedule, step):
    return float(keras.ops.convert_to_numpy(schedule(step)))


def test_exponential_is_098_per_epoch_applied_per_step():
    schedule = schedules.get("exponential", 0.1, steps_per_epoch=100, epochs=10)
    assert lr(schedule, 100) == pytest.approx(0.098, rel=1e-5)
    assert lr(schedule, 500) == pytest.approx(0.1 * 0.98**5, rel=1e-5)
    assert lr(schedule, 50) == pytest.approx(0.1 * 0.98**0.5, rel=1e-5)  # smooth within an epoch


def test_step_divides_by_the_factor_every_step_epochs():
    schedule = schedules.get("step", 0.1, steps_per_epoch=10, epochs=30, step_epochs=5,
                             step_factor=0.2)
    assert [round(lr(schedule, s), 6) for s in (0, 49, 50, 99, 100)] == \
        [0.1, 0.1, 0.02, 0.02, 0.004]


def test_cosine_warms_up_then_decays_to_zero():
    schedule = schedules.get("cosine", 0.1, steps_per_epoch=10, epochs=10, warmup_epochs=1)
    assert lr(schedule, 0) == pytest.approx(0.01)
    assert lr(schedule, 10) == pytest.approx(0.1)
    assert lr(schedule, 55) == pytest.approx(0.05, rel=1e-3)
    assert lr(schedule, 100) == pytest.approx(0.0, abs=1e-7)


def test_constant_and_plateau_return_the_float():
    assert schedules.get("constant", 0.05, 10, 3) == 0.05
    assert schedules.get("plateau", 0.05, 10, 3) == 0.05


@pytest.mark.filterwarnings("ignore:The model does not have any trainable weights")
def test_plateau_callback_divides_by_2_after_patience():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, trainable=False)])
    model.compile(optimizer=keras.optimizers.SGD(0.08), loss="mse")  # frozen: no progress
    callback = schedules.plateau_callback(factor=0.5, patience=2, monitor="loss", min_lr=0)
    x = np.ones((8, 4), "float32")
    history = model.fit(x, np.ones(8), epochs=6, verbose=0, callbacks=[callback])
    # The LR of each epoch: 3 epochs (the first plus `patience` without improvement),
    # then halved, and halved again after 2 more.
    assert history.history["learning_rate"] == pytest.approx([0.08, 0.08, 0.08, 0.04, 0.04, 0.02])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(name="linear"), r"`schedule` must be one of"),
        (dict(decay_rate=1.5), r"`decay_rate` must be in \(0, 1\]. Received: decay_rate=1.5"),
        (dict(step_factor=0), r"`step_factor` must be in \(0, 1\]"),
        (dict(step_epochs=0), r"`step_epochs` must be an integer >= 1"),
    ],
)
def test_bad_arguments(kwargs, message):
    args = {**dict(name="step", learning_rate=0.1, steps_per_epoch=10, epochs=3), **kwargs}
    with pytest.raises(ValueError, match=message):
        schedules.get(**args)


def test_plateau_factor_must_be_below_one():
    with pytest.raises(ValueError, match=r"`lr_factor` must be in \(0, 1\)"):
        schedules.plateau_callback(factor=2)
