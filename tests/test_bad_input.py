"""Every bad input is named before training starts: one row per mistake, message matched.

Each case is a mistake a user makes, the exception it must raise and a pattern the
message must match (Keras' form: the argument, what is allowed, what was received).
Recipe-level cases run `recipes.build` with data loading forbidden, so they prove the
error comes before any data is loaded, let alone any training step.
"""

import gzip
import struct

import keras
import numpy as np
import pytest

from kerasrecipes import cli
from kerasrecipes import data
from kerasrecipes import export
from kerasrecipes import recipes
from kerasrecipes import saving
from kerasrecipes.data import validation
from kerasrecipes.recipes.config import RecipeConfig

RNG = np.random.default_rng(0)
X = RNG.integers(0, 256, (20, 8, 8, 1)).astype("uint8")
Y = np.arange(20) % 4


def build(**overrides):
    """Builds the default recipe with `overrides`; loading data fails the test."""
    def no_data(*args, **kwargs):
        raise AssertionError("data was loaded before the bad input was found")

    original, data.load = data.load, no_data
    try:
        recipes.build(recipes.config("fashion_mnist_vgg", **overrides))
    finally:
        data.load = original


def with_nan(value):
    x = X.astype("float32")
    x[3, 2, 1, 0] = value
    return x


def idx_file(tmp_path, header, payload=b""):
    path = tmp_path / "images-idx3-ubyte.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(header + payload)
    return path


MAGIC_UINT8_3D = struct.pack(">HBB", 0, 0x08, 3)

