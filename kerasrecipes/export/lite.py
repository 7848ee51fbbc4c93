"""TFLite / LiteRT conversion of an image classifier, and running the result.

Every `.tflite` takes raw pixels (0..255) and returns class probabilities, like the
SavedModel: the model's own preprocessing is inside. Float models take float32 input; the
full-integer int8 model takes `uint8` pixels and returns `uint8` probabilities, each with
its quantization parameters (`run` applies them, so callers see float probabilities).

Quantization modes (`quantize=`):

| mode | weights | activations | needs |
| --- | --- | --- | --- |
| None | float32 | float32 | — |
| `"dynamic"` | int8 | float32 (int8 matmuls at run time) | — |
| `"float16"` | float16 | float32 | — |
| `"int8"` | int8 | int8, uint8 input/output | `representative_data` |
"""

import os

import numpy as np
import tensorflow as tf

from kerasrecipes._names import unknown_name_error
from kerasrecipes.training import precision

MODES = (None, "dynamic", "float16", "int8")
# Images the int8 converter calibrates its activation ranges on.
REPRESENTATIVE_SAMPLES = 200


def file_name(quantize):
    """Returns the file name an export uses for a mode: `model.tflite`, `model_int8.tflite`…"""
    return "model.tflite" if quantize is None else f"model_{quantize}.tflite"


def check_mode(quantize):
    """Returns `quantize`, or raises the Keras-style error for an unknown mode."""
    if quantize not in MODES:
        raise unknown_name_error("quantize", quantize, [m for m in MODES if m] + ["None"])
    return quantize


def representative_images(data, limit=REPRESENTATIVE_SAMPLES):
    """Yields up to `limit` single images `[1, H, W, C]` float32 from arrays or a dataset.

    Args:
        data: an array `(N, H, W, C)`, or a `tf.data.Dataset` of images or of
            `(images, labels)`, batched or not (e.g. a recipe's `train_data`).
        limit: int, how many images at most.
    """
    if isinstance(data, tf.data.Dataset):
        batches = (element[0] if isinstance(element, (tuple, list)) else element
                   for element in data.as_numpy_iterator())
    else:
        batches = iter([np.asarray(data)])
    count = 0
    for batch in batches:
        batch = np.asarray(batch, dtype="float32")
        if batch.ndim == 3:
            batch = batch[None]
        for image in batch:
            if count >= limit:
                return
            yield [image[None]]
            count += 1


def convert(model, quantize=None, representative_data=None):
    """Converts `model` (raw-pixel images in, probabilities out) to TFLite bytes.

    Args:
        model: a built `keras.Model` with input `(None, H, W, C)`.
        quantize: None, `"dynamic"`, `"float16"` or `"int8"` (see the module table).
        representative_data: images for the `"int8"` calibration: an array or a
            `tf.data.Dataset` drawn from the training pipeline (`REPRESENTATIVE_SAMPLES`
            images are used).

    Returns:
        The flatbuffer as `bytes`.

    Raises:
        ValueError: unknown `quantize`, or `"int8"` without `representative_data`.
    """
    check_mode(quantize)
    if quantize == "int8" and representative_data is None:
        raise ValueError(
            "Argument `representative_data` must be images (an array or a tf.data.Dataset, "
            "e.g. a recipe's train_data) when quantize='int8': full-integer quantization "
            "calibrates every activation's range on them. Received: representative_data=None"
        )
    # TFLite has no bfloat16 kernels: a model trained under precision="auto" on an AMX
    # CPU (mixed_bfloat16) converts as its float32 copy, the modes' "float32" activations.
    model = precision.float32_copy(model)
    input_shape = tuple(model.inputs[0].shape)

    @tf.function(input_signature=[tf.TensorSpec((None, *input_shape[1:]), tf.float32,
                                                name="images")])
    def infer(images):
        return {"probabilities": tf.cast(model(images, training=False), tf.float32)}

    # The converter freezes the variables it finds on the trackable object; a Keras 3
    # model does not list them where it looks (int8 calibration then fails on
    # READ_VARIABLE), so hand it a plain tf.Module holding them, as the SavedModel does.
    holder = tf.Module()
    holder.model_variables = [getattr(v, "value", v) for v in model.variables]
    holder.infer = infer
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [infer.get_concrete_function()], holder)
    if quantize is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if quantize == "int8":
        converter.representative_dataset = lambda: representative_images(representative_data)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.uint8
        converter.inference_output_type = tf.uint8
    return converter.convert()


def tflite(model, path, quantize=None, representative_data=None):
    """Writes `model` as a `.tflite` file (atomically: a temporary name, then a rename).

    Args:
        model: a built `keras.Model`, raw-pixel images in, probabilities out.
        path: str, the `.tflite` file to write.
        quantize: None, `"dynamic"`, `"float16"` or `"int8"`.
        representative_data: calibration images for `"int8"` (array or dataset).

    Returns:
        `path`.

    Example:

    >>> kr.export.tflite(recipe.model, "fashion_int8.tflite", quantize="int8",
    ...                  representative_data=recipe.train_data)
    >>> kr.export.run_tflite("fashion_int8.tflite", x_test[:8]).argmax(-1)
    """
    if os.path.isdir(path):
        raise ValueError(f"Argument `path` must be a file name, not a folder. Received: path={path!r}")
    content = convert(model, quantize, representative_data)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as handle:
        handle.write(content)
    os.replace(tmp, path)
    return path


def interpreter(path, num_threads=None):
    """Returns an allocated interpreter for a `.tflite` file, with the default delegates.

    Uses the standalone LiteRT runtime (`ai_edge_litert`, what phones and edge devices
    run, XNNPACK on by default) and falls back to `tf.lite.Interpreter` without it.
    """
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        Interpreter = tf.lite.Interpreter
    runner = Interpreter(model_path=path, num_threads=num_threads)
    runner.allocate_tensors()
    return runner


def run(runner, images, batch_size=1):
    """Returns float32 probabilities of a `.tflite` model for raw-pixel `images`.

    Args:
        runner: an interpreter from `interpreter()`, or a `.tflite` path.
        images: array `(N, H, W, C)` of raw pixels (uint8 or float in 0..255).
        batch_size: int, images per invocation.
    """
    if isinstance(runner, str):
        runner = interpreter(runner)
    source, target = runner.get_input_details()[0], runner.get_output_details()[0]
    images = np.asarray(images)
    outputs = []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size].astype("float32")
        if tuple(runner.get_input_details()[0]["shape"]) != batch.shape:
            runner.resize_tensor_input(source["index"], batch.shape)
            runner.allocate_tensors()
        scale, zero = source["quantization"]
        if np.issubdtype(source["dtype"], np.integer):
            info = np.iinfo(source["dtype"])
            batch = np.clip(np.round(batch / scale + zero), info.min, info.max)
        runner.set_tensor(source["index"], batch.astype(source["dtype"]))
        runner.invoke()
        out = runner.get_tensor(target["index"])
        scale, zero = target["quantization"]
        if np.issubdtype(out.dtype, np.integer):
            out = (out.astype("float32") - zero) * scale
        outputs.append(out.astype("float32"))
    return np.concatenate(outputs) if outputs else np.zeros((0,), "float32")


def run_tflite(path, images, batch_size=32):
    """Returns float32 probabilities of the `.tflite` file at `path` for raw-pixel `images`."""
    return run(interpreter(path), images, batch_size=batch_size)
