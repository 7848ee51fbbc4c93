"""
Title: Fashion-MNIST with a small VGG-style net
Description: The default kerasrecipes recipe: 3×3 convs, batch norm before ReLU, ReLU
after 2×2 max pooling, SGD with Nesterov momentum from LR 0.1, reshuffled and augmented
every epoch, scored and exported with 10-view test-time augmentation (the image and its
mirror, each shifted a pixel four ways) as a SavedModel that takes raw uint8 images.

Run it with `python recipes/fashion_mnist_vgg.py`.
"""

"""
## Setup
"""

import os
import time

import kerasrecipes as kr  # first: it turns on oneDNN's kernels before TensorFlow loads

import keras

# KERASRECIPES_SMOKE=1 runs the whole script in seconds (a few hundred images, one
# epoch): the test suite does, so the script cannot rot. Otherwise the recipe's own
# defaults (13 epochs, batch 128, all 54,000 training images) are used: they live in
# its registration.
SMOKE = os.environ.get("KERASRECIPES_SMOKE") == "1"
SMOKE_SETTINGS = dict(epochs=1, batch_size=64, train_samples=256) if SMOKE else {}
SEED = 1337
EXPORT_DIR = "saved_models"

keras.utils.set_random_seed(SEED)

"""
## The data

Images stay uint8 until the pipeline; the model scales them to [-1, 1] itself, so the
exported model takes raw pixels. The recipe holds out 10% of the training set for
validation; the test set is only used at the end.
"""

(x_train, y_train), (x_test, y_test) = kr.data.load("fashion_mnist")
print("train:", x_train.shape, "test:", x_test.shape)
print("classes:", kr.data.class_names("fashion_mnist"))

"""
## The recipe

One call assembles the model, the pipelines (shuffle every epoch → map → batch →
prefetch) and the callbacks. Every argument overrides a config key.
"""

recipe = kr.recipes.get("fashion_mnist_vgg")(seed=SEED, **SMOKE_SETTINGS)
recipe.model.summary()
print(recipe.config.to_json())

"""
## Train and evaluate
"""

start = time.perf_counter()
history = recipe.fit()
print(f"trained in {time.perf_counter() - start:.1f} s")
print("test:", recipe.evaluate())

"""
## Export for serving
"""

path = recipe.export(EXPORT_DIR)
print("SavedModel written to", path)
