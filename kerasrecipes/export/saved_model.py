"""SavedModel export into versioned folders (`<base>/<version>/`, TF Serving layout).

Two signatures, both returning `probabilities` (float32 `[N, classes]`), `class_id`
(int64 `[N]`) and `class_name` (string `[N]`):

- `serving_default`: `images`, raw `uint8` pixels `[N, H, W, C]`, any batch size;
- `serve_bytes`: `image_bytes`, a batch of encoded PNG/JPEG/GIF/BMP strings `[N]`,
  decoded, converted to the model's channels and resized to `H×W` in the graph (the
  `_bytes` suffix makes TF Serving's REST API accept them base64-encoded).

All preprocessing is inside the model, so deployment code never re-implements it, and
the SavedModel loads with TensorFlow alone. The model card (`kerasrecipes.json`) and any
`.tflite` files are written into the same folder before it is published atomically
(`versioning.py`).
"""

import os
import shutil

import tensorflow as tf

from kerasrecipes.export import card as card_lib
from kerasrecipes.export import lite
from kerasrecipes.export import versioning

# Channels `tf.io.decode_image` can convert any encoded image to.
DECODABLE_CHANNELS = (1, 3, 4)


def save(model, base_dir, config=None, class_names=None, version=None, *, overwrite=False,
         metrics=None, tflite=None, representative_data=None, tta=None):
    """Exports `model` as a SavedModel under `base_dir/<version>/`, with its model card.

    The version is written into a hidden staging folder beside the target and renamed
    into place, so a failed or killed export leaves no half-written version behind; the
    staging folders of killed exports are removed by the next export.

    Args:
        model: a built `keras.Model` whose input is images `(None, H, W, C)` in raw
            pixel range and whose output is class probabilities.
        base_dir: str, the model's folder, e.g. `"saved_models/fashion_mnist_vgg"`.
        config: optional dict, the recipe config, saved in the card.
        class_names: optional list of str, one per class; the signatures' `class_name`
            output. Defaults to `"0"`, `"1"`, ….
        version: optional int; defaults to the next free version (claimed atomically,
            so concurrent exports get different versions).
        overwrite: bool, replace an existing `version` (atomically on Linux).
        metrics: optional dict of test-set metrics (`{"accuracy": ...}`) for the card.
        tflite: optional quantize mode or list of modes (None for float32,
            `"dynamic"`, `"float16"`, `"int8"`): also write `model*.tflite` files into the
            version folder (see `kerasrecipes.export.lite`).
        representative_data: calibration images for an `"int8"` TFLite file.
        tta: optional test-time augmentation mode (`"flip"`, `"shift"`, `"flip_shift"`):
            the export serves `model`'s probabilities averaged over those views, one
            forward pass each (`kerasrecipes.training.tta.tta_model`), in the
            SavedModel and the TFLite files; the card records it as `served_tta`.
            None (the default): one forward pass per image.

    Returns:
        The path of the version folder, e.g. `"saved_models/fashion_mnist_vgg/1"`.

    Raises:
        ValueError: the model does not take 4-D image input, `base_dir` is a file,
            `class_names` does not match the model's classes, or `version` exists
            and `overwrite` is false.

    Example:

    >>> path = save(recipe.model, "saved_models/fashion_mnist_vgg",
    ...             class_names=recipe.class_names)
    >>> serve = tf.saved_model.load(path).signatures["serving_default"]
    >>> serve(images=tf.zeros([1, 28, 28, 1], tf.uint8))["class_name"]
    """
    input_shape = tuple(model.inputs[0].shape) if getattr(model, "inputs", None) else None
    if input_shape is None or len(input_shape) != 4:
        raise ValueError(
            "Argument `model` must take a batch of images (None, H, W, C). "
            f"Received: a model with input shape {input_shape}"
        )
    if tta is not None:
        from kerasrecipes.training.tta import tta_model  # Keras: only when asked for

        model = tta_model(model, tta)
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)
                                or version < 1):
        raise ValueError(f"Argument `version` must be an integer >= 1. Received: version={version!r}")
    versioning.check_base_dir(base_dir)
    class_names = _class_names(model, class_names)
    modes = _tflite_modes(tflite, representative_data)
    if version is not None and not overwrite and os.path.exists(os.path.join(base_dir, str(version))):
        raise versioning.existing_version_error(os.path.join(base_dir, str(version)))
    versioning.clean_leftovers(base_dir)
    staging = versioning.make_staging(base_dir, version or versioning.next_version(base_dir))
    try:
        signatures = _write_saved_model(model, staging, input_shape, class_names)
        size = card_lib.folder_size(staging)
        written = {}
        for mode in modes:
            name = lite.file_name(mode)
            lite.tflite(model, os.path.join(staging, name), mode, representative_data)
            written[name] = {"quantize": mode or "float32",
                             "bytes": os.path.getsize(os.path.join(staging, name))}
        card = card_lib.make_card(
            model, name=os.path.basename(os.path.normpath(base_dir)), version=version,
            input_shape=input_shape, class_names=class_names, signatures=signatures,
            config=config, metrics=metrics, size_bytes=size, tflite=written, served_tta=tta)
        card_lib.write_card(card, staging)
        target = versioning.publish(staging, base_dir, version, overwrite=overwrite)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if version is None:  # the version is known only once claimed
        card["version"] = int(os.path.basename(target))
        card_lib.write_card(card, target)
    return target


