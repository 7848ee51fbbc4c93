"""TFLite / LiteRT files in every quantization mode, run in the standalone LiteRT runtime."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasrecipes import export
from kerasrecipes import models
from kerasrecipes.export import lite
from kerasrecipes.layers.pooling import CeilMaxPooling2D

SUBSET = 500
# How far each mode may move from the Keras model on SUBSET test images: the largest
# probability difference, and test accuracy in points.
TOLERANCE = {
    None: dict(probabilities=1e-4, points=0.5),
    "float16": dict(probabilities=5e-3, points=1.0),
    "dynamic": dict(probabilities=0.1, points=2.0),
    "int8": dict(probabilities=0.15, points=2.0),
}


@pytest.fixture(scope="module")
def trained(fashion_mnist):
    """A quarter-width Fashion VGG trained one short epoch on 2,000 images (~80 %).

    (A SqueezeNet learns too slowly for one short epoch to give a comparison.)
    """
    (x_train, y_train), (x_test, y_test) = fashion_mnist
    keras.utils.set_random_seed(0)
    model = models.get("fashion_vgg_small", width=0.25)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train[:2000].astype("float32"), y_train[:2000], batch_size=64, epochs=1, verbose=0)
    return model, x_train[2000:2400], x_test[:SUBSET], y_test[:SUBSET]


@pytest.mark.slow
@pytest.mark.parametrize("quantize", [None, "dynamic", "float16", "int8"])
def test_each_mode_runs_in_litert_close_to_keras(trained, tmp_path, quantize):
    model, calibration, x_test, y_test = trained
    path = export.tflite(model, str(tmp_path / "m.tflite"), quantize=quantize,
                         representative_data=calibration if quantize == "int8" else None)
    expected = model.predict(x_test.astype("float32"), verbose=0)
    got = export.run_tflite(path, x_test)
    assert got.shape == expected.shape and got.dtype == np.float32
    keras_accuracy = np.mean(expected.argmax(-1) == y_test)
    assert keras_accuracy > 0.5, "the fixture model did not learn: the comparison would be empty"
    tolerance = TOLERANCE[quantize]
    assert np.max(np.abs(got - expected)) <= tolerance["probabilities"]
    assert abs(np.mean(got.argmax(-1) == y_test) - keras_accuracy) * 100 <= tolerance["points"]
    details = lite.interpreter(path).get_input_details()[0]
    assert details["dtype"] == (np.uint8 if quantize == "int8" else np.float32)
    float_size = 4 * model.count_params()
    assert os.path.getsize(path) < (0.5 * float_size if quantize in ("dynamic", "int8") else 1.5 * float_size)


@pytest.mark.parametrize("quantize", [None, "int8"])
def test_a_bfloat16_model_converts_as_its_float32_copy(trained, tmp_path, quantize):
    """precision="auto" trains in mixed_bfloat16 on CPUs with AMX; TFLite has no bfloat16 ops."""
    from kerasrecipes.training import precision

    model, calibration, x_test, _ = trained
    with precision.policy_scope("mixed_bfloat16"):
        half = models.get("fashion_vgg_small", width=0.25)
    half.set_weights(model.get_weights())
    path = export.tflite(half, str(tmp_path / "half.tflite"), quantize=quantize,
                         representative_data=calibration if quantize == "int8" else None)
    assert half.dtype_policy.name == "mixed_bfloat16"  # converted a copy, not the model
    got = export.run_tflite(path, x_test[:64])
    # The float32 model's predictions: the copy has its weights and computes in float32.
    tolerance = TOLERANCE[quantize]["probabilities"]
    assert np.max(np.abs(got - model.predict(x_test[:64].astype("float32"), verbose=0))) <= tolerance


def _scales(runner):
    return [d["quantization"][0] for d in runner.get_tensor_details() if d["quantization"][0]]


def test_int8_squeezenet_prepares_under_the_default_xnnpack_delegate(tmp_path):
    import ai_edge_litert.interpreter

    # The full recipe model (half width), untrained: preparing is what failed.
    model = models.get("fashion_squeezenet", width=0.5)
    calibration = np.random.default_rng(0).integers(0, 256, (32, 28, 28, 1)).astype("uint8")
    path = export.tflite(model, str(tmp_path / "sq.tflite"), quantize="int8",
                         representative_data=calibration)
    runner = lite.interpreter(path)  # allocate_tensors() raised "failed to prepare" before
    assert isinstance(runner, ai_edge_litert.interpreter.Interpreter)  # the phones' runtime
    ops = {op["op_name"] for op in runner._get_ops_details()}  # the runtime's own op list
    assert "PADV2" not in ops and "MAX_POOL_2D" in ops
    assert max(_scales(runner)) < 10, "an activation range reached -inf again"
    assert lite.run(runner, calibration[:2]).shape == (2, 10)


def test_minus_inf_padding_was_the_cause(tmp_path):
    # The old CeilMaxPooling2D padded with -inf: int8 conversion then gives the padded
    # activations a scale of ~1e36, which XNNPACK refuses. Padding by repetition does not.
    inputs = keras.Input((7, 7, 2))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    padded = keras.layers.MaxPooling2D(3, 2)(
        keras.ops.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]], constant_values=float("-inf")))
    calibration = np.random.default_rng(0).uniform(0, 255, (16, 7, 7, 2)).astype("float32")
    for output, broken in ((padded, True), (CeilMaxPooling2D(3, 2)(x), False)):
        # XNNPACK rejects the conv that reads the absurdly scaled activations.
        y = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(3, 1)(output))
        model = keras.Model(inputs, keras.layers.Activation("softmax")(y))
        path = str(tmp_path / f"{broken}.tflite")
        export.tflite(model, path, quantize="int8", representative_data=calibration)
        if broken:
            with pytest.raises(RuntimeError, match="failed to prepare"):
                lite.interpreter(path)
        else:
            assert max(_scales(lite.interpreter(path))) < 10


def test_representative_images_from_arrays_and_datasets():
    images = np.arange(5 * 4 * 4 * 1, dtype="uint8").reshape(5, 4, 4, 1)
    labels = np.arange(5)
    batched = tf.data.Dataset.from_tensor_slices((images, labels)).batch(2)
    unbatched = tf.data.Dataset.from_tensor_slices(images)
    for data in (images, batched, unbatched):
        got = [sample[0] for sample in lite.representative_images(data, limit=4)]
        assert [g.shape for g in got] == [(1, 4, 4, 1)] * 4 and got[0].dtype == np.float32
        np.testing.assert_array_equal(np.concatenate(got), images[:4].astype("float32"))


def test_bad_modes_and_missing_calibration_are_refused(tmp_path):
    model = models.get("fashion_squeezenet", width=0.25)
    with pytest.raises(ValueError, match=r"Argument `quantize` must be one of .*Did you mean 'int8'\? "
                                         r"Received: quantize='int4'"):
        export.tflite(model, str(tmp_path / "m.tflite"), quantize="int4")
    with pytest.raises(ValueError, match=r"`representative_data` must be images .* Received: "
                                         r"representative_data=None"):
        export.tflite(model, str(tmp_path / "m.tflite"), quantize="int8")
    with pytest.raises(ValueError, match=r"`representative_data` must be images"):
        export.save(model, str(tmp_path / "sm"), tflite="int8")
    assert os.listdir(tmp_path) == []
