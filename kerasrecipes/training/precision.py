"""Compute precision and XLA chosen by the device that trains.

`precision="auto"` resolves, from the device found at build time, to:

- **TPU**: `mixed_bfloat16` (TPUs multiply bfloat16 natively, and bfloat16 keeps
  float32's exponent range, so no loss scaling is needed).
- **CUDA GPU of compute capability ≥ 7.0** (Volta and later, with Tensor Cores):
  `mixed_float16`. Keras wraps the optimizer in a `LossScaleOptimizer` at `compile()`
  under this policy (`auto_scale_loss=True`), so small float16 gradients do not
  underflow. Older GPUs (Pascal, cc 6.x) have no float16 Tensor Cores: `float32`.
- **CPU with AMX-BF16** (Intel Sapphire Rapids and later): `mixed_bfloat16`. oneDNN runs
  bfloat16 convolutions several times faster than float32 there: the default
  Fashion-MNIST model trained at about 4,500 images/s in `mixed_bfloat16` against
  1,200-2,200 in float32 on 2 cores (`benchmarks/train_default.py`).
- **CPU with AVX512-BF16 but no AMX** (Cooper Lake, AMD Zen 4): `float32`. Those CPUs
  convert and dot bfloat16 in vector units only; whether that beats float32 for these
  convolutions has not been measured (the machines this project is measured on have
  AMX, or AVX2 only), and a mixed policy that is slower is worse than none, so the
  default stays float32 until a side-by-side figure says otherwise.
- **Any other CPU**: `float32` (bfloat16 would be emulated, and slower), on oneDNN's
  kernels where kerasrecipes was imported before TensorFlow (`kerasrecipes/_onednn.py`).

The models' output layers (the final pooling and softmax) are float32 under every
policy: see `kerasrecipes.models.vgg` and `squeezenet`.

`jit_compile=None` (`"auto"`) passes Keras' own `"auto"` (XLA wherever the model's
layers support it) on GPUs and TPUs, and turns XLA off on CPUs under the TensorFlow
backend, where oneDNN's convolutions ran at twice XLA's speed (README, "XLA is off").
Under JAX, `jit` is how anything runs fast, so `"auto"` is kept there too.
"""

import contextlib
import dataclasses

import keras

from kerasrecipes import _keras_compat
from kerasrecipes._names import unknown_name_error

POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")
# Tensor Cores that multiply float16 arrived with Volta (compute capability 7.0).
MIN_FLOAT16_COMPUTE_CAPABILITY = (7, 0)


def names():
    """Returns the accepted precision names."""
    return ["auto", *POLICIES]


@dataclasses.dataclass(frozen=True)
class Device:
    """The accelerator (or CPU) that trains, as far as precision and XLA care.

    Attributes:
        kind: `"cpu"`, `"gpu"` or `"tpu"`.
        name: str, e.g. `"NVIDIA A100-SXM4-40GB"` or the CPU model name.
        count: int, devices of that kind.
        compute_capability: `(major, minor)` of the weakest GPU, or None.
        cpu_flags: frozenset of `/proc/cpuinfo` flags (CPU only; empty where unknown).
    """

    kind: str
    name: str = ""
    count: int = 1
    compute_capability: tuple = None
    cpu_flags: frozenset = frozenset()

    def describe(self):
        """Returns a short human-readable description, e.g. `"GPU (2x A100, cc 8.0)"`."""
        detail = self.name or "unknown model"
        if self.count > 1:
            detail = f"{self.count}x {detail}"
        if self.compute_capability:
            detail += ", cc {}.{}".format(*self.compute_capability)
        return f"{self.kind.upper()} ({detail})"


def _read_cpuinfo(cpuinfo):
    try:
        with open(cpuinfo) as handle:
            return handle.read()
    except OSError:
        return ""


def cpu_flags(cpuinfo="/proc/cpuinfo"):
    """Returns the CPU's feature flags from `/proc/cpuinfo` (empty where unknown)."""
    for line in _read_cpuinfo(cpuinfo).splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


def cpu_has_amx_bf16(cpuinfo="/proc/cpuinfo"):
    """Returns whether the CPU advertises the `amx_bf16` flag (False where unknown)."""
    return "amx_bf16" in cpu_flags(cpuinfo)


def _cpu_name(cpuinfo="/proc/cpuinfo"):
    for line in _read_cpuinfo(cpuinfo).splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return ""


def _tpu_visible():
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        if tf.distribute.has_strategy() and isinstance(
            tf.distribute.get_strategy(), tf.distribute.TPUStrategy
        ):
            return True
        return bool(tf.config.list_physical_devices("TPU"))
    if backend == "jax":
        import jax

        return any(d.platform == "tpu" for d in jax.devices())
    return False


def _parse_capability(value):
    if value is None:
        return None
    if isinstance(value, str):
        major, _, minor = value.partition(".")
        return int(major), int(minor or 0)
    return tuple(int(v) for v in value)


