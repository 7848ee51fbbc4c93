"""Every touchpoint of kerasrecipes on private Keras APIs, fenced in one place.

Keras moves its private modules between minor releases. The library touches them only
through the names below; `tests/test_keras_compat.py` checks each one against the
installed Keras and fails with the touchpoint's name when one disappears.

Checked on Keras 3.15.1 (the version of the development environment), which is also the
floor in `setup.cfg`: `scripts/check_min_versions.sh` on Keras 3.13.2 (the first release
with the 2025-26 safe-mode fixes) failed three tests, RandAugment on one-channel images
among them, so the floor was raised to the release the suite passes on.

Touchpoints and what each relies on:

- `BaseImagePreprocessingLayer` (`keras.src.layers.preprocessing.image_preprocessing.
  base_image_preprocessing_layer`, not exported): our augmentation layers subclass it
  so they run in tf.data under any backend and draw their randomness in
  `get_random_transformation(images, training, seed)`.
- `without_base_factor(cls)`: sets the class attribute `_USE_BASE_FACTOR = False`,
  which the base class reads in `__init__` to decide whether it takes a `factor`
  argument (ours do not).
- `layer_seed_generator(layer)`: `layer._get_seed_generator(layer.backend._backend)`,
  the base class's lazily created per-backend `SeedGenerator` (a TensorFlow one inside
  tf.data); `SEED_GENERATOR_METHOD` names that method for `data/seeding.py`, which
  swaps it for a per-batch stateless seed.
- `flatten_layers(layer)`: `layer._flatten_layers(include_self=True, recursive=True)`,
  every sub-layer of a policy, to find their seed generators.
- `init_seed_generator_fields(generator, name)`: the fields `SeedGenerator.__init__`
  sets and its methods read (`name`, `backend` = `keras.src.backend`,
  `_initial_seed`), for `data/seeding.BatchSeed`, a generator without a variable.
- `optimizer_schedule(optimizer)`: `optimizer._learning_rate`, the schedule object (the
  public `learning_rate` gives only its current value).
- `seed_state_variables(model)`: the variables whose path contains
  `seed_generator_state` (dropout's and other layers' generators), which
  `Model.save_weights` leaves out and `training/resume.py` backs up itself.
"""

import keras
from keras.src.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (  # noqa: E501
    BaseImagePreprocessingLayer,
)

SEED_GENERATOR_METHOD = "_get_seed_generator"
SEED_STATE_MARK = "seed_generator_state"

__all__ = [
    "BaseImagePreprocessingLayer", "SEED_GENERATOR_METHOD", "flatten_layers",
    "init_seed_generator_fields", "layer_seed_generator", "optimizer_schedule",
    "seed_state_variables", "without_base_factor",
]


def without_base_factor(cls):
    """Class decorator: the image-preprocessing base class takes no `factor` for `cls`."""
    cls._USE_BASE_FACTOR = False  # private Keras API: read by BaseImagePreprocessingLayer
    return cls


def layer_seed_generator(layer):
    """The `SeedGenerator` of an image-preprocessing `layer` for its current backend."""
    # private Keras API: the per-backend generator of BaseImagePreprocessingLayer.
    return getattr(layer, SEED_GENERATOR_METHOD)(layer.backend._backend)


def flatten_layers(layer):
    """`layer` and all its sub-layers, recursively."""
    return layer._flatten_layers(include_self=True, recursive=True)  # private Keras API


def init_seed_generator_fields(generator, name):
    """Sets the fields a `SeedGenerator` subclass needs when it skips `__init__`."""
    import keras.src.backend  # private Keras API: SeedGenerator.backend

    generator.name = name
    generator.backend = keras.src.backend
    generator._initial_seed = None  # private Keras API: read by SeedGenerator.get_config


def optimizer_schedule(optimizer):
    """The optimizer's `LearningRateSchedule`, or None when its rate is a plain value."""
    schedule = getattr(optimizer, "_learning_rate", None)  # private Keras API
    if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        return schedule
    return None


def seed_state_variables(model):
    """The state variables of `model`'s seed generators (left out by `save_weights`)."""
    return [v for v in model.variables if SEED_STATE_MARK in v.path]


# The modules Keras names in a saved config for its own functions: the public ones and
# the private ones the functions are defined in (Keras 3.15 writes `keras.src.*`).
# `kerasrecipes.saving` lets a config name functions from these modules only.
KERAS_FUNCTION_MODULES = (
    "keras.activations", "keras.src.activations",
    "keras.losses", "keras.src.losses",
    "keras.metrics", "keras.src.metrics",
)
