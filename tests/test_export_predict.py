"""`kerasrecipes predict` on real PNGs, and the CLI's export options (`--tflite`, `--dataset`)."""

import json
import os

import keras
import numpy as np
import pytest

from kerasrecipes import cli
from kerasrecipes import export
from kerasrecipes import models
from kerasrecipes.export import lite

NAMES = ["top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]


def run(capsys, *argv):
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return models.get("fashion_vgg_small", width=0.25)


@pytest.fixture(scope="module")
def pngs(fashion_mnist, tmp_path_factory):
    """Four Fashion-MNIST test images written as PNG files, and their pixels."""
    import tensorflow as tf

    (_, _), (x_test, _) = fashion_mnist
    folder = tmp_path_factory.mktemp("pngs")
    paths = []
    for i, image in enumerate(x_test[:4]):
        path = str(folder / f"image{i}.png")
        tf.io.write_file(path, tf.io.encode_png(image))
        paths.append(path)
    return paths, x_test[:4]


def test_predict_uses_the_latest_saved_model_version(capsys, tmp_path, model, pngs):
    paths, images = pngs
    base = str(tmp_path / "fm")
    export.save(model, base, class_names=NAMES)
    export.save(model, base, class_names=[n.upper() for n in NAMES])
    expected = model.predict(images.astype("float32"), verbose=0)
    status, out, _ = run(capsys, "predict", base, *paths, "--json")
    assert status == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["file"] for r in results] == paths
    for result, probs in zip(results, expected):
        order = np.argsort(-probs)[:3]
        assert result["class_name"] == NAMES[order[0]].upper()  # version 2's names
        assert [name for name, _ in result["top"]] == [NAMES[i].upper() for i in order]
        np.testing.assert_allclose([p for _, p in result["top"]], probs[order], atol=1e-5)
    status, out, _ = run(capsys, "predict", os.path.join(base, "1"), paths[0], "--top", "2")
    order = np.argsort(-expected[0])[:2]
    assert status == 0
    assert out.strip() == (f"{paths[0]}: {NAMES[order[0]]} {100 * expected[0, order[0]]:.2f} %, "
                           f"{NAMES[order[1]]} {100 * expected[0, order[1]]:.2f} %")


def test_predict_runs_tflite_files_with_the_class_names_beside_them(capsys, tmp_path, model, pngs,
                                                                     fashion_mnist):
    paths, images = pngs
    (x_train, _), _ = fashion_mnist
    version = export.save(model, str(tmp_path / "fm"), class_names=NAMES, tflite=["float32", "int8"],
                          representative_data=x_train[:100])
    card = export.load_metadata(version)
    assert sorted(card["tflite"]) == ["model.tflite", "model_int8.tflite"]
    assert card["tflite"]["model_int8.tflite"]["quantize"] == "int8"
    expected = model.predict(images.astype("float32"), verbose=0)
    status, out, _ = run(capsys, "predict", os.path.join(version, "model.tflite"), *paths, "--json")
    assert status == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["class_name"] for r in results] == [NAMES[i] for i in expected.argmax(-1)]
    np.testing.assert_allclose([r["probability"] for r in results], expected.max(-1), atol=1e-4)
    int8_path = os.path.join(version, "model_int8.tflite")
    status, out, _ = run(capsys, "predict", int8_path, *paths, "--json")
    int8 = lite.run_tflite(int8_path, images)
    assert status == 0
    assert [json.loads(line)["class_name"] for line in out.splitlines()] == [NAMES[i] for i in int8.argmax(-1)]


@pytest.mark.parametrize("what, message", [
    ("empty_folder", "must be a SavedModel version folder, a model folder with numbered versions"),
    ("missing_image", "must be existing image files. Received: "),
    ("text_image", "must be PNG, JPEG, GIF or BMP files. Received: .*could not be decoded"),
])
def test_predict_errors_are_one_line_with_status_2(capsys, tmp_path, model, what, message):
    import re

    base = str(tmp_path / "fm")
    if what != "empty_folder":
        export.save(model, base)
    else:
        os.makedirs(base)
    image = tmp_path / "notes.txt"
    image.write_text("not an image")
    status, _, err = run(capsys, "predict", base, tmp_path / "missing.png" if what == "missing_image" else image)
    assert status == 2 and re.search(message, err) and len(err.strip().splitlines()) == 1


def test_cli_export_writes_tflite_and_class_names(capsys, tmp_path, model):
    keras_file = tmp_path / "fm.keras"
    model.save(keras_file)
    status, _, err = run(capsys, "export", keras_file, "--tflite", "int8", "--export-dir", tmp_path / "sm")
    assert status == 2 and "`--tflite int8` needs `--dataset NAME`" in err
    assert not os.path.exists(tmp_path / "sm")
    status, out, _ = run(capsys, "export", keras_file, "--dataset", "fashion_mnist", "--tflite", "int8",
                         "--tflite", "float16", "--export-dir", tmp_path / "sm", "--version", "4")
    version = tmp_path / "sm" / "fm" / "4"
    assert status == 0 and f"Wrote {version / 'model_int8.tflite'}" in out
    card = export.load_metadata(str(version))
    assert card["class_names"][0] == "T-shirt/top" and len(card["class_names"]) == 10
    assert sorted(card["tflite"]) == ["model_float16.tflite", "model_int8.tflite"]
    status, _, err = run(capsys, "export", keras_file, "--export-dir", tmp_path / "sm", "--version", "4")
    assert status == 2 and "names an existing export" in err
    status, _, _ = run(capsys, "export", keras_file, "--export-dir", tmp_path / "sm", "--version", "4",
                       "--overwrite")
    assert status == 0 and export.load_metadata(str(version))["tflite"] == {}


def test_cli_tflite_choices_are_the_converters_modes():
    assert [None if c == "float32" else c for c in cli.TFLITE_CHOICES] == list(lite.MODES)


def test_predict_top_must_be_positive(capsys, tmp_path):
    status, _, err = run(capsys, "predict", tmp_path, "x.png", "--top", "0")
    assert status == 2 and "`--top` must be an integer >= 1. Received: --top 0" in err


def test_train_tflite_needs_export(capsys):
    status, _, err = run(capsys, "train", "fashion_mnist_squeezenet", "--tflite", "int8")
    assert status == 2 and "Option `--tflite` needs `--export`" in err


def test_recipe_export_calibrates_int8_on_its_training_pipeline(tmp_path, monkeypatch):
    import kerasrecipes as kr

    recipe = kr.recipes.get("fashion_mnist_squeezenet")(train_samples=300, batch_size=100, width=0.25)
    seen = []
    real = lite.representative_images
    monkeypatch.setattr(lite, "representative_images",
                        lambda data, **kw: seen.append(data) or real(data, **kw))
    path = recipe.export(str(tmp_path), metrics={"accuracy": 0.5}, tflite="int8")
    assert seen == [recipe.train_data]
    card = export.load_metadata(path)
    assert card["recipe"] == "fashion_mnist_squeezenet" and card["test_accuracy"] == 0.5
    assert card["class_names"] == recipe.class_names
    runner = lite.interpreter(os.path.join(path, "model_int8.tflite"))
    assert runner.get_input_details()[0]["dtype"] == np.uint8
