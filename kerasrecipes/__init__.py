"""kerasrecipes: the practitioner's deep-learning training tips as Keras 3 parts and recipes.

Example:

>>> import kerasrecipes as kr
>>> (x_train, y_train), (x_test, y_test) = kr.data.load("fashion_mnist")
>>> recipe = kr.recipes.get("fashion_mnist_vgg")(epochs=2, batch_size=256)
>>> history = recipe.fit()
>>> path = kr.export.save(recipe.model, "saved_models/fashion_mnist_vgg")

Parts, layers and models use `keras.ops` only and import no TensorFlow; the TensorFlow
modules (`data`, `export`, `recipes`, `cli`) load on first use. Imported before
TensorFlow, it turns on TensorFlow's oneDNN kernels unless `TF_ENABLE_ONEDNN_OPTS` is set
(`kerasrecipes/_onednn.py` says why and what it measured).
"""

import importlib

from kerasrecipes import _onednn

_onednn.enable_onednn_kernels()  # before Keras imports TensorFlow, which reads it once

from kerasrecipes import activations  # noqa: E402
from kerasrecipes import constraints  # noqa: E402
from kerasrecipes import initializers  # noqa: E402
from kerasrecipes import layers  # noqa: E402
from kerasrecipes import models  # noqa: E402
from kerasrecipes import regularizers  # noqa: E402

__version__ = "0.1.0"

_LAZY = ("data", "export", "recipes", "training", "plots", "saving", "cli", "transfer",
         "ensembles")


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"kerasrecipes.{name}")
    raise AttributeError(f"module 'kerasrecipes' has no attribute {name!r}")
