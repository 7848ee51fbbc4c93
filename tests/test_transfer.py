"""kr.transfer: the four-quadrant fine-tuning table, `auto`, bases, the CLI sub-command."""

import json
import os

import keras
import numpy as np
import pytest

import kerasrecipes as kr
from kerasrecipes import transfer
from kerasrecipes.transfer import strategies
from tests import benchmark_modules

FAST = dict(epochs=1, head_epochs=8, batch_size=32)


def _subset(x, y, per_class, seed=0):
    rng = np.random.default_rng(seed)
    index = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:per_class]
                            for c in np.unique(y)])
    return x[index], y[index]


@pytest.fixture(scope="module")
def fashion():
    (x_train, y_train), (x_test, y_test) = kr.data.load("fashion_mnist")
    old_train, old_test = y_train < 5, y_test < 5
    return {
        "base": _subset(x_train[old_train], y_train[old_train], 200),
        "new": _subset(x_train[~old_train], y_train[~old_train] - 5, 60),
        "new_test": _subset(x_test[~old_test], y_test[~old_test] - 5, 40),
    }


@pytest.fixture(scope="module")
def base(fashion):
    """A tiny VGG (distinct widths per block) trained briefly on Fashion-MNIST classes 0-4."""
    keras.utils.set_random_seed(0)
    model = kr.models.vgg(config=[[6], [8, 8], [12]], input_shape=(28, 28, 1), classes=5,
                          norm="batch", head="dense", dense_units=(24,), dropout=0.2,
                          activation_after_pool=True, final_pool=False, name="tiny_base")
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
    model.fit(kr.data.pipeline(*fashion["base"], 32, training=True, seed=0), epochs=3, verbose=0)
    return model


@pytest.fixture(scope="module")
def tuned(base, fashion):
    """Each strategy fine-tuned once on Fashion classes 5-9 (shared by several tests)."""
    return {name: transfer.fine_tune(base, fashion["new"], strategy=name, seed=0, **FAST)
            for name in transfer.STRATEGIES}


def _trainable_layers(model):
    names = set()
    for layer in model.layers:
        if layer.trainable_weights:
            names.add(layer.name)
    return names


def test_blocks_and_top_features(base):
    assert [name for name, _ in transfer.blocks(base)] == ["block1", "block2", "block3", "fc1"]
    assert transfer.bases.top_features(base)[0] == "fc1_dropout"
    assert strategies.early_candidates(base) == [
        "block1_conv1_relu", "block2_conv2_relu", "block3_conv1_relu"]


@pytest.mark.slow
def test_each_strategy_freezes_exactly_its_layers(tuned):
    expected = {
        "linear_top": {"head_classifier"},
        "linear_early": {"head_classifier"},
        "top_layers": {"block3_conv1_conv", "fc1", "head_classifier"},
        "many_layers": {"block2_conv1_conv", "block2_conv2_conv", "block3_conv1_conv", "fc1",
                        "head_classifier"},
    }
    # Convs and fc1 carry no bias under batch norm: one kernel each, plus the head's two.
    counts = {"linear_top": 2, "linear_early": 2, "top_layers": 4, "many_layers": 6}
    for name, result in tuned.items():
        assert _trainable_layers(result.model) == expected[name], name
        assert len(result.model.trainable_weights) == counts[name], name
        assert not any(l.trainable for l in result.model.layers
                       if isinstance(l, keras.layers.BatchNormalization))
    assert tuned["top_layers"].history["unfrozen_blocks"] == ["block3", "fc1"]
    assert tuned["many_layers"].history["unfrozen_blocks"] == ["block2", "block3", "fc1"]


@pytest.mark.slow
def test_frozen_batch_norm_keeps_its_moving_statistics(base, tuned):
    model = tuned["many_layers"].model
    before = {l.name: l.moving_mean.numpy() for l in base.layers
              if isinstance(l, keras.layers.BatchNormalization)}
    assert before
    for name, mean in before.items():
        np.testing.assert_array_equal(model.get_layer(name).moving_mean.numpy(), mean)
    # ... while the unfrozen conv kernels did move, and the caller's base is untouched.
    assert not np.allclose(model.get_layer("block3_conv1_conv").kernel.numpy(),
                           base.get_layer("block3_conv1_conv").kernel.numpy())


@pytest.mark.slow
def test_each_strategy_beats_chance_on_new_fashion_classes(tuned, fashion):
    x_test, y_test = fashion["new_test"]
    accuracy = {name: strategies.accuracy(result.model, x_test, y_test)
                for name, result in tuned.items()}
    # Chance is 0.2; with 200 test images 0.35 lies five standard errors above it.
    assert all(value > 0.35 for value in accuracy.values()), accuracy
    assert all(result.strategy == name for name, result in tuned.items())
    assert set(tuned["linear_early"].measured["layer_scores"]) == {
        "block1_conv1_relu", "block2_conv2_relu", "block3_conv1_relu"}


