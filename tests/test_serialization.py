"""Every Keras object kerasrecipes registers: config round trip, and no forgotten argument.

In the spirit of keras-cv's serialization_test.py. Objects are found in Keras' registry
(package "kerasrecipes"), so a new class is tested as soon as it is registered: it is
built with `EXAMPLES[name]` (non-default values, to catch a `get_config` that stores the
default) or, for a class not listed there, with no arguments.
"""

import importlib
import inspect
import pkgutil

import keras
import pytest

import kerasrecipes

for _module in pkgutil.walk_packages(kerasrecipes.__path__, "kerasrecipes."):
    if _module.name != "kerasrecipes.__main__":
        importlib.import_module(_module.name)

PACKAGE = "kerasrecipes>"
REGISTERED = sorted(
    name for name in keras.saving.get_custom_objects() if name.startswith(PACKAGE)
)

EXAMPLES = {
    "SmallRandom": dict(scale=0.01, distribution="uniform", seed=4),
    "Calibrated": dict(distribution="uniform", seed=5),
    "UnitMaxNorm": dict(max_value=2.5),
    "PReLU": dict(initial_slope=0.25, alpha_regularizer=None, alpha_constraint=None),
    "RReLU": dict(lower=0.05, upper=0.2, seed=3),
    "LocalResponseNormalization": dict(depth_radius=3, bias=1.5, alpha=2e-4, beta=0.5),
    "CeilMaxPooling2D": dict(pool_size=(2, 2), strides=(1, 1)),
    "ActivationStatistics": dict(x=[[0.0, 1.0]], y=[1], layers=["dense"], every=2, ratio=50.0,
                                 verbose=1),
    "LearningRateLogger": dict(max_points=7),
    "SoftLabelCrossentropy": dict(label_smoothing=0.2, name="smooth_ce", reduction="sum"),
    "SoftLabelAccuracy": dict(name="soft_accuracy", dtype="float32"),
    # `data` (a dataset) is not serialisable: get_config stores None, documented.
    "StochasticWeightAveraging": dict(epochs=3, data=None, batches=4),
    "WeightNormalization": dict(layer=keras.layers.Conv2D(3, 3), epsilon=1e-6),
    "MCDropout": dict(layer=keras.layers.Dropout(0.25)),
    "ImageView": dict(flip=True, shift=(1, -2)),
    "NormalizedSGD": dict(learning_rate=0.25, momentum=0.5, nesterov=True, epsilon=1e-8,
                          name="nsgd"),
    "AtomicModelCheckpoint": dict(filepath="ckpt/epoch-{epoch:03d}.keras", monitor="val_accuracy",
                                  mode="max", save_best_only=True, keep=3, verbose=1),
    "LateFusion": dict(mode="weighted", member_weights=[0.25, 0.75]),
    "FancyPCA": dict(eigenvalues=[0.2, 0.02, 0.002], eigenvectors=[[0.58, -0.7, 0.41],
                     [0.58, 0.0, -0.82], [0.58, 0.7, 0.41]], sigma=0.2, value_range=(0, 1),
                     seed=6),
    "RandomGaussianNoise": dict(stddev=0.1, value_range=(0, 1), seed=7),
    "RandomPixelDrop": dict(rate=0.2, value_range=(-1, 1), seed=8),
    "RandomSaltAndPepper": dict(rate=0.1, value_range=(0, 1), seed=9),
    "RandomTransform": dict(transforms=("rotate", "zoom"), magnitude=0.3, fill_mode="reflect",
                            fill_value=1.0, interpolation="nearest", value_range=(0, 1), seed=10),
    "ResumableBackup": dict(backup_dir="runs/backup", save_freq=7),
    "Whitening": dict(method="pca", epsilon=1e-3, n_components=2),
    # Keras' BatchNormalization arguments; initializers as configs, which the check skips.
    "FusedBatchNormalization": dict(
        axis=1, momentum=0.9, epsilon=1e-4, center=False, scale=False,
        beta_initializer={"class_name": "Ones", "config": {}},
        gamma_initializer={"class_name": "Zeros", "config": {}},
        moving_mean_initializer={"class_name": "Ones", "config": {}},
        moving_variance_initializer={"class_name": "Constant", "config": {"value": 2.0}},
        beta_regularizer={"class_name": "L2", "config": {"l2": 1e-4}},
        gamma_regularizer={"class_name": "L1", "config": {"l1": 1e-4}},
        beta_constraint={"class_name": "MaxNorm", "config": {"max_value": 2.0, "axis": 0}},
        gamma_constraint={"class_name": "NonNeg", "config": {}},
        renorm=True, renorm_clipping={"rmax": 2.0, "rmin": 0.5, "dmax": 1.0},
        renorm_momentum=0.9, synchronized=True),
}


def test_our_parts_are_registered():
    expected = {"SmallRandom", "Calibrated", "UnitMaxNorm", "PReLU", "RReLU",
                "LocalResponseNormalization", "CeilMaxPooling2D"}
    assert {PACKAGE + name for name in expected} <= set(REGISTERED)


@pytest.mark.parametrize("registered_name", REGISTERED)
def test_every_argument_is_exercised_with_a_non_default_value(registered_name):
    """A get_config that stores a default instead of the value would pass a test built with
    defaults: every class with arguments gets non-default values for all of them."""
    cls = keras.saving.get_custom_objects()[registered_name]
    short = registered_name[len(PACKAGE):]
    parameters = [p for p in inspect.signature(cls.__init__).parameters.values()
                  if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    given = EXAMPLES.get(short, {})
    missing = [p.name for p in parameters if p.name not in given
               and p.name not in ("alpha_regularizer", "alpha_constraint")]
    assert not missing, f"EXAMPLES[{short!r}] gives no value for {missing}"
    defaults = [p.name for p in parameters if p.name in given and p.default is not p.empty
                and p.default is not None and normalised(given[p.name]) == normalised(p.default)]
    assert not defaults, f"EXAMPLES[{short!r}] uses the default for {defaults}"


def normalised(value):
    return list(value) if isinstance(value, tuple) else value


@pytest.mark.parametrize("registered_name", REGISTERED)
def test_config_round_trip_and_every_init_argument_in_config(registered_name):
    cls = keras.saving.get_custom_objects()[registered_name]
    short = registered_name[len(PACKAGE):]
    kwargs = EXAMPLES.get(short, {})
    try:
        obj = cls(**kwargs)
    except TypeError as error:
        pytest.fail(f"{short} needs constructor arguments: add them to EXAMPLES ({error})")
    config = obj.get_config()

    parameters = [
        p.name for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    missing = [name for name in parameters if name not in config]
    assert not missing, f"{short}.get_config() forgets {missing}"
    for name, value in kwargs.items():
        if value is not None and not isinstance(value, (dict, keras.layers.Layer)):
            assert normalised(config[name]) == normalised(value), name

    restored = cls.from_config(config)
    assert type(restored) is cls and restored.get_config() == config
    serialized = keras.saving.serialize_keras_object(obj)
    assert serialized["registered_name"] == registered_name
    deserialized = keras.saving.deserialize_keras_object(serialized)
    assert type(deserialized) is cls and deserialized.get_config() == config
