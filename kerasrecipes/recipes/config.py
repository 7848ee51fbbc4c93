"""The recipe config: one flat dataclass that round-trips to JSON and takes `--set` strings."""

import dataclasses
import json
import typing

from kerasrecipes._names import unknown_name_error


@dataclasses.dataclass
class RecipeConfig:
    """Every choice a recipe makes, as plain values.

    Each field can be overridden by keyword (`recipes.get(name)(epochs=2)`), by the CLI
    (`--set epochs=2`) or from a JSON file; unknown keys and bad values raise before any
    data is loaded or any model is built.
    """

    name: str = "recipe"
    # A registered name, a TFDS name or a folder path; "<arrays>" / "<dataset>" record
    # data passed to a recipe function as Python objects (see `kerasrecipes.data.source`).
    data: str = "fashion_mnist"
    model: str = "fashion_vgg_small"
    # Model: None = the model preset's own value (each default lives in its preset).
    width: typing.Optional[float] = None
    norm: typing.Optional[str] = None  # None: the preset's; "off": no normalisation
    activation: typing.Optional[str] = None
    initializer: typing.Optional[str] = None
    regularizer: typing.Optional[str] = None
    constraint: typing.Optional[str] = None
    dropout: typing.Optional[float] = None
    # Data.
    batch_size: int = 128
    augment: str = "flip_crop"
    validation_split: float = 0.1
    train_samples: typing.Optional[int] = None
    # Optimisation.
    epochs: int = 12
    optimizer: str = "nesterov"
    learning_rate: float = 0.1
    momentum: float = 0.9
    weight_decay: typing.Optional[float] = None
    schedule: str = "cosine"
    warmup_epochs: float = 1.0
    lr_factor: float = 0.5
    lr_patience: int = 2
    early_stopping: typing.Optional[int] = None
    clipnorm: typing.Optional[float] = None
    clipvalue: typing.Optional[float] = None
    global_clipnorm: typing.Optional[float] = None
    decay_rate: float = 0.98
    step_epochs: int = 10
    step_factor: float = 0.5
    # None ("auto"): XLA on GPUs and TPUs, off on CPUs (training/precision.py).
    jit_compile: typing.Optional[bool] = None
    precision: str = "auto"
    seed: int = 0
    # Diagnostics: curve PNGs, history and findings go to `log_dir` after `fit()`.
    log_dir: typing.Optional[str] = None
    tensorboard: bool = False
    statistics: bool = False
    # Data sources and in-model preprocessing (issue 9): see `kerasrecipes.data.source`.
    image_size: typing.Optional[str] = None  # "HxW"; None = the images' own size
    color_mode: typing.Optional[str] = None  # None = from the files; "grayscale" | "rgb"
    cache: typing.Optional[str] = None  # None | "memory" | a file path
    skip_bad_files: bool = False
    preprocessing: str = "squeeze"  # "squeeze" | "standardize" | "zca"
    # Training extras (issue 10 §3, kerasrecipes/recipes/extras.py), each off by default.
    label_smoothing: float = 0.0
    mixup: typing.Optional[float] = None
    cutmix: typing.Optional[float] = None
    ema: typing.Optional[float] = None
    swa: typing.Optional[int] = None
    # Test-time augmentation that `evaluate()` and `report()` use unless told otherwise
    # (None: off; `kerasrecipes.training.tta` lists the modes). Training is unchanged.
    tta: typing.Optional[str] = None
    # Issue 14 (the seeds' long tail): zero-pad the input inside the model up to
    # multiples of this (None: the model's own size), so every pooling divides evenly.
    pad_to_multiple: typing.Optional[int] = None
    # Issue 10 §1-2 (checkpoints, ensembles): `.keras` checkpoints written each epoch into
    # checkpoint_dir (best by checkpoint_monitor, None: val_loss; mode None: auto; the
    # last keep_last epochs); the validation split drawn with split_seed (None: seed) as
    # block `fold` of the shuffled training set, so ensemble members share one split
    # or take the folds of a cross-validation (validation_split=1/k, fold=0..k-1).
    checkpoint_dir: typing.Optional[str] = None
    checkpoint_monitor: typing.Optional[str] = None
    checkpoint_mode: typing.Optional[str] = None
    keep_last: typing.Optional[int] = None
    split_seed: typing.Optional[int] = None
    fold: int = 0
    # Devices (issue 11: GPU and scale): see training/precision.py and training/distribute.py.
    steps_per_execution: int = 1
    strategy: str = "default"
    lr_scaling: str = "linear"
    # Reliability (issue 13): `backup_dir` makes a killed run resumable with the same
    # command (backups every `backup_freq` batches); `deterministic` turns TensorFlow's
    # op determinism on for the whole process (bit-identical reruns on CPU, a little slower).
    backup_dir: typing.Optional[str] = None
    backup_freq: int = 50
    deterministic: bool = False
    parallel_calls: typing.Optional[int] = None  # tf.data map calls; None: autotune

    def to_dict(self):
        """Returns the config as a JSON-ready dict."""
        return dataclasses.asdict(self)

    def to_json(self):
        """Returns the config as a JSON string."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, values):
        """Builds a config from a dict (e.g. parsed JSON), rejecting unknown keys and
        values of the wrong type (no string coercion here: that is for `--set`)."""
        if not isinstance(values, dict):
            raise TypeError(
                f"Argument `values` must be a dict of config keys. Received: {type(values).__name__}"
            )
        check_keys(values)
        for key, value in values.items():
            if isinstance(value, str) and _field_type(key)[0] is not str:
                raise ValueError(
                    f"Key `{key}` must be of type {_field_type(key)[0].__name__} in a config "
                    f"file, not a string. Received: {key}={value!r}"
                )
            coerce(key, value)
        return cls(**{key: coerce(key, value) for key, value in values.items()})

    @classmethod
    def from_json(cls, text):
        """Builds a config from a JSON string (JSON only: nothing is evaluated)."""
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"Argument `text` must be a JSON object. Received: invalid JSON ({error})") from None
        return cls.from_dict(values)

    def replace(self, **overrides):
        """Returns a copy with `overrides` applied; values may be `--set` strings."""
        check_keys(overrides)
        coerced = {key: coerce(key, value) for key, value in overrides.items()}
        return dataclasses.replace(self, **coerced)


def keys():
    """Returns the sorted config keys."""
    return sorted(f.name for f in dataclasses.fields(RecipeConfig))


def check_keys(values):
    """Raises a `ValueError` naming the first unknown key and listing the known ones."""
    for key in values:
        if key not in keys():
            raise unknown_name_error("key", key, keys())


def _field_type(key):
    hint = typing.get_type_hints(RecipeConfig)[key]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return (args[0] if args else hint), type(None) in typing.get_args(hint)


def coerce(key, value):
    """Converts `value` (possibly a CLI string) to the type of config field `key`.

    Raises:
        ValueError: the value cannot be read as that type; the message names the key,
            the value and the expected type.
    """
    kind, optional = _field_type(key)
    if key == "image_size" and value is not None and not (
            isinstance(value, str) and value.lower() in ("none", "null")):
        from kerasrecipes.data.folders import parse_image_size

        height, width = parse_image_size(value)
        return f"{height}x{width}"
    if value is None or (optional and isinstance(value, str) and value.lower() in ("none", "null")):
        if not optional:
            raise ValueError(f"Key `{key}` cannot be None. Received: {key}={value!r}")
        return None
    if isinstance(value, str) and kind is not str:
        if kind is bool:
            lowered = value.lower()
            if optional and lowered == "auto":
                return None  # an optional bool's None means "auto": the part decides
            if lowered in ("true", "1", "yes"):
                return True
            if lowered in ("false", "0", "no"):
                return False
            raise ValueError(f"Key `{key}` must be true or false. Received: {key}={value!r}")
        try:
            return kind(float(value)) if kind is int and float(value).is_integer() else kind(value)
        except ValueError:
            raise ValueError(
                f"Key `{key}` must be {'an integer' if kind is int else 'a number'}. "
                f"Received: {key}={value!r}"
            ) from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(
            f"Key `{key}` must be of type {kind.__name__}. Received: {key}={value!r}"
        )
    return value
