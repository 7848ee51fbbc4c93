"""Deployment: versioned SavedModels with a model card, TFLite / LiteRT files, prediction.

- `save(model, "saved_models/NAME", class_names=...)`: a SavedModel in the TF Serving
  layout `saved_models/NAME/<version>/` with the `serving_default` (uint8 images) and
  `serve_bytes` (encoded PNG/JPEG) signatures and the model card `kerasrecipes.json`,
  published atomically (`versioning.py`).
- `tflite(model, "model.tflite", quantize=None|"dynamic"|"float16"|"int8",
  representative_data=...)`: a `.tflite` file for the LiteRT runtime (`lite.py`).
- `predict.predict_files(path, files)`: class names and probabilities from a SavedModel
  folder (latest version by default) or a `.tflite` file, with TensorFlow only.

Example:

>>> path = kr.export.save(recipe.model, "saved_models/fashion_mnist_vgg",
...                       class_names=recipe.class_names, tflite="int8",
...                       representative_data=recipe.train_data)
>>> kr.export.load_metadata(path)["test_accuracy"]
"""

from kerasrecipes.export.card import METADATA_FILE
from kerasrecipes.export.card import load_metadata
from kerasrecipes.export.lite import interpreter
from kerasrecipes.export.lite import run_tflite
from kerasrecipes.export.lite import tflite
from kerasrecipes.export.saved_model import save
from kerasrecipes.export.versioning import next_version
from kerasrecipes.export.versioning import versions
