"""Class names and probabilities for image files, from an export, with TensorFlow only.

The model is loaded as what a deployment would load: a SavedModel through
`tf.saved_model.load` (its `serve_bytes` signature decodes and resizes the files in the
graph), or a `.tflite` file through the LiteRT interpreter. No Keras model is rebuilt.
"""

import os

import numpy as np
import tensorflow as tf

from kerasrecipes.export import card as card_lib
from kerasrecipes.export import lite
from kerasrecipes.export import versioning


def resolve(path):
    """Returns `("saved_model" | "tflite", path)` for an export path.

    Args:
        path: a version folder (`saved_models/NAME/3`), a model folder
            (`saved_models/NAME`: its latest version is used) or a `.tflite` file.

    Raises:
        ValueError: `path` is none of those.
    """
    if os.path.isfile(path) and path.endswith(".tflite"):
        return "tflite", path
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        return "saved_model", path
    published = [v for v in versioning.versions(path)
                 if os.path.isfile(os.path.join(path, str(v), "saved_model.pb"))]
    if published:
        return "saved_model", os.path.join(path, str(published[-1]))
    raise ValueError(
        "Argument `model` must be a SavedModel version folder, a model folder with numbered "
        f"versions (the latest is used) or a .tflite file. Received: model={path!r}"
    )


def _class_names(folder, classes):
    try:
        names = card_lib.load_metadata(folder).get("class_names")
    except (OSError, ValueError):
        names = None
    return names if names and len(names) == classes else [str(i) for i in range(classes)]


def _read(files):
    contents = []
    for name in files:
        if not os.path.isfile(name):
            raise FileNotFoundError(f"Argument `images` must be existing image files. Received: {name!r}")
        with open(name, "rb") as handle:
            contents.append(handle.read())
    return contents


def _decode(name, content, height, width, channels):
    try:
        image = tf.io.decode_image(content, channels=channels, expand_animations=False)
    except (tf.errors.InvalidArgumentError, ValueError):
        raise ValueError(
            "Argument `images` must be PNG, JPEG, GIF or BMP files. "
            f"Received: {name!r}, which could not be decoded"
        ) from None
    if tuple(image.shape[:2]) != (height, width):
        image = tf.image.resize(tf.cast(image, tf.float32), (height, width), antialias=True)
    return np.clip(image.numpy().astype("float32"), 0, 255)


def probabilities(path, files):
    """Returns `(probabilities [N, classes] float32, class_names, resolved path)`.

    Args:
        path: an export path, as for `resolve`.
        files: list of image file paths (PNG, JPEG, GIF, BMP).
    """
    kind, resolved = resolve(path)
    contents = _read(files)
    if kind == "tflite":
        runner = lite.interpreter(resolved)
        _, height, width, channels = runner.get_input_details()[0]["shape"]
        images = np.stack([_decode(f, c, height, width, channels) for f, c in zip(files, contents)])
        probs = lite.run(runner, images)
        return probs, _class_names(os.path.dirname(resolved), probs.shape[-1]), resolved
    loaded = tf.saved_model.load(resolved)
    if "serve_bytes" in loaded.signatures:
        try:
            out = loaded.signatures["serve_bytes"](image_bytes=tf.constant(contents))
        except tf.errors.InvalidArgumentError:
            spec = loaded.signatures["serving_default"].structured_input_signature[1]["images"]
            for name, content in zip(files, contents):  # name the file that broke the batch
                _decode(name, content, *spec.shape[1:])
            raise
    else:  # an export from before serve_bytes
        spec = loaded.signatures["serving_default"].structured_input_signature[1]["images"]
        images = np.stack([_decode(f, c, *spec.shape[1:]) for f, c in zip(files, contents)])
        out = loaded.signatures["serving_default"](images=tf.constant(np.round(images).astype("uint8")))
    probs = out["probabilities"].numpy()
    return probs, _class_names(resolved, probs.shape[-1]), resolved


def predict_files(path, files, top=3):
    """Returns one dict per file: `file`, `class_name`, `probability` and the `top` classes.

    Example:

    >>> predict_files("saved_models/fashion_mnist_vgg", ["shoe.png"])[0]["class_name"]
    'Sneaker'
    """
    probs, names, _ = probabilities(path, files)
    results = []
    for name, row in zip(files, probs):
        order = np.argsort(-row)[:top]
        results.append({
            "file": name,
            "class_name": names[order[0]],
            "probability": float(row[order[0]]),
            "top": [[names[i], float(row[i])] for i in order],
        })
    return results
