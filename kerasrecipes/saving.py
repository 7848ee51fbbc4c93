"""The library's one way to load a saved Keras model: safe mode always, `.h5` only on trust.

A `.keras` archive is a zip holding `config.json`, and deserialising a config can run
code: a `Lambda` layer carries marshalled Python bytecode, and a config may name any
importable function (`os.system`, or Keras' own `load_model` called again with
`safe_mode=False`, the bypasses of CVE-2025-1550, CVE-2025-8747 and CVE-2025-9906).
`load_model` therefore

- reads `config.json` itself first and refuses, before Keras sees it, any `Lambda` or
  `TFSMLayer` and any function whose module is not Keras' activations, losses or
  metrics or a registered kerasrecipes object;
- then loads with `safe_mode=True` (which also wins over a process-wide
  `keras.config.enable_unsafe_deserialization()`), finding kerasrecipes' objects by
  their registered names, without `custom_objects`;
- refuses legacy HDF5 files (`.h5`, `.hdf5`), whose loader ignores `safe_mode`
  (CVE-2025-9905), unless the caller passes `trust_h5=True` for a file it made itself.

Keras 3.13.2 is the floor in `setup.cfg`: the first release with all those fixes (and
the TFSMLayer one, CVE-2026-1462).
"""

import json
import os
import zipfile

import keras

from kerasrecipes._keras_compat import KERAS_FUNCTION_MODULES

# Modules whose functions a config may name: Keras' stateless maths.
SAFE_FUNCTION_MODULES = KERAS_FUNCTION_MODULES
UNSAFE_LAYERS = ("Lambda", "TFSMLayer")
_H5 = (".h5", ".hdf5")


def _unsafe_entries(node, found):
    if isinstance(node, dict):
        name = node.get("class_name")
        if name in UNSAFE_LAYERS:
            found.append(f"a {name} layer")
        elif name in ("function", "__lambda__", "__bytes__"):
            module = str(node.get("module") or "")
            registered = str(node.get("registered_name") or "")
            allowed = module.startswith(SAFE_FUNCTION_MODULES) or (
                registered.startswith("kerasrecipes>") and module.startswith("kerasrecipes"))
            if not allowed:
                found.append(f"the function {module or '?'}.{node.get('config')}")
        for value in node.values():
            _unsafe_entries(value, found)
    elif isinstance(node, list):
        for value in node:
            _unsafe_entries(value, found)
    return found


def check_archive(path):
    """Raises a `ValueError` when the `.keras` archive at `path` names code to run.

    Args:
        path: str, a `.keras` file.

    Raises:
        ValueError: the archive is not a zip with a JSON `config.json`, or its config
            holds a `Lambda`/`TFSMLayer` layer or names a function outside
            `SAFE_FUNCTION_MODULES` and kerasrecipes' registered objects.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(
            f"Argument `path` must be a .keras archive (a zip with a JSON config.json). "
            f"Received: path={path!r} ({error})"
        ) from None
    unsafe = _unsafe_entries(config, [])
    if unsafe:
        raise ValueError(
            f"Argument `path` must be a model without code in its config; refusing to load "
            f"{path!r}, which holds {', '.join(sorted(set(unsafe)))}. Received: path={path!r}"
        )


def load_model(path, trust_h5=False, compile=True):
    """Loads a `.keras` model safely (see the module docstring).

    Args:
        path: str or path-like, a `.keras` file (or `.h5`/`.hdf5` with `trust_h5`).
        trust_h5: bool, load a legacy HDF5 file, whose loader runs any code it
            holds. Only for files you made yourself. Defaults to False.
        compile: bool, passed to `keras.saving.load_model`.

    Returns:
        The `keras.Model`.

    Raises:
        ValueError: the file is missing, of another kind, HDF5 without `trust_h5`,
            or holds code.

    Example:

    >>> model = load_model("runs/fm/model.keras")
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"Argument `path` must be a file path. Received: path={path!r}")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"Argument `path` must be an existing .keras file. Received: path={path!r}")
    suffix = os.path.splitext(path)[1].lower()
    if suffix in _H5:
        if not trust_h5:
            raise ValueError(
                "Argument `path` must be a .keras file: a legacy HDF5 model runs any code it "
                "holds whatever `safe_mode` says (CVE-2025-9905). Pass trust_h5=True (CLI: "
                f"--trust-h5) only for a file you made yourself. Received: path={path!r}"
            )
        return keras.saving.load_model(path, compile=compile, safe_mode=True)
    if suffix != ".keras":
        raise ValueError(
            f"Argument `path` must end in .keras (or .h5 with trust_h5=True). Received: path={path!r}"
        )
    check_archive(path)
    import kerasrecipes  # noqa: F401  (registers the custom objects by name)

    return keras.saving.load_model(path, compile=compile, safe_mode=True)


class ServingModel:
    """An exported SavedModel's `serving_default`, with its input checked first.

    TensorFlow's signature reports a wrong dtype as an `InvalidArgumentError` naming a
    generated function, and a wrong image size only deep inside the graph (a reshape
    that fails); this wrapper checks against the export's metadata and raises a
    `TypeError`/`ValueError` that names the argument, what is allowed and what came.

    Args:
        path: str, a version folder written by `kerasrecipes.export.save`.

    Example:

    >>> serve = ServingModel("saved_models/fashion_mnist_vgg/1")
    >>> serve(np.zeros((2, 28, 28, 1), np.uint8))["class_id"]
    """

    def __init__(self, path):
        import tensorflow as tf

        from kerasrecipes import export

        metadata = export.load_metadata(path)
        self.dtype = metadata["input"]["dtype"]
        self.shape = tuple(metadata["input"]["shape"])
        self.signature = tf.saved_model.load(path).signatures["serving_default"]

    def __call__(self, images):
        """Returns the signature's outputs (`probabilities`, `class_id`) for `images`."""
        dtype = getattr(images, "dtype", None)
        if dtype is None or getattr(dtype, "name", str(dtype)) != self.dtype:
            raise TypeError(
                f"Argument `images` must be a {self.dtype} array of shape "
                f"{_shape_text(self.shape)} (raw pixels). Received: images.dtype={dtype}"
            )
        shape = tuple(images.shape)
        if len(shape) != len(self.shape) or any(
                want is not None and got != want for got, want in zip(shape, self.shape)):
            raise ValueError(
                f"Argument `images` must have shape {_shape_text(self.shape)}. "
                f"Received: images.shape={shape}"
            )
        return self.signature(images=images)


def _shape_text(shape):
    return "(" + ", ".join("N" if d is None else str(d) for d in shape) + ")"
