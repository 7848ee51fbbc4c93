import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from kerasrecipes import export
from kerasrecipes import models

SERVE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf
    path, images_file, out_file = sys.argv[1:]
    serve = tf.saved_model.load(path).signatures["serving_default"]
    out = serve(images=tf.constant(np.load(images_file)))
    np.savez(out_file, probabilities=out["probabilities"].numpy(), class_id=out["class_id"].numpy())
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

    monkeypatch.setattr(export, "_write_saved_model", broken)
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
