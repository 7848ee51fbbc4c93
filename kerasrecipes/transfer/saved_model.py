"""A SavedModel exported by `kerasrecipes.export.save`, as a frozen base (TensorFlow only).

The export keeps weights and one traced function, `serve` (uint8 images in, class
probabilities out), and no Keras architecture: its layers cannot be unfrozen and no
layer below the probabilities can be read. So it serves as a frozen feature extractor
whose "top-layer features" are the base's class probabilities, for `"linear_top"`.
For the other strategies, fine-tune from the `.keras` file or the `keras.Model`.
The fine-tuned model exports again as a SavedModel; it does not save as a `.keras`
file that loads in safe mode (Keras refuses to load a `TFSMLayer` there).
"""

import json
import os

import keras

from kerasrecipes import export


def saved_model_features(path):
    """Returns a `keras.Model`: raw images in, the export's class probabilities out (frozen).

    Args:
        path: str, a version folder written by `kerasrecipes.export.save`.

    Raises:
        ValueError: the folder lacks the export's `kerasrecipes.json` metadata.
    """
    try:
        metadata = export.load_metadata(path)
        shape = tuple(metadata["input"]["shape"][1:])
    except (OSError, KeyError, TypeError, json.JSONDecodeError):
        raise ValueError(
            "Argument `base` must be a SavedModel version folder written by "
            f"kerasrecipes.export.save (with {export.METADATA_FILE}). Received: base={path!r}"
        ) from None
    images = keras.Input(shape, dtype="uint8", name="images")
    outputs = keras.layers.TFSMLayer(os.path.abspath(path), call_endpoint="serving_default",
                                     trainable=False, name="saved_model")(images)
    return keras.Model(images, outputs["probabilities"], name="saved_model_base")
