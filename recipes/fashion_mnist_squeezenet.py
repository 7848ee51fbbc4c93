"""
Title: Fashion-MNIST with SqueezeNet 1.1
Description: SqueezeNet's Fire modules (1×1 squeeze, then 1×1 and 3×3 expand,
concatenated) with a small stride-1 stem for 28×28 inputs, batch norm before ReLU, a 1×1
conv classifier with global average pooling: a small model, as the seeds advise for
deployment. Exported as a SavedModel that takes raw uint8 images.

Run it with `python recipes/fashion_mnist_squeezenet.py`.
"""

"""
## Setup
"""

import os

import kerasrecipes as kr  # first: it turns on oneDNN's kernels before TensorFlow loads

import keras

# KERASRECIPES_SMOKE=1 runs the whole script in seconds (a few hundred images, one
# epoch): the test suite does, so the script cannot rot.
SMOKE = os.environ.get("KERASRECIPES_SMOKE") == "1"
EPOCHS = 1 if SMOKE else 4
BATCH_SIZE = 64 if SMOKE else 128
TRAIN_SAMPLES = 256 if SMOKE else None  # None: all 54,000 training images
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

recipe = kr.recipes.get("fashion_mnist_squeezenet")(
    epochs=EPOCHS, batch_size=BATCH_SIZE, seed=SEED, train_samples=TRAIN_SAMPLES
)
recipe.model.summary()
print(recipe.config.to_json())

"""
## Train and evaluate
"""

history = recipe.fit()
print("test:", recipe.evaluate())

"""
## Export for serving
"""

path = recipe.export(EXPORT_DIR)
print("SavedModel written to", path)