def _gpu_details():
    """Returns `[(name, (major, minor) or None), ...]` for the visible CUDA GPUs."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        details = []
        for gpu in tf.config.list_physical_devices("GPU"):
            info = tf.config.experimental.get_device_details(gpu)
            details.append((info.get("device_name", gpu.name),
                            _parse_capability(info.get("compute_capability"))))
        return details
    if backend == "jax":
        import jax

        return [(d.device_kind, _parse_capability(getattr(d, "compute_capability", None)))
                for d in jax.devices() if d.platform == "gpu"]
    if backend == "torch":
        import torch

        return [(torch.cuda.get_device_name(i), torch.cuda.get_device_capability(i))
                for i in range(torch.cuda.device_count())]
    return []


def detect():
    """Returns the `Device` that trains here: a TPU, else the GPUs, else the CPU.

    Example:

    >>> detect().describe()
    'CPU (AMD EPYC 7B13)'
    """
    if _tpu_visible():
        return Device("tpu", name="TPU")
    gpus = _gpu_details()
    if gpus:
        known = [cc for _, cc in gpus if cc is not None]
        return Device("gpu", name=gpus[0][0], count=len(gpus),
                      compute_capability=min(known) if known else None)
    return Device("cpu", name=_cpu_name(), cpu_flags=cpu_flags())


def check(precision):
    """Raises a `ValueError` listing the accepted names unless `precision` is one.

    Unlike `resolve`, it looks at no device, so it can run before a distribution
    strategy initialises TensorFlow's runtime.
    """
    if precision != "auto" and precision not in POLICIES:
        raise unknown_name_error("precision", precision, names())


def resolve(precision, device=None):
    """Returns the Keras dtype policy name for `precision` on `device`.

    Args:
        precision: `"auto"`, `"float32"`, `"mixed_bfloat16"` or `"mixed_float16"`.
        device: optional `Device`; defaults to `detect()` (only read for `"auto"`).

    Returns:
        A dtype policy name (see the module docstring for what `"auto"` picks).

    Raises:
        ValueError: unknown name.

    Example:

    >>> resolve("auto", Device("gpu", compute_capability=(8, 0)))
    'mixed_float16'
    """
    check(precision)
    if precision != "auto":
        return precision
    device = device or detect()
    if device.kind == "tpu":
        return "mixed_bfloat16"
    if device.kind == "gpu":
        capability = device.compute_capability
        if capability is not None and tuple(capability) >= MIN_FLOAT16_COMPUTE_CAPABILITY:
            return "mixed_float16"
        return "float32"
    return "mixed_bfloat16" if "amx_bf16" in device.cpu_flags else "float32"


def resolve_jit_compile(jit_compile, device=None):
    """Returns the `jit_compile` value to pass to `keras.Model.compile`.

    Args:
        jit_compile: True, False, or None / `"auto"` to decide by device.
        device: optional `Device`; defaults to `detect()` (only read for auto).

    Returns:
        True, False, or `"auto"` (Keras then turns XLA on where every layer supports it).

    Raises:
        ValueError: anything else.
    """
    if isinstance(jit_compile, bool):
        return jit_compile
    if jit_compile not in (None, "auto"):
        raise ValueError(
            "Argument `jit_compile` must be True, False, None or 'auto'. "
            f"Received: jit_compile={jit_compile!r}"
        )
    device = device or detect()
    if device.kind == "cpu" and keras.backend.backend() == "tensorflow":
        return False
    return "auto"


def describe_run(model, device=None):
    """Returns the line `Recipe.fit()` starts with: device, replicas, policy, XLA.

    Args:
        model: a compiled `keras.Model`.
        device: optional `Device`; defaults to `detect()`.

    Example:

    >>> print(describe_run(recipe.model))
    Training on CPU (AMD EPYC 7B13), 1 replica, precision float32, XLA off
    """
    device = device or detect()
    strategy = getattr(model, "distribute_strategy", None)
    replicas = getattr(strategy, "num_replicas_in_sync", 1)
    policy = model.dtype_policy.name
    xla = "on" if getattr(model, "jit_compile", False) else "off"
    plural = "" if replicas == 1 else "s"
    return (f"Training on {device.describe()}, {replicas} replica{plural}, "
            f"precision {policy}, XLA {xla}")


@contextlib.contextmanager
def policy_scope(policy):
    """Builds layers under dtype `policy`, then restores the previous global policy.

    Layers keep the policy they were created with, so a model built inside the scope
    computes in `policy` while code outside is unaffected.

    Example:

    >>> with policy_scope("mixed_bfloat16"):
    ...     model = kerasrecipes.models.get("fashion_vgg_small")
    """
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def _float32_policies(config):
    """`config` (a serialized Keras object) with every mixed dtype policy made float32."""
    if isinstance(config, list):
        return [_float32_policies(item) for item in config]
    if not isinstance(config, dict):
        return config
    if config.get("class_name") == "DTypePolicy" and str(
            config.get("config", {}).get("name", "")).startswith("mixed_"):
        return {**config, "config": {**config["config"], "name": "float32"}}
    return {key: _float32_policies(value) for key, value in config.items()}


def float32_copy(model):
    """Returns `model` computing in float32: itself where it already does, else a copy.

    A model trained under `mixed_bfloat16` or `mixed_float16` keeps float32 variables, so
    the copy (rebuilt from the config with every mixed policy made float32, then given
    the same weights) predicts what the model does up to the rounding of the half-precision
    compute. For targets without half-precision kernels: TFLite has no bfloat16 ops.

    Args:
        model: a built, Keras-serializable `keras.Model`.

    Returns:
        A `keras.Model` whose layers all compute in float32.

    Example:

    >>> with policy_scope("mixed_bfloat16"):
    ...     model = kerasrecipes.models.get("fashion_vgg_small")
    >>> float32_copy(model).dtype_policy.name
    'float32'
    """
    if all(layer.dtype_policy.name == "float32" for layer in _keras_compat.flatten_layers(model)):
        return model
    config = _float32_policies(keras.saving.serialize_keras_object(model))
    config.pop("compile_config", None)  # an inference copy: no optimizer to rebuild
    copy = keras.saving.deserialize_keras_object(config)
    copy.set_weights(model.get_weights())
    return copy