def test_linear_svm_on_a_named_earlier_layer(base, fashion, tmp_path):
    result = transfer.fine_tune(base, fashion["new"], strategy="linear_early",
                                layer="block2_conv2_relu", classifier="svm", **FAST)
    assert result.layer == "block2_conv2_relu"
    x_test, y_test = fashion["new_test"]
    probabilities = result.model.predict(x_test[:8].astype("float32"), verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    # The fine-tuned model is an ordinary .keras model: it reloads in safe mode.
    path = str(tmp_path / "tuned.keras")
    result.model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(reloaded.predict(x_test[:8].astype("float32"), verbose=0),
                               probabilities, atol=1e-6)


def _constructed(per_class, classes=2):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (per_class * classes, 28, 28, 1), dtype=np.uint8)
    return x, np.repeat(np.arange(classes), per_class).astype("int32")


@pytest.mark.slow
@pytest.mark.parametrize("per_class,shift,expected", [
    (12, 0.0, "linear_top"), (12, 30.0, "linear_early"),
    (300, 0.0, "top_layers"), (300, 30.0, "many_layers"),
])
def test_auto_picks_each_quadrant(base, per_class, shift, expected):
    x, y = _constructed(per_class)
    own = transfer.feature_statistics(base, x)
    # The base's statistics, constructed: the new data's own (distance 0) or its means
    # moved by `shift` standard deviations (distance shift²).
    stats = dict(own, mean=(np.asarray(own["mean"]) + shift * np.asarray(own["std"])).tolist())
    result = transfer.fine_tune(base, (x, y), strategy="auto", base_statistics=stats,
                                check=False, epochs=1, head_epochs=1, batch_size=64,
                                layer="block2_conv2_relu")
    assert result.strategy == expected
    assert f"the table says {expected!r}" in result.reason
    size = "little" if per_class < transfer.planner.LITTLE_DATA else "a lot"
    assert result.reason.startswith(f"{size} data ({per_class} images per class")
    if shift:
        assert result.measured["distance"] > transfer.planner.SIMILAR_BELOW
    else:
        assert result.measured["distance"] == 0.0


def test_table_and_runner_up():
    assert transfer.table_strategy(50, 0.1) == ("linear_top", "little", "similar")
    assert transfer.table_strategy(5000, 9.0) == ("many_layers", "a lot", "different")
    # 250 per class sits near the size threshold (300), far from the distance one.
    assert transfer.runner_up(250, 0.01) == "top_layers"
    assert transfer.runner_up(20, 0.45) == "linear_top"


@pytest.mark.slow
def test_auto_checks_its_choice_against_runner_up_and_scratch(base, fashion):
    stats = transfer.feature_statistics(base, fashion["base"][0])
    result = transfer.fine_tune(base, _subset(*fashion["new"], 20), val_data=fashion["new_test"],
                                strategy="auto", base_statistics=stats, **FAST)
    scores = result.measured["held_out_accuracy"]
    assert len(scores) == 3 and "scratch" in scores and result.measured["table"] in scores
    assert result.strategy == max(scores, key=scores.get)
    assert "held-out accuracy" in result.reason and result.statistics["count"] == 100


def test_feature_statistics_round_trip_and_distance(base, fashion, tmp_path):
    stats = transfer.feature_statistics(base, fashion["base"][0][:64])
    assert stats["layer"] == "fc1_dropout" and stats["count"] == 64 and len(stats["mean"]) == 24
    path = transfer.save_feature_statistics(stats, str(tmp_path / "b.keras.features.json"))
    assert transfer.load_feature_statistics(path) == json.loads(json.dumps(stats))
    assert transfer.distance(stats, stats) == 0.0
    early = transfer.feature_statistics(base, fashion["base"][0][:64], layer="block1_conv1_relu")
    with pytest.raises(ValueError, match="same layer"):
        transfer.distance(stats, early)


def test_bad_inputs_raise_before_training(base, fashion, tmp_path):
    new = fashion["new"]
    with pytest.raises(ValueError, match="Did you mean 'linear_top'"):
        transfer.fine_tune(base, new, strategy="linear_tops")
    with pytest.raises(ValueError, match=r"layer=.block9.*'block1_conv1_conv'"):
        transfer.fine_tune(base, new, strategy="linear_early", layer="block9")
    with pytest.raises(ValueError, match=r"base's input shape \(28, 28, 1\)"):
        transfer.fine_tune(base, (np.zeros((4, 8, 8, 1), "uint8"), np.arange(4)))
    with pytest.raises(ValueError, match=r"labels in \[0, 3\)"):
        transfer.fine_tune(base, new, classes=3, strategy="linear_top")
    with pytest.raises(ValueError, match="one integer label per image"):
        transfer.fine_tune(base, (new[0], new[1][:5]), strategy="linear_top")
    with pytest.raises(ValueError, match="'svm' is for the linear strategies"):
        transfer.fine_tune(base, new, strategy="top_layers", classifier="svm")
    with pytest.raises(ValueError, match="`base_statistics` must be given"):
        transfer.fine_tune(base, new, strategy="auto")
    with pytest.raises(ValueError, match="`epochs` must be a positive integer"):
        transfer.fine_tune(base, new, strategy="linear_top", epochs=0)
    with pytest.raises(ValueError, match="existing .keras file or a SavedModel"):
        transfer.fine_tune(str(tmp_path / "missing.keras"), new)
    with pytest.raises(TypeError, match="Argument `base` must be a keras.Model"):
        transfer.fine_tune(42, new)


