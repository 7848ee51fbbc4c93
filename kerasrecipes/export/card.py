"""The model card written beside every export (`<version>/kerasrecipes.json`).

It says what the folder holds and how it was made: the recipe and its full config, the
precision policy the model actually computed in, class names, input spec, signatures,
test metrics when given (and the recipe's test-time augmentation), the test-time
augmentation the signatures serve, parameter count, size on disk, library versions, the
source commit and the date. It is plain JSON, readable without kerasrecipes.
"""

import datetime
import json
import os
import platform
import subprocess

METADATA_FILE = "kerasrecipes.json"
CARD_FORMAT = 3  # 3: `served_tta`


def folder_size(path, exclude=(METADATA_FILE,)):
    """Returns the bytes of every file under `path`, except the names in `exclude`."""
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files if f not in exclude)
    return total


def source_commit():
    """Returns the git commit of the kerasrecipes source, or None outside a git checkout."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(["git", "-C", here, "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def library_versions():
    """Returns the versions of kerasrecipes, TensorFlow, Keras and Python."""
    import keras
    import tensorflow as tf

    import kerasrecipes

    return {"kerasrecipes": kerasrecipes.__version__, "tensorflow": tf.__version__,
            "keras": keras.__version__, "python": platform.python_version()}


def make_card(model, *, name, version, input_shape, class_names, signatures, config=None,
              metrics=None, size_bytes=None, tflite=None, served_tta=None):
    """Returns the model card of an export as a JSON-ready dict.

    Args:
        model: the exported `keras.Model`.
        name: str, the model's folder name.
        version: int, the version published.
        input_shape: tuple `(None, H, W, C)`.
        class_names: list of str (generic names when none were given).
        signatures: dict, signature name -> `{"inputs": {...}, "outputs": {...}}`.
        config: optional dict, the recipe config (its `name` is the recipe).
        metrics: optional dict of test-set metrics, e.g. `{"accuracy": 0.93}`.
        size_bytes: optional int, the SavedModel's size on disk.
        tflite: optional dict, file name -> `{"quantize": ..., "bytes": ...}`.
        served_tta: optional str, the test-time augmentation mode the signatures
            average over; None: one forward pass per image.

    Returns:
        A dict; `input`, `outputs`, `class_names` and `config` keep the keys of the
        first export format.
    """
    policy = getattr(model, "dtype_policy", None)
    metrics = {k: float(v) for k, v in (metrics or {}).items()}
    return {
        "format": CARD_FORMAT,
        "name": name,
        "version": version,
        "recipe": (config or {}).get("name"),
        "config": config,
        "precision": getattr(policy, "name", None),
        "class_names": list(class_names),
        "input": {"name": "images", "dtype": "uint8", "shape": [None, *input_shape[1:]]},
        "outputs": list(signatures["serving_default"]["outputs"]),
        "signatures": signatures,
        "test_accuracy": metrics.get("accuracy"),
        "test_metrics": metrics or None,
        # The recipe's `tta`, the views its `evaluate()` averaged over for `test_metrics`
        # unless told otherwise; `served_tta`, the views the export's signatures average
        # over (the same when exported by `Recipe.export()`).
        "test_tta": (config or {}).get("tta") if metrics else None,
        "served_tta": served_tta,
        "parameters": int(model.count_params()),
        "size_bytes": size_bytes,
        "tflite": tflite or {},
        "versions": library_versions(),
        "git_commit": source_commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def write_card(card, folder):
    """Writes `card` as `folder/kerasrecipes.json` (a temporary name, then a rename)."""
    path = os.path.join(folder, METADATA_FILE)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as handle:
        json.dump(card, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)
    return path


def load_metadata(path):
    """Returns the model card (a dict) saved beside an export in folder `path`."""
    with open(os.path.join(path, METADATA_FILE)) as handle:
        return json.load(handle)