def _class_names(model, class_names):
    classes = model.outputs[0].shape[-1]
    if class_names is None:
        return [str(i) for i in range(classes)]
    class_names = [str(c) for c in class_names]
    if classes is not None and len(class_names) != classes:
        raise ValueError(
            f"Argument `class_names` must name each of the model's {classes} classes. "
            f"Received: {len(class_names)} names, class_names={class_names[:12]!r}"
        )
    return class_names


def _tflite_modes(tflite, representative_data):
    if tflite is None or tflite == []:
        return []
    modes = list(tflite) if isinstance(tflite, (list, tuple)) else [tflite]
    modes = [None if m in ("float32", "none", "None") else m for m in modes]
    for mode in modes:
        lite.check_mode(mode)
    if "int8" in modes and representative_data is None:
        raise ValueError(
            "Argument `representative_data` must be images (an array or a tf.data.Dataset) "
            "when tflite includes 'int8'. Received: representative_data=None"
        )
    return modes


def _spec(tensor_spec):
    return {"dtype": tensor_spec.dtype.name,
            "shape": [-1 if d is None else d for d in tensor_spec.shape.as_list()]}


def _write_saved_model(model, path, input_shape, class_names):
    """Writes the SavedModel; returns its signatures' input and output specs."""
    # A plain tf.Module rather than keras.export.ExportArchive: ExportArchive tracks
    # every variable twice (`variables` and `_all_variables`), doubling the export
    # (14 MB instead of 7 MB for the default recipe).
    module = tf.Module()
    module.model_variables = [getattr(v, "value", v) for v in model.variables]
    names = tf.constant(class_names, tf.string)
    height, width, channels = input_shape[1:]

    # One traced model call that both signatures share: the graph is stored once.
    @tf.function(input_signature=[tf.TensorSpec((None, height, width, channels), tf.float32)])
    def infer(pixels):
        return tf.cast(model(pixels, training=False), tf.float32)

    def outputs(pixels):
        probabilities = infer(pixels)
        class_id = tf.argmax(probabilities, axis=-1)
        return {"probabilities": probabilities, "class_id": class_id,
                "class_name": tf.gather(names, class_id)}

    @tf.function(input_signature=[tf.TensorSpec((None, height, width, channels), tf.uint8,
                                                name="images")])
    def serve(images):
        return outputs(tf.cast(images, tf.float32))

    def decode(encoded):
        image = tf.io.decode_image(encoded, channels=channels, expand_animations=False)
        image = tf.cast(image, tf.float32)
        same = tf.logical_and(tf.shape(image)[0] == height, tf.shape(image)[1] == width)
        image = tf.cond(same, lambda: image,
                        lambda: tf.image.resize(image, (height, width), antialias=True))
        return tf.ensure_shape(image, (height, width, channels))

    @tf.function(input_signature=[tf.TensorSpec((None,), tf.string, name="image_bytes")])
    def serve_bytes(image_bytes):
        pixels = tf.map_fn(decode, image_bytes,
                           fn_output_signature=tf.TensorSpec((height, width, channels), tf.float32))
        return outputs(tf.clip_by_value(pixels, 0.0, 255.0))

    # Signatures only, not also module attributes: each would be traced and stored again.
    functions = {"serving_default": serve}
    if channels in DECODABLE_CHANNELS:
        functions["serve_bytes"] = serve_bytes
    tf.saved_model.save(module, path, signatures=functions)
    specs = {}
    for name, function in functions.items():
        concrete = function.get_concrete_function()
        specs[name] = {
            "inputs": {s.name: _spec(s) for s in concrete.structured_input_signature[0]},
            "outputs": {k: _spec(s) for k, s in concrete.structured_outputs.items()},
        }
    return specs