@pytest.mark.slow
def test_saved_model_base_allows_linear_top_only(base, fashion, tmp_path):
    path = kr.export.save(base, str(tmp_path / "exports" / "base"))
    with pytest.raises(ValueError, match="'linear_top' or 'auto' for a SavedModel base"):
        transfer.fine_tune(path, fashion["new"], strategy="top_layers")
    result = transfer.fine_tune(path, fashion["new"], strategy="linear_top",
                                **dict(FAST, head_epochs=40))
    # Its features are the base's 5 class probabilities.
    assert result.model.get_layer("head_classifier").kernel.shape == (5, 5)
    assert strategies.accuracy(result.model, *fashion["new_test"]) > 0.3


def _write_folder(x, y, folder):
    from PIL import Image

    for index, (image, label) in enumerate(zip(x, y)):
        os.makedirs(os.path.join(folder, f"kind_{label}"), exist_ok=True)
        Image.fromarray(image[..., 0]).save(os.path.join(folder, f"kind_{label}", f"{index}.png"))


@pytest.mark.slow
def test_cli_fine_tunes_a_keras_file_on_a_folder_and_exports(base, fashion, tmp_path, capsys):
    from kerasrecipes import cli
    from kerasrecipes import export

    base_path = str(tmp_path / "base.keras")
    base.save(base_path)
    x, y = _subset(*fashion["new"], 12)
    _write_folder(x, y, str(tmp_path / "images"))
    argv = ["fine-tune", base_path, "--data", str(tmp_path / "images"), "--epochs", "1",
            "--export-dir", str(tmp_path / "exports"), "--name", "shoes"]
    assert cli.main(argv) == 2  # auto without the base's statistics
    assert "base_statistics" in capsys.readouterr().err
    assert cli.main(argv + ["--strategy", "linear_top", "--export"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert json.loads(lines[0])["strategy"] == "linear_top"
    exported = str(tmp_path / "exports" / "shoes" / "1")
    assert export.load_metadata(exported)["class_names"] == [f"kind_{c}" for c in range(5)]


def _benchmark_module(path, name):
    return benchmark_modules.load(path, name)


def test_letters_render_from_matplotlibs_dejavu_fonts():
    import matplotlib

    letters = _benchmark_module("benchmarks/letters.py", "_bench_letters")
    folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    fonts = [os.path.join(folder, f) for f in ("DejaVuSans.ttf", "DejaVuSerif-Bold.ttf")]
    x, y = letters.render(4, fonts, seed=0)
    assert x.shape == (40, 28, 28, 1) and x.dtype == np.uint8
    assert np.array_equal(np.bincount(y), [4] * 10)
    # White ink on black, inside the canvas, and each letter looks unlike the others.
    assert x.max() == 255 and (x[:, 0, :, 0] < 128).mean() > 0.8
    means = np.stack([x[y == c].mean(axis=0) for c in range(10)]).reshape(10, -1)
    gaps = np.abs(means[:, None] - means[None]).mean(axis=-1) + np.eye(10) * 1e9
    assert gaps.min() > 5
    with pytest.raises(ValueError, match="must include a font"):
        letters.render(2, [])


def test_fine_tune_table_names_the_winner_and_the_advice(tmp_path):
    table = _benchmark_module("benchmarks/tables/fine_tune.py", "_bench_table_fine_tune")

    def cell(mean):
        return {"mean": mean, "std": 0.01, "runs": [mean]}

    row = {"row": "similar, little", "images_per_class": 50, "table_advice": "linear_top",
           "test_accuracy": {"linear_top": cell(0.7), "linear_early": cell(0.6),
                             "top_layers": cell(0.65), "many_layers": cell(0.5),
                             "scratch": cell(0.75)},
           "auto": {"strategy": "scratch", "test_accuracy": 0.74}}
    result = {"provenance": {"config": {"seeds": 3}, "cpu": {}}, "rows": [row],
              "base_test_accuracy_classes_0_4": 0.9}
    (tmp_path / "fine_tune.json").write_text(json.dumps(result))
    text = table.render(str(tmp_path))
    assert "| similar, little (50/class) | 70.0 ± 1.0 |" in text
    assert "**75.0 ± 1.0**" in text
    assert "`linear_top` trails `scratch` by 5.0 pts" in text and "`scratch` (74.0)" in text
