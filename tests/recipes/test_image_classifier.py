"""The generic `image_classifier` recipe on every data source, with in-model preprocessing."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import kerasrecipes as kr
from kerasrecipes import cli
from kerasrecipes.data import Source
from tests.image_folders import fashion_subset
from tests.image_folders import write_images

# Folder names as a user would write them: Fashion-MNIST's first three classes.
FOLDER_NAMES = ["T-shirt_top", "Trouser", "Pullover"]
FAST = dict(epochs=1, batch_size=32, augment="none", model="fashion_vgg_small", width=0.25)


@pytest.fixture(scope="module")
def fashion_folder(tmp_path_factory, fashion_mnist):
    """Real images: a Fashion-MNIST subset written as train/ and test/ PNG folder trees."""
    root = tmp_path_factory.mktemp("fashion_pngs")
    write_images(root / "train", *fashion_subset(fashion_mnist, per_class=40), FOLDER_NAMES)
    write_images(root / "test", *fashion_subset(fashion_mnist, per_class=10, split="test"),
                 FOLDER_NAMES)
    return str(root)


@pytest.mark.slow
def test_cli_trains_a_png_folder_and_the_export_carries_its_class_names(fashion_folder, tmp_path, capsys):
    status = cli.main(["train", "image_classifier", "--data", fashion_folder, "--epochs", "1",
                       "--set", "batch_size=32", "--set", "augment=none",
                       "--set", "model=fashion_vgg_small", "--set", "width=0.25",
                       "--verbose", "0", "--export", "--export-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    report = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    assert 0 <= report["test"]["accuracy"] <= 1
    export = os.path.join(str(tmp_path), "image_classifier", "1")
    # A process that imports only TensorFlow reads the class names and serves raw pixels.
    script = (
        "import json, sys, numpy as np, tensorflow as tf\n"
        f"path = {export!r}\n"
        "meta = json.load(open(path + '/kerasrecipes.json'))\n"
        "serve = tf.saved_model.load(path).signatures['serving_default']\n"
        "out = serve(images=tf.zeros([2, 28, 28, 1], tf.uint8))\n"
        "print(json.dumps({'class_names': meta['class_names'], 'precision': meta['config']['precision'],\n"
        "  'data': meta['config']['data'], 'shape': list(out['probabilities'].shape),\n"
        "  'kerasrecipes': any(m.startswith('kerasrecipes') for m in sys.modules)}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-2000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    # Labels follow the sorted folder names.
    assert served["class_names"] == sorted(FOLDER_NAMES) == sorted(os.listdir(os.path.join(fashion_folder, "test")))
    assert served["shape"] == [2, 3] and served["data"] == fashion_folder
    assert served["precision"] == kr.training.precision.resolve("auto") and not served["kerasrecipes"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["digits", "arrays", "dataset"])
def test_each_source_trains_one_short_epoch(kind, fashion_mnist):
    import tensorflow as tf

    x, y = fashion_subset(fashion_mnist, classes=3, per_class=30)
    data = {"digits": "digits", "arrays": (x, y),
            "dataset": tf.data.Dataset.from_tensor_slices((x, y))}[kind]
    recipe = kr.recipes.get("image_classifier")(data=data, train_samples=60 if kind == "digits" else None, **FAST)
    assert recipe.config.data == {"digits": "digits", "arrays": "<arrays>", "dataset": "<dataset>"}[kind]
    expected_shape = (8, 8, 1) if kind == "digits" else (28, 28, 1)
    assert recipe.model.input_shape[1:] == expected_shape
    assert recipe.model.output_shape[-1] == (10 if kind == "digits" else 3)
    history = recipe.fit(verbose=0)
    assert len(history.history["loss"]) == 1 and np.isfinite(history.history["val_loss"][0])
    if kind == "digits":
        assert 0 <= recipe.evaluate()["accuracy"] <= 1
    else:
        with pytest.raises(ValueError, match=r"has no test set: data='<(arrays|dataset)>' gave none"):
            recipe.evaluate()


@pytest.mark.slow
def test_zca_is_adapted_on_the_training_split_and_the_export_serves_raw_pixels(fashion_mnist, tmp_path):
    import tensorflow as tf

    x, y = fashion_subset(fashion_mnist, classes=3, per_class=30)
    recipe = kr.recipes.get("image_classifier")(data=(x, y), preprocessing="zca", **FAST)
    whitening = recipe.model.get_layer("zca")
    x_train = recipe.source.train[0].reshape(recipe.source.num_train, -1).astype("float64")
    np.testing.assert_allclose(np.asarray(whitening.mean), x_train.mean(0), rtol=1e-4, atol=1e-3)
    recipe.fit(verbose=0)
    path = recipe.export(str(tmp_path))
    serve = tf.saved_model.load(path).signatures["serving_default"]
    raw = x_test = fashion_mnist[1][0][:16]
    served = serve(images=tf.constant(raw))["probabilities"].numpy()
    np.testing.assert_allclose(served, recipe.model.predict(x_test.astype("float32"), verbose=0),
                               rtol=1e-4, atol=1e-5)
    assert kr.export.load_metadata(path)["config"]["preprocessing"] == "zca"


# mixed_bfloat16: what precision="auto" resolves to on CPUs with AMX, whatever this host has.
@pytest.mark.parametrize("precision", ["float32", "mixed_bfloat16"])
def test_standardize_statistics_come_from_the_training_split(fashion_mnist, precision):
    x, y = fashion_subset(fashion_mnist, classes=3, per_class=20)
    recipe = kr.recipes.get("image_classifier")(data=(x, y), preprocessing="standardize",
                                                precision=precision, **FAST)
    layer = recipe.model.get_layer("standardize")
    assert layer.dtype_policy.name == "float32"  # the statistics of 0..255 pixels
    train = recipe.source.train[0].astype("float64")
    np.testing.assert_allclose(np.ravel(layer.mean), [train.mean()], rtol=1e-4)
    np.testing.assert_allclose(np.ravel(layer.variance), [train.var()], rtol=1e-3)


def test_model_keys_left_none_keep_the_presets_values():
    """`--set model=squeezenet_1_1` on a Fashion-MNIST recipe builds the preset as
    defined (no batch norm, glorot_uniform, dropout 0.5), not with the VGG recipe's values."""
    from kerasrecipes.recipes.base import _model

    config = kr.recipes.config("fashion_mnist_vgg", model="squeezenet_1_1")
    source = Source(train=None, val=None, test=None, class_names=list("abcde"),
                    input_shape=(64, 64, 3), num_train=1, num_val=1, num_test=0, description="x")
    model = _model(config, source)
    assert not [l for l in model.layers if "normalization" in type(l).__name__.lower()]
    conv = model.get_layer("conv1_conv") if "conv1_conv" in [l.name for l in model.layers] else \
        next(l for l in model.layers if type(l).__name__ == "Conv2D")
    assert type(conv.kernel_initializer).__name__ == "GlorotUniform"
    assert [l.rate for l in model.layers if type(l).__name__ == "Dropout"] == [0.5]
    assert model.output_shape == (None, 5)
    # An explicit value still wins over the preset's.
    model = _model(config.replace(dropout=0.2, norm="batch"), source)
    assert [l.rate for l in model.layers if type(l).__name__ == "Dropout"] == [0.2]
    assert [l for l in model.layers if isinstance(l, keras.layers.BatchNormalization)]


