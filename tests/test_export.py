import json
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from kerasrecipes import export
from kerasrecipes import models
from kerasrecipes.export import saved_model

SERVE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf
    path, images_file, out_file = sys.argv[1:]
    loaded = tf.saved_model.load(path)
    images = np.load(images_file)
    out = loaded.signatures["serving_default"](images=tf.constant(images))
    encoded = [tf.io.encode_png(image).numpy() for image in images]
    from_bytes = loaded.signatures["serve_bytes"](image_bytes=tf.constant(encoded))
    np.savez(out_file, probabilities=out["probabilities"].numpy(), class_id=out["class_id"].numpy(),
             class_name=out["class_name"].numpy().astype(str),
             bytes_probabilities=from_bytes["probabilities"].numpy(),
             bytes_class_name=from_bytes["class_name"].numpy().astype(str))
    print(json.dumps({"kerasrecipes": any(m.startswith("kerasrecipes") for m in sys.modules)}))
    """
)


@pytest.fixture(scope="module")
def model():
    model = models.get("fashion_vgg_small")
    # Move the batch-norm statistics off their defaults so inference mode matters.
    x = np.random.default_rng(0).integers(0, 256, (64, 28, 28, 1)).astype("float32")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, np.arange(64) % 10, epochs=1, verbose=0)
    return model


def test_round_trip_in_a_tensorflow_only_process(model, tmp_path, fashion_mnist):
    (_, _), (x_test, _) = fashion_mnist
    images = x_test[:200]
    path = export.save(model, str(tmp_path / "fm"), config={"epochs": 1}, class_names=list("abcdefghij"))
    assert path == str(tmp_path / "fm" / "1")
    np.save(tmp_path / "images.npy", images)
    result = subprocess.run(
        [sys.executable, "-c", SERVE_SCRIPT, path, str(tmp_path / "images.npy"), str(tmp_path / "out.npz")],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    # The script imports tensorflow alone (TensorFlow 2.16+ pulls in keras by itself,
    # so only kerasrecipes can be checked for absence).
    assert imported == {"kerasrecipes": False}
    served = np.load(tmp_path / "out.npz")
    expected = model.predict(images.astype("float32"), verbose=0)
    assert np.max(np.abs(served["probabilities"] - expected)) <= 1e-5
    np.testing.assert_array_equal(served["class_id"], expected.argmax(-1))
    np.testing.assert_array_equal(served["class_name"], np.array(list("abcdefghij"))[expected.argmax(-1)])
    # PNG is lossless: the bytes signature sees the same pixels.
    assert np.max(np.abs(served["bytes_probabilities"] - expected)) <= 1e-5
    np.testing.assert_array_equal(served["bytes_class_name"], served["class_name"])
    metadata = export.load_metadata(path)
    assert metadata["class_names"] == list("abcdefghij")
    assert metadata["config"] == {"epochs": 1}
    assert metadata["input"] == {"name": "images", "dtype": "uint8", "shape": [None, 28, 28, 1]}


def test_versions_count_up_and_skip_stray_folders(model, tmp_path):
    base = tmp_path / "m"
    (base / "notes").mkdir(parents=True)
    (base / "7").mkdir()
    assert export.save(model, str(base)).endswith(os.sep + "8")
    assert export.next_version(str(base)) == 9
    with pytest.raises(ValueError, match="names an existing export"):
        export.save(model, str(base), version=8)


def test_a_failed_export_leaves_nothing_behind(model, tmp_path, monkeypatch):
    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(saved_model, "_write_saved_model", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        export.save(model, str(tmp_path / "m"))
    assert os.listdir(tmp_path / "m") == []


def test_non_image_model_is_rejected(tmp_path):
    import keras

    inputs = keras.Input((5,))
    dense = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(ValueError, match=r"must take a batch of images \(None, H, W, C\)"):
        export.save(dense, str(tmp_path / "d"))
    assert not os.path.exists(tmp_path / "d" / "1")


def test_each_weight_is_stored_once(model, tmp_path):
    # keras.export.ExportArchive stored every variable twice; ours stores it once.
    path = export.save(model, str(tmp_path / "size"))
    folder = os.path.join(path, "variables")
    stored = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    raw = 4 * model.count_params()
    assert raw <= stored < 1.2 * raw


README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")
SIGNATURE_ROW = re.compile(
    r"^\| `(\w+)` \| `(\w+)` \| (input|output) \| (\w+) \| `\[([-\d, ]*)\]` \|$", re.M)


def _readme_signatures():
    with open(README) as handle:
        rows = SIGNATURE_ROW.findall(handle.read())
    return {(sig, name, kind, dtype, tuple(int(d) for d in shape.split(","))) for sig, name, kind, dtype, shape in rows}


def test_signatures_are_what_the_readme_documents(model, tmp_path):
    import tensorflow as tf

    path = export.save(model, str(tmp_path / "fm"))
    found = set()
    # What `saved_model_cli show --all` prints, read from the SavedModel itself.
    for name, function in tf.saved_model.load(path).signatures.items():
        for spec in function.structured_input_signature[1].values():
            found.add((name, spec.name, "input", spec.dtype.name, tuple(d or -1 for d in spec.shape)))
        for key, spec in function.structured_outputs.items():
            found.add((name, key, "output", spec.dtype.name, tuple(d or -1 for d in spec.shape)))
    documented = _readme_signatures()
    assert len(documented) == 8, "README's signature table is missing or unparsable"
    assert found == documented


def probe_model(channels=1, size=8):
    """A model whose probabilities reveal its input: softmax(pixels / 64) over every pixel."""
    import keras

    inputs = keras.Input((size, size, channels))
    x = keras.layers.Flatten()(keras.layers.Rescaling(1 / 64)(inputs))
    return keras.Model(inputs, keras.layers.Activation("softmax")(x))


def _pixel_gap(p1, p2):
    """Largest difference, in grey levels, between the inputs behind two probe outputs."""
    d = 64 * (np.log(p1) - np.log(p2))
    return float(np.max(np.abs(d - d.mean(axis=-1, keepdims=True))))


@pytest.mark.parametrize("channels", [1, 3])
def test_serve_bytes_decodes_converts_channels_and_resizes(tmp_path, channels):
    import tensorflow as tf

    path = export.save(probe_model(channels), str(tmp_path / "probe"))
    loaded = tf.saved_model.load(path)
    serve, serve_bytes = loaded.signatures["serving_default"], loaded.signatures["serve_bytes"]
    rng = np.random.default_rng(channels)
    gray = rng.integers(0, 256, (2, 8, 8, 1)).astype("uint8")
    model_view = gray if channels == 1 else np.repeat(gray, 3, axis=-1)
    expected = serve(images=tf.constant(model_view))["probabilities"].numpy()

    def run(encoded):
        return serve_bytes(image_bytes=tf.constant(encoded))["probabilities"].numpy()

    as_gray_png = [tf.io.encode_png(g).numpy() for g in gray]
    as_rgb_png = [tf.io.encode_png(np.repeat(g, 3, axis=-1)).numpy() for g in gray]
    as_jpeg = [tf.io.encode_jpeg(np.repeat(g, 3, axis=-1), quality=100).numpy() for g in gray]
    assert _pixel_gap(run(as_gray_png), expected) <= 1.01
    assert _pixel_gap(run(as_rgb_png), expected) <= 1.01
    # JPEG is lossy: compare with the pixels TensorFlow decodes from the same bytes.
    decoded = np.stack([tf.io.decode_jpeg(j, channels=channels).numpy() for j in as_jpeg])
    from_jpeg = serve(images=tf.constant(decoded))["probabilities"].numpy()
    assert _pixel_gap(run(as_jpeg), from_jpeg) <= 1.01
    # A 16×16 image is resized in the graph, as tf.image.resize(antialias=True) does.
    large = rng.integers(0, 256, (1, 16, 16, channels)).astype("uint8")
    small = tf.image.resize(tf.cast(large, tf.float32), (8, 8), antialias=True)
    resized = serve(images=tf.cast(tf.round(small), tf.uint8))["probabilities"].numpy()
    assert _pixel_gap(run([tf.io.encode_png(large[0]).numpy()]), resized) <= 1.01


def test_class_names_default_to_indices_and_must_match_the_classes(tmp_path):
    import tensorflow as tf

    model = probe_model()
    path = export.save(model, str(tmp_path / "probe"))
    assert export.load_metadata(path)["class_names"] == [str(i) for i in range(64)]
    image = np.zeros((1, 8, 8, 1), "uint8")
    image[0, 0, 3] = 255
    out = tf.saved_model.load(path).signatures["serving_default"](images=tf.constant(image))
    assert out["class_name"].numpy().tolist() == [b"3"]
    with pytest.raises(ValueError, match=r"`class_names` must name each of the model's 64 classes. "
                                         r"Received: 2 names"):
        export.save(model, str(tmp_path / "bad"), class_names=["a", "b"])
    assert not os.path.exists(tmp_path / "bad")


def test_model_card(model, tmp_path):
    import datetime

    import keras
    import tensorflow as tf

    import kerasrecipes

    config = {"name": "fashion_mnist_vgg", "precision": "float32", "epochs": 1}
    path = export.save(model, str(tmp_path / "fashion_mnist_vgg"), config=config,
                       class_names=list("abcdefghij"), metrics={"accuracy": 0.875, "loss": 0.4})
    card = export.load_metadata(path)
    assert (card["name"], card["version"], card["recipe"]) == ("fashion_mnist_vgg", 1, "fashion_mnist_vgg")
    assert card["config"] == config
    assert card["precision"] == model.dtype_policy.name == "float32"
    assert card["test_accuracy"] == 0.875 and card["test_metrics"] == {"accuracy": 0.875, "loss": 0.4}
    assert card["parameters"] == model.count_params()
    on_disk = sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(path)
                  for f in files if f != export.METADATA_FILE)
    assert card["size_bytes"] == on_disk > 4 * model.count_params()
    assert card["versions"]["tensorflow"] == tf.__version__
    assert card["versions"]["keras"] == keras.__version__
    assert card["versions"]["kerasrecipes"] == kerasrecipes.__version__
    assert card["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", card["git_commit"])
    age = datetime.datetime.now(datetime.timezone.utc) - datetime.datetime.fromisoformat(card["date"])
    assert datetime.timedelta(0) <= age < datetime.timedelta(minutes=10)
    assert set(card["signatures"]) == {"serving_default", "serve_bytes"}
    assert card["signatures"]["serve_bytes"]["inputs"] == {"image_bytes": {"dtype": "string", "shape": [-1]}}


def test_card_names_the_test_time_augmentation_behind_its_test_metrics():
    import keras

    from kerasrecipes.export import card

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    signatures = {"serving_default": {"inputs": {}, "outputs": {"probabilities": {}}}}

    def made(config, metrics):
        return card.make_card(model, name="m", version=1, input_shape=(None, 4),
                              class_names=["a", "b"], signatures=signatures, config=config,
                              metrics=metrics)

    assert made({"name": "r", "tta": "flip"}, {"accuracy": 0.9})["test_tta"] == "flip"
    assert made({"name": "r", "tta": None}, {"accuracy": 0.9})["test_tta"] is None
    assert made({"name": "r", "tta": "flip"}, None)["test_tta"] is None  # no metrics, no claim


def test_an_export_with_tta_serves_the_averaged_views_in_saved_model_and_tflite(tmp_path):
    import tensorflow as tf

    from kerasrecipes.training import tta

    model = probe_model()
    x = np.random.default_rng(3).integers(0, 256, (6, 8, 8, 1)).astype("uint8")
    path = export.save(model, str(tmp_path / "m"), tta="flip_shift", tflite="float32")
    expected = tta.predict_tta(model, x.astype("float32"), "flip_shift")
    assert np.abs(expected - model.predict(x.astype("float32"), verbose=0)).max() > 1e-3
    served = tf.saved_model.load(path).signatures["serving_default"](images=tf.constant(x))
    np.testing.assert_allclose(served["probabilities"].numpy(), expected, atol=1e-5)
    np.testing.assert_allclose(export.run_tflite(os.path.join(path, "model.tflite"), x), expected,
                               atol=1e-5)
    card = export.load_metadata(path)
    assert card["served_tta"] == "flip_shift" and card["parameters"] == model.count_params()
    with pytest.raises(ValueError, match=r"`tta` must be one of .*Did you mean 'flip'"):
        export.save(model, str(tmp_path / "bad"), tta="flipp")
    assert not os.path.exists(tmp_path / "bad")
