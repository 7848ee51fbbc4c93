"""The diagnostics inside recipes: config keys, fit()'s findings and logs, the CLI flag."""

import json
import os

import keras
import pytest

import kerasrecipes as kr
from kerasrecipes import cli
from kerasrecipes.training import callbacks


def test_new_config_keys_reach_the_optimizer_and_schedule():
    recipe = kr.recipes.get("fashion_mnist_vgg")(
        train_samples=64, batch_size=64, global_clipnorm=1.0, schedule="exponential",
        decay_rate=0.9)
    optimizer = recipe.model.optimizer
    assert optimizer.global_clipnorm == 1.0 and optimizer.clipvalue is None
    schedule = optimizer._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.ExponentialDecay)
    assert (schedule.decay_rate, schedule.decay_steps) == (0.9, 1)  # 64 images: one step
    step = kr.recipes.get("fashion_mnist_vgg")(train_samples=64, batch_size=64, schedule="step",
                                               step_epochs=3, step_factor=0.2, clipvalue=0.5)
    assert step.model.optimizer.clipvalue == 0.5
    assert (step.model.optimizer._learning_rate.decay_rate,
            step.model.optimizer._learning_rate.decay_steps) == (0.2, 3)


def test_default_recipe_keeps_its_values():
    config = kr.recipes.config("fashion_mnist_vgg")
    assert (config.clipnorm, config.clipvalue, config.global_clipnorm, config.log_dir) == \
        (None, None, None, None)
    assert (config.schedule, config.learning_rate, config.tensorboard, config.statistics) == \
        ("cosine", 0.1, False, False)
    assert kr.recipes.config("fashion_mnist_vgg", step_factor="0.2", log_dir="runs/x",
                             statistics="true").step_factor == 0.2


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(decay_rate=1.5), r"`decay_rate` must be in \(0, 1\]"),
        (dict(clipnorm=1.0, clipvalue=1.0), r"Only one of `clipnorm`, `clipvalue`"),
        (dict(tensorboard=True), r"Key `tensorboard` must be false unless `log_dir` is set"),
    ],
)
def test_bad_values_fail_before_loading_data(overrides, message, monkeypatch):
    from kerasrecipes import data

    monkeypatch.setattr(data, "load", lambda *a, **k: pytest.fail("data loaded before validation"))
    with pytest.raises(ValueError, match=message):
        kr.recipes.get("fashion_mnist_vgg")(**overrides)


def test_tensorboard_without_the_package_fails_early(tmp_path, monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "tensorboard" else real_find_spec(name, *a))
    with pytest.raises(ValueError, match=r"pip install tensorboard"):
        kr.recipes.get("fashion_mnist_vgg")(tensorboard=True, log_dir=str(tmp_path))


@pytest.mark.slow
def test_tensorboard_writes_event_files(tmp_path):
    recipe = kr.recipes.get("fashion_mnist_vgg")(
        train_samples=100, epochs=1, batch_size=50, width=0.25, tensorboard=True,
        log_dir=str(tmp_path))
    recipe.fit(verbose=0)
    for split in ("train", "validation"):
        events = os.listdir(tmp_path / "tensorboard" / split)
        assert any(name.startswith("events.out.tfevents") for name in events)
        assert os.path.getsize(tmp_path / "tensorboard" / split / events[0]) > 100


@pytest.mark.slow
def test_fit_prints_findings_and_writes_logs(tmp_path, capsys):
    log_dir = str(tmp_path / "run")
    recipe = kr.recipes.get("fashion_mnist_vgg")(
        train_samples=300, epochs=2, batch_size=100, width=0.5, log_dir=log_dir, statistics=True,
        validation_split=0.01)  # 600 validation images per epoch, not 6,000
    history = recipe.fit(verbose=2)
    out = capsys.readouterr().out
    assert recipe.findings and out.strip().splitlines()[-1].startswith("diagnose: [")
    assert sorted(os.listdir(log_dir)) == ["curves.png", "diagnosis.txt", "history.json",
                                           "learning_rate.png", "statistics.json"]
    with open(os.path.join(log_dir, "history.json")) as handle:
        logged = json.load(handle)
    assert logged["loss"] == pytest.approx(history.history["loss"])
    assert len(logged["learning_rate"]) == 2
    with open(os.path.join(log_dir, "statistics.json")) as handle:
        records = json.load(handle)
    assert [r["epoch"] for r in records] == [0, 1, 2]
    assert "block1_conv1_conv" in records[-1]["gradients"]
    logger = next(c for c in recipe.callbacks if isinstance(c, callbacks.LearningRateLogger))
    steps, rates = logger.rates()
    assert steps[-1] == 5 and rates.max() == pytest.approx(0.1)


@pytest.mark.slow
def test_fit_is_quiet_with_verbose_0(capsys):
    recipe = kr.recipes.get("fashion_mnist_vgg")(train_samples=100, batch_size=50, epochs=1,
                                                 width=0.25)
    recipe.fit(verbose=0)
    assert capsys.readouterr().out == ""
    # 100 images for ~100k parameters: the size check speaks too (issue 14).
    assert [f.code for f in recipe.findings] == ["too_short", "model_too_large"]


@pytest.mark.slow
def test_cli_sanity_check(capsys):
    # tta=none: the check is the subject, not the 10-view test-set evaluation after training.
    status = cli.main(["train", "fashion_mnist_vgg", "--sanity-check", "--epochs", "1",
                       "--set", "train_samples=256", "--set", "width=0.25", "--set", "tta=none",
                       "--verbose", "0"])
    out, _ = capsys.readouterr()
    assert status == 0
    assert out.splitlines()[0].startswith("sanity check passed: initial loss")
    assert json.loads(out.splitlines()[-1])["recipe"] == "fashion_mnist_vgg"
    status = cli.main(["train", "fashion_mnist_vgg", "--sanity-check", "--set", "train_samples=256",
                       "--set", "width=0.25", "--set", "learning_rate=1e-7", "--verbose", "0"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert "sanity check failed (lr_too_low)" in err and len(err.strip().splitlines()) == 1
