"""
Title: Your own images: a folder of class sub-folders
Description: The generic `image_classifier` recipe on a folder of images, one sub-folder
per class (or `train/` and `test/`, each with class sub-folders). Images are streamed
from disk, decoded and resized in parallel by tf.data; the class names come from the
folder names and travel into the export. Without a folder of your own, the script writes
a small one from Fashion-MNIST as PNG files.

Run it with `python recipes/image_classifier.py [path/to/images]`.
"""

"""
## Setup
"""

import os
import sys

import kerasrecipes as kr  # first: it turns on oneDNN's kernels before TensorFlow loads

import keras
import numpy as np
from PIL import Image

# KERASRECIPES_SMOKE=1 runs the whole script in seconds (a few hundred images, one
# epoch): the test suite does, so the script cannot rot.
SMOKE = os.environ.get("KERASRECIPES_SMOKE") == "1"
EPOCHS = 1 if SMOKE else 5
BATCH_SIZE = 64 if SMOKE else 128
TRAIN_SAMPLES = 256 if SMOKE else None  # None: every training image
PER_CLASS = 40 if SMOKE else 600  # images per class in the demo folder
MODEL = "fashion_vgg_small"  # any name from kr.models.names()
SEED = 1337
EXPORT_DIR = "saved_models"

keras.utils.set_random_seed(SEED)

"""
## The data: a folder of images

`train/<class>/*.png` and `test/<class>/*.png`. Bring your own as the first argument;
otherwise a demo folder is written from Fashion-MNIST.
"""


def write_demo_folder(root, per_class):
    (x_train, y_train), (x_test, y_test) = kr.data.load("fashion_mnist")
    names = [n.replace("/", "-") for n in kr.data.class_names("fashion_mnist")]
    for split, x, y, count in (("train", x_train, y_train, per_class),
                               ("test", x_test, y_test, per_class // 4)):
        for label, name in enumerate(names):
            folder = os.path.join(root, split, name)
            os.makedirs(folder, exist_ok=True)
            for i, index in enumerate(np.flatnonzero(y == label)[:count]):
                Image.fromarray(x[index, ..., 0]).save(os.path.join(folder, f"{i}.png"))
    return root


data_dir = sys.argv[1] if len(sys.argv) > 1 else write_demo_folder("demo_images", PER_CLASS)

"""
## The recipe

Input shape, colour mode and classes come from the files; `validation_split` holds out a
seeded, stratified share of `train/` for validation.
"""

recipe = kr.recipes.get("image_classifier")(
    data=data_dir, model=MODEL, epochs=EPOCHS, batch_size=BATCH_SIZE, seed=SEED,
    train_samples=TRAIN_SAMPLES,
)
print("classes:", recipe.class_names)
print(recipe.config.to_json())

"""
## Train, evaluate, export
"""

history = recipe.fit()
if recipe.test_data is not None:
    print("test:", recipe.evaluate())
path = recipe.export(EXPORT_DIR)
print("SavedModel written to", path)
