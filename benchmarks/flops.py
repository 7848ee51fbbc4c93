"""Counting a Keras model's multiply-adds, and the CPU's matmul peak to compare them with.

Where the time goes: a model's training FLOP/s (images/s × training FLOPs per image)
as a fraction of what the CPU reaches on one large matrix product in the same dtype.

The count covers the layers that do the arithmetic: `Conv1D/2D/3D`, `DepthwiseConv2D`
and `Dense` (one multiply-add per kernel weight per output position). Pooling, batch
norm, activations and the optimizer's update are memory-bound and left out (a few
percent of the total for the models here), so the fraction of peak is a slight
underestimate. Training counts 3× the forward pass: the forward pass, and the two
products of the backward pass (gradients of the activations and of the weights).

Example:

>>> macs = forward_macs(model)
>>> training_flops_per_image(model)  # 2 * 3 * macs
>>> peak = matmul_peak("float32")["flops_per_s"]
"""

import math
import time

import keras

# Layers whose cost is one multiply-add per kernel element per output position.
_KERNEL_LAYERS = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D,
                  keras.layers.DepthwiseConv2D, keras.layers.Dense)


def _layers(model):
    """Yields every layer of `model`, entering nested models."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _layers(layer)
        else:
            yield layer


def layer_macs(layer):
    """Returns the multiply-adds of one call of `layer` on one image (0 for others).

    Args:
        layer: a built layer of a functional or sequential model.

    Returns:
        int: output positions × kernel elements for conv and dense layers, else 0.
    """
    if not isinstance(layer, _KERNEL_LAYERS) or isinstance(layer, keras.layers.Conv2DTranspose):
        return 0
    shape = layer.output.shape
    spatial = shape[2:] if getattr(layer, "data_format", None) == "channels_first" else shape[1:-1]
    positions = math.prod(int(d) for d in spatial)
    return positions * math.prod(int(d) for d in layer.kernel.shape)


def forward_macs(model):
    """Returns the multiply-adds of one forward pass of `model` on one image.

    Args:
        model: a built functional or sequential `keras.Model`.

    Returns:
        int, the sum of `layer_macs` over every layer (nested models included).

    Example:

    >>> forward_macs(keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]))
    12
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"Argument `model` must be a keras.Model. Received: {type(model).__name__}")
    return sum(layer_macs(layer) for layer in _layers(model))


def training_flops_per_image(model):
    """Returns the FLOPs of one training step per image: 2 FLOPs per multiply-add,
    3 passes (forward, and the two products of the backward pass)."""
    return 2 * 3 * forward_macs(model)


def matmul_peak(dtype="float32", size=2048, repeats=20):
    """Measures the CPU's matrix-product throughput: best of `repeats` products.

    Args:
        dtype: `"float32"` or `"bfloat16"`.
        size: int, the side of the square matrices. Defaults to 2048.
        repeats: int, timed products after one warm-up. Defaults to 20 (~2 s in float32
            on 2 cores): five, under half a second, could all fall in one slow spell of
            a shared host, and the float32 peak then measured 130 to 238 GFLOP/s on one.

    Returns:
        `{"dtype", "size", "repeats", "best_s", "flops_per_s"}`; FLOPs are `2 * size**3`.
    """
    import tensorflow as tf

    if dtype not in ("float32", "bfloat16"):
        raise ValueError(f"Argument `dtype` must be 'float32' or 'bfloat16'. Received: dtype={dtype!r}")
    a = tf.cast(tf.random.stateless_normal((size, size), seed=(1, 2)), dtype)
    b = tf.cast(tf.random.stateless_normal((size, size), seed=(3, 4)), dtype)
    tf.linalg.matmul(a, b).numpy()  # warm-up: kernel selection and allocation
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        tf.linalg.matmul(a, b).numpy()
        times.append(time.perf_counter() - start)
    best = min(times)
    return {"dtype": dtype, "size": size, "repeats": repeats, "best_s": round(best, 4),
            "flops_per_s": round(2 * size ** 3 / best)}


def best_peaks(*measured):
    """Returns, per dtype, the fastest of several `matmul_peak` measurements.

    The host's speed drifts within a run (one host's bfloat16 peak measured 557 to 1,397
    GFLOP/s across runs), so a peak taken once, in a slow spell, would overstate every
    fraction of it; a run measures the peaks at its start and end and keeps the best.

    Args:
        *measured: dicts `{dtype: matmul_peak(dtype)}`, in the order measured.

    Returns:
        `{dtype: the fastest measurement, with "flops_per_s_runs": every measurement's
        FLOP/s in order}`.

    Example:

    >>> best_peaks({"float32": {"flops_per_s": 2}}, {"float32": {"flops_per_s": 3}})
    {'float32': {'flops_per_s': 3, 'flops_per_s_runs': [2, 3]}}
    """
    return {dtype: dict(max((m[dtype] for m in measured), key=lambda p: p["flops_per_s"]),
                        flops_per_s_runs=[m[dtype]["flops_per_s"] for m in measured])
            for dtype in measured[0]}


def peak_dtype(policy):
    """Returns the matmul dtype whose peak a model under dtype `policy` is compared with."""
    return "bfloat16" if "bfloat16" in policy else "float32"


def rate(images_per_s, train_flops_per_image, precision, peaks):
    """Returns a run row's training GFLOP/s and their fraction of the matmul peak of
    `precision`'s dtype (`{"train_gflops_per_s", "peak_dtype", "fraction_of_peak"}`)."""
    flops_per_s = images_per_s * train_flops_per_image
    dtype = peak_dtype(precision)
    return {"train_gflops_per_s": round(flops_per_s / 1e9, 2), "peak_dtype": dtype,
            "fraction_of_peak": round(flops_per_s / peaks[dtype]["flops_per_s"], 3)}


def rerate(node, peaks):
    """Recomputes every `rate()` row's `fraction_of_peak` in `node` (rows nested at any
    depth, means of runs included) against `peaks`, from its `train_gflops_per_s`."""
    if isinstance(node, dict):
        if "train_gflops_per_s" in node and "peak_dtype" in node:
            node["fraction_of_peak"] = round(
                node["train_gflops_per_s"] * 1e9 / peaks[node["peak_dtype"]]["flops_per_s"], 3)
        for value in node.values():
            rerate(value, peaks)
    elif isinstance(node, list):
        for value in node:
            rerate(value, peaks)