@pytest.mark.parametrize("overrides, error, message", [
    (dict(data="no/such/folder"), ValueError, r"Key `data` must be a registered name .* Received: data='no/such/folder'"),
    (dict(data="<arrays>"), ValueError, r"Key `data` records data passed as a Python object"),
    (dict(preprocessing="whiten"), ValueError, r"Key `preprocessing` must be one of \['squeeze', 'standardize', 'zca'\]"),
    (dict(image_size="huge"), ValueError, r"`image_size` must be None, a positive int"),
])
def test_bad_data_keys_fail_before_anything_is_read(overrides, error, message):
    with pytest.raises(error, match=message):
        kr.recipes.get("image_classifier")(**overrides)


def test_bad_folder_fails_in_build_before_training(tmp_path, monkeypatch):
    import keras

    write_images(tmp_path / "one", np.zeros((3, 4, 4, 1), np.uint8), [0, 0, 0], ["only"])
    monkeypatch.setattr(keras.Model, "fit", lambda *a, **k: pytest.fail("training started"))
    with pytest.raises(ValueError, match=r"at least two classes .*'.*one' with the single class \['only'\]"):
        kr.recipes.get("image_classifier")(data=str(tmp_path / "one"))
    too_big = (np.zeros((8, 80, 80, 3), np.uint8), np.arange(8) % 2)
    with pytest.raises(ValueError, match=r"'zca' only for images of at most 4096 values .* \(80, 80, 3\)"):
        kr.recipes.get("image_classifier")(data=too_big, preprocessing="zca")


def test_cli_data_option_sets_the_data_key(capsys):
    assert cli.main(["config", "image_classifier", "--data", "digits", "--set", "image_size=16"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert (config["data"], config["image_size"], config["model"]) == ("digits", "16x16", "cifar_squeezenet")
    assert cli.main(["config", "image_classifier", "--data", "no/such/dir"]) == 2
    assert "Key `data` must be a registered name" in capsys.readouterr().err
