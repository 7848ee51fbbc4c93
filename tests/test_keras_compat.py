"""Each private Keras touchpoint in kerasrecipes/_keras_compat.py still exists and still
means what the library relies on; a failure names the touchpoint to update."""

import inspect
import re

import keras
import numpy as np
import pytest

from kerasrecipes import _keras_compat as compat


def fence(touchpoint, ok, detail):
    assert ok, (f"Keras {keras.__version__} changed the private API behind "
                f"kerasrecipes/_keras_compat.py::{touchpoint}: {detail}")


def test_base_image_preprocessing_layer_reads_use_base_factor():
    base = compat.BaseImagePreprocessingLayer
    fence("BaseImagePreprocessingLayer", issubclass(base, keras.layers.Layer),
          "the class is gone or no longer a Layer")
    fence("without_base_factor", "_USE_BASE_FACTOR" in inspect.getsource(base.__init__),
          "BaseImagePreprocessingLayer.__init__ no longer reads _USE_BASE_FACTOR")
    for method in ("get_random_transformation", "transform_images"):
        fence("BaseImagePreprocessingLayer", hasattr(base, method), f"no {method}()")


def test_layer_seed_generator_and_flatten_layers():
    from kerasrecipes.layers.augmentation import augmentation_policy

    policy = augmentation_policy("strong", seed=1)
    layers = compat.flatten_layers(policy)
    fence("flatten_layers", policy in layers and len(layers) > 1,
          "Layer._flatten_layers(include_self=True, recursive=True) no longer lists sub-layers")
    flip = keras.layers.RandomFlip(seed=3)
    fence("SEED_GENERATOR_METHOD", callable(getattr(flip, compat.SEED_GENERATOR_METHOD, None)),
          "image preprocessing layers have no _get_seed_generator")
    generator = compat.layer_seed_generator(flip)
    fence("layer_seed_generator", isinstance(generator, keras.random.SeedGenerator),
          f"_get_seed_generator(backend._backend) returned {generator!r}")


def test_seed_generator_fields():
    init = inspect.getsource(keras.random.SeedGenerator.__init__)
    for field in ("self.name", "self.backend", "self._initial_seed"):
        fence("init_seed_generator_fields", field in init, f"SeedGenerator.__init__ sets no {field}")
    fence("init_seed_generator_fields",
          list(inspect.signature(keras.random.SeedGenerator.next).parameters) == ["self", "ordered"],
          "SeedGenerator.next(ordered=...) changed its signature")


def test_optimizer_schedule():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    fence("optimizer_schedule", compat.optimizer_schedule(keras.optimizers.SGD(schedule)) is schedule,
          "optimizer._learning_rate no longer holds the schedule")
    assert compat.optimizer_schedule(keras.optimizers.SGD(0.1)) is None


def test_seed_state_variables_are_those_save_weights_leaves_out(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.5), keras.layers.Dense(2)])
    states = compat.seed_state_variables(model)
    fence("seed_state_variables", len(states) == 1,
          f"no variable path with {compat.SEED_STATE_MARK!r}: {[v.path for v in model.variables]}")
    path = str(tmp_path / "m.weights.h5")
    before = np.array(states[0].numpy())
    model.save_weights(path)
    states[0].assign(before + 5)
    model.load_weights(path)
    fence("seed_state_variables", np.array_equal(states[0].numpy(), before + 5),
          "save_weights now stores seed generator state: training/resume.py backs it up twice")


def test_no_private_keras_use_outside_the_fence():
    import os

    import kerasrecipes

    root = os.path.dirname(kerasrecipes.__file__)
    private = re.compile(r"keras\.src\.|\._(USE_BASE_FACTOR|get_seed_generator|flatten_layers|"
                         r"learning_rate|initial_seed|backend)\b")
    offenders = []
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith(".py") and name != "_keras_compat.py":
                for number, line in enumerate(open(path), 1):
                    code = line.split("#")[0]
                    if private.search(code.replace('"keras.src.', "")):
                        offenders.append(f"{os.path.relpath(path, root)}:{number}: {line.strip()}")
    assert not offenders, "private Keras API outside _keras_compat.py:\n" + "\n".join(offenders)
