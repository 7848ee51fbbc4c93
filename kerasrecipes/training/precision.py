"""Choosing the compute precision: float32, or bfloat16 where the CPU multiplies it natively.

On CPUs with AMX (Intel Sapphire Rapids and later) oneDNN runs bfloat16 convolutions
several times faster than float32: on the 2-core machine this project is measured on,
the default Fashion-MNIST model trains at about 4,500 images/s in `mixed_bfloat16`
against 1,200-2,200 in float32 (`benchmarks/train_default.py`). Without such hardware
bfloat16 is emulated and slower, so `"auto"` picks it only where the CPU has AMX-BF16
and no GPU is visible.
"""

import contextlib

import keras

from kerasrecipes._names import unknown_name_error

POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")


def names():
    """Returns the accepted precision names."""
    return ["auto", *POLICIES]


def cpu_has_amx_bf16(cpuinfo="/proc/cpuinfo"):
    """Returns whether the CPU advertises the `amx_bf16` flag (False where unknown)."""
    try:
        with open(cpuinfo) as handle:
            return any(
                line.startswith("flags") and "amx_bf16" in line.split()
                for line in handle
            )
    except OSError:
        return False


def _gpu_visible():
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return any(d.platform != "cpu" for d in jax.devices())
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    return False


def resolve(precision):
    """Returns the Keras dtype policy name for `precision`.

    Args:
        precision: `"auto"`, `"float32"`, `"mixed_bfloat16"` or `"mixed_float16"`.

    Returns:
        A dtype policy name.

    Raises:
        ValueError: unknown name.
    """
    if precision == "auto":
        return "mixed_bfloat16" if cpu_has_amx_bf16() and not _gpu_visible() else "float32"
    if precision not in POLICIES:
        raise unknown_name_error("precision", precision, names())
    return precision


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