CASES = [
    # (id, call, exception, message pattern)
    ("rank", lambda t: data.pipeline(X[..., 0], Y), ValueError,
     r"`x` must be a batch of images of rank 4 .*Received: x.shape=\(20, 8, 8\)"),
    ("channels for the model", lambda t: data.pipeline(np.repeat(X, 3, -1), Y, channels=1),
     ValueError, r"`x` must have 1 channel\(s\) .*Received: x.shape=\(20, 8, 8, 3\)"),
    ("float 0-1 where 0-255 expected", lambda t: data.pipeline(X / 255.0, Y), ValueError,
     r"`x` must hold raw pixels in \[0, 255\] .*scaled to \[0, 1\].*multiply by 255"),
    ("float 0-255 where 0-1 expected",
     lambda t: validation.validate_images(X.astype("float32"), value_range=(0, 1)), ValueError,
     r"`x` must hold pixels in \[0, 1\] \(divide by 255\?\). Received: x in \[0, 255\]"),
    ("labels outside [0, classes)", lambda t: data.pipeline(X, Y + 8, classes=10), ValueError,
     r"`y` must hold labels in \[0, 10\) .*Received: labels from 8 to 11"),
    ("one-hot labels", lambda t: data.pipeline(X, np.eye(4)[Y]), ValueError,
     r"`y` must hold integer class labels, not one-hot rows: use `y.argmax\(axis=1\)`"),
    ("float labels", lambda t: data.pipeline(X, Y + 0.5), ValueError,
     r"`y` must hold integer class labels. Received: y.dtype=float64"),
    ("empty data", lambda t: data.pipeline(X[:0], Y[:0]), ValueError,
     r"`x` must hold at least one image. Received: x.shape=\(0, 8, 8, 1\)"),
    ("single class", lambda t: data.pipeline(X, np.zeros(20, int), training=True), ValueError,
     r"`y` must hold at least 2 distinct classes .*only class\(es\) \[0\] in 20 labels"),
    ("NaN pixels", lambda t: data.pipeline(with_nan(np.nan), Y), ValueError,
     r"`x` must hold finite pixels; found 1 NaN/Inf .*index \(3, 2, 1, 0\)"),
    ("Inf pixels", lambda t: data.pipeline(with_nan(np.inf), Y), ValueError,
     r"`x` must hold finite pixels.*Received: x\[3, 2, 1, 0\]=inf"),
    ("mixed image sizes", lambda t: data.pipeline([X[0], np.zeros((9, 9, 1), "uint8")], Y[:2]),
     ValueError, r"`x` must hold images of one size; resize them .*\(8, 8, 1\) and \(9, 9, 1\)"),
    ("batch size 0", lambda t: data.pipeline(X, Y, batch_size=0), ValueError,
     r"`batch_size` must be a positive integer. Received: batch_size=0"),
    ("batch size larger than the data", lambda t: data.pipeline(X, Y, 64, training=True),
     ValueError, r"`batch_size` must be at most the number of training images \(20\)\. "
                 r"Received: batch_size=64"),
    ("recipe batch size -1", lambda t: build(batch_size=-1), ValueError,
     r"`batch_size` must be an integer >= 1. Received: batch_size=-1"),
    ("unknown recipe", lambda t: recipes.get("fashion_mnist_vg"), ValueError,
     r"`recipe` must be one of .*Did you mean 'fashion_mnist_vgg'.*Received: recipe="),
    ("unknown model", lambda t: build(model="fashion_vgg_smal"), ValueError,
     r"`model` must be one of .*Did you mean 'fashion_vgg_small'"),
    ("unknown optimizer", lambda t: build(optimizer="adamm"), ValueError,
     r"`optimizer` must be one of .*Did you mean 'adam'"),
    ("unknown schedule", lambda t: build(schedule="cosin"), ValueError,
     r"`schedule` must be one of .*Did you mean 'cosine'"),
    ("unknown initializer", lambda t: build(initializer="he_normall"), ValueError,
     r"`initializer` must be one of .*Did you mean 'he_normal'"),
    ("unknown activation", lambda t: build(activation="reluu"), ValueError,
     r"`activation` must be one of .*Did you mean 'relu'"),
    ("unknown norm", lambda t: build(norm="batchh"), ValueError,
     r"`norm` must be one of .*Did you mean 'batch'"),
    ("unknown regularizer", lambda t: build(regularizer="l3:1e-4"), ValueError,
     r"`regularizer` must be one of .*Did you mean 'l2'"),
    ("unknown augmentation", lambda t: build(augment="flip_crp"), ValueError,
     r"must be one of .*Did you mean 'flip_crop'"),
    ("unknown precision", lambda t: build(precision="bfloat"), ValueError,
     r"`precision` must be one of .*Did you mean"),
    ("--set unknown key", lambda t: recipes.config("fashion_mnist_vgg", batch_sz="2"),
     ValueError, r"`key` must be one of .*Did you mean 'batch_size'.*Received: key='batch_sz'"),
    ("--set unparsable value", lambda t: recipes.config("fashion_mnist_vgg", epochs="three"),
     ValueError, r"Key `epochs` must be an integer. Received: epochs='three'"),
    ("--set without =", lambda t: cli._parse_sets(["epochs"]), ValueError,
     r"Option `--set` takes KEY=VALUE.*Received: 'epochs'"),
    ("config JSON string for a number", lambda t: RecipeConfig.from_json('{"epochs": "3"}'),
     ValueError, r"Key `epochs` must be of type int in a config file, not a string"),
    ("config JSON list for a float",
     lambda t: RecipeConfig.from_json('{"learning_rate": [0.1]}'), ValueError,
     r"Key `learning_rate` must be of type float. Received: learning_rate=\[0.1\]"),
    ("config JSON not an object", lambda t: RecipeConfig.from_json("[1, 2]"), TypeError,
     r"`values` must be a dict of config keys. Received: list"),
    ("config JSON invalid", lambda t: RecipeConfig.from_json("{epochs: 3}"), ValueError,
     r"`text` must be a JSON object. Received: invalid JSON"),
    ("backup_freq 0", lambda t: build(backup_freq=0), ValueError,
     r"`backup_freq` must be an integer >= 1 .*Received: backup_freq=0"),
    ("export path is an existing file", lambda t: export.save(
        keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten()]),
        str(t / "file") if (t / "file").write_text("x") else None),
     ValueError, r"Argument `base_dir` must be a folder, or a path that does not exist yet; "
                 r".*is an existing file\. Received: base_dir="),
    ("IDX bad magic", lambda t: data.read_idx(idx_file(t, b"\x12\x34\x08\x03")), ValueError,
     r"`path` must be an IDX file, whose magic number is 0000 .*starting with 12340803"),
    ("IDX truncated data", lambda t: data.read_idx(idx_file(
        t, MAGIC_UINT8_3D + struct.pack(">3I", 2, 4, 4), b"\x00" * 20)), ValueError,
     r"`path` must be a whole IDX file: it declares shape \(2, 4, 4\) \(32 bytes.*holds 20"),
    ("IDX truncated header", lambda t: data.read_idx(idx_file(t, MAGIC_UINT8_3D + b"\x00\x00")),
     ValueError, r"`path` must be a whole IDX file: its header declares 3 dimensions"),
    ("missing data folder", lambda t: data.from_directory(str(t / "nowhere")), ValueError,
     r"`directory` must be an existing folder of class sub-folders"),
    ("unknown dataset name", lambda t: data.load("fashion_mnsit"), ValueError,
     r"fashion_mnist"),
]


@pytest.mark.parametrize("call, error, pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_named(tmp_path, call, error, pattern):
    with pytest.raises(error, match=pattern):
        call(tmp_path)


def test_at_least_25_cases():
    assert len(CASES) >= 25


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    return saving.ServingModel(export.save(model, str(tmp_path_factory.mktemp("sm") / "m")))


def test_serving_call_wrong_dtype(served):
    with pytest.raises(TypeError, match=r"`images` must be a uint8 array of shape \(N, 8, 8, 1\)"
                                        r" \(raw pixels\). Received: images.dtype=float32"):
        served(np.zeros((2, 8, 8, 1), "float32"))


@pytest.mark.parametrize("shape", [(2, 8, 8, 3), (8, 8, 1), (2, 9, 8, 1)])
def test_serving_call_wrong_shape(served, shape):
    with pytest.raises(ValueError, match=r"`images` must have shape \(N, 8, 8, 1\)\. "
                                         rf"Received: images.shape={re_escape(shape)}"):
        served(np.zeros(shape, "uint8"))


def re_escape(value):
    import re

    return re.escape(str(value))


def test_serving_call_good_input_runs(served):
    out = served(np.zeros((2, 8, 8, 1), "uint8"))
    assert tuple(out["probabilities"].shape) == (2, 3)
