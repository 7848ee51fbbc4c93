"""Training images/s and peak memory of one model, measured in a fresh process.

Each measurement runs in its own Python process, so its peak resident memory
(`VmHWM` of `/proc/self/status`) belongs to that model alone, and so settings that
TensorFlow reads once at start-up (intra-op threads, `TF_ENABLE_ONEDNN_OPTS`) can
differ between measurements. The model trains on random images for a few steps (SGD
with Nesterov momentum and sparse cross-entropy, as the recipes); the first two steps
(tracing, allocation) are not timed.

    python benchmarks/throughput.py '{"model": "fashion_vgg_small", "batch_size": 128}'

prints one JSON line. `measure(spec)` runs that from Python.

Spec keys: `model` (a registered model name), `kwargs` (builder overrides, e.g.
`{"width": 2.0, "input_shape": [56, 56, 1]}`), `batch_size`, `min_seconds` (time the
steps until at least this long has passed), `max_steps`, `threads` (intra-op threads;
None: TensorFlow's default), `onednn` (`TF_ENABLE_ONEDNN_OPTS` for the child; None:
inherited where set, else on, as `import kerasrecipes` sets it), `precision` (a dtype
policy name; default float32), `jit_compile` (XLA; None: Keras' "auto", which is off on
CPUs), `data_format` (`"channels_last"`, the builders' layout, or `"channels_first"`: the
same model and weights re-laid out by `channels_first()`), `batch_norm` (`"fused"`, the
builders' `FusedBatchNormalization`, or `"keras"`: the same model with Keras' own layer,
`keras_batch_norm()`).
"""

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULTS = {"model": "fashion_vgg_small", "kwargs": {}, "batch_size": 128, "min_seconds": 4.0,
            "max_steps": 30, "threads": None, "onednn": None, "precision": "float32",
            "jit_compile": None, "data_format": "channels_last", "batch_norm": "fused"}
DATA_FORMATS = ("channels_last", "channels_first")
BATCH_NORMS = ("fused", "keras")
WARMUP_STEPS = 2


def peak_rss_mb(status="/proc/self/status"):
    """Returns this process's peak resident memory in MB (VmHWM; ru_maxrss elsewhere)."""
    try:
        with open(status) as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def channels_first(model):
    """Returns `model` re-laid out channels-first, with the same weights.

    The builders lay maps out channels-last only (Keras' default); this lets the probe
    time the other layout without a second code path in every builder.

    Args:
        model: a built functional model on `(H, W, C)` images whose layers take a
            `data_format` where they have one (`CeilMaxPooling2D` does not).

    Returns:
        A functional model on `(C, H, W)` images: each layer cloned with
        `data_format="channels_first"`, batch norm of 4-D maps on axis 1. For the same
        images, transposed, it predicts what `model` does.

    Example:

    >>> relaid = channels_first(kr.models.get("fashion_vgg_lean"))  # input (1, 28, 28)
    """
    import keras

    def relaid(layer):
        config = layer.get_config()
        if "data_format" in config:
            config["data_format"] = "channels_first"
        if isinstance(layer, keras.layers.BatchNormalization) and len(layer.input.shape) == 4:
            config["axis"] = 1
        return layer.__class__.from_config(config)

    height, width, channels = model.input_shape[1:]
    inputs = keras.Input((channels, height, width), name=model.inputs[0].name)
    clone = keras.models.clone_model(model, input_tensors=inputs, clone_function=relaid)
    clone.set_weights(model.get_weights())
    return clone


def keras_batch_norm(model):
    """Returns `model` with Keras' own `BatchNormalization` in place of each
    `FusedBatchNormalization` (same config and weights): the layer the builders would
    make without kerasrecipes' fused kernel.

    Example:

    >>> plain = keras_batch_norm(kr.models.get("fashion_vgg_lean"))
    """
    import keras

    from kerasrecipes.layers import FusedBatchNormalization

    def unfused(layer):
        cls = layer.__class__
        if cls is FusedBatchNormalization:
            cls = keras.layers.BatchNormalization
        return cls.from_config(layer.get_config())

    clone = keras.models.clone_model(model, clone_function=unfused)
    clone.set_weights(model.get_weights())
    return clone


def run(spec):
    """Measures `spec` in this process (the child's side of `measure`).

    Returns:
        A dict: the spec, params, forward_macs, train_flops_per_image, steps, step_s,
        images_per_s, peak_rss_mb, precision.
    """
    spec = {**DEFAULTS, **spec}
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import kerasrecipes as kr  # first: oneDNN's kernels on, unless `onednn` set the variable

    import numpy as np
    import tensorflow as tf

    if spec["threads"] is not None:
        tf.config.threading.set_intra_op_parallelism_threads(int(spec["threads"]))
    import keras

    sys.path.insert(0, HERE)
    from flops import forward_macs

    kwargs = dict(spec["kwargs"])
    if "input_shape" in kwargs:
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    keras.utils.set_random_seed(0)
    if spec["data_format"] not in DATA_FORMATS:
        raise ValueError(f"Spec key `data_format` must be one of {DATA_FORMATS}. "
                         f"Received: data_format={spec['data_format']!r}")
    if spec["batch_norm"] not in BATCH_NORMS:
        raise ValueError(f"Spec key `batch_norm` must be one of {BATCH_NORMS}. "
                         f"Received: batch_norm={spec['batch_norm']!r}")
    with kr.training.precision.policy_scope(spec["precision"]):
        model = kr.models.get(spec["model"], **kwargs)
        if spec["batch_norm"] == "keras":
            model = keras_batch_norm(model)
        if spec["data_format"] == "channels_first":
            model = channels_first(model)
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
                  loss="sparse_categorical_crossentropy",
                  jit_compile="auto" if spec["jit_compile"] is None else spec["jit_compile"])
    batch = int(spec["batch_size"])
    shape = (batch,) + tuple(model.input_shape[1:])
    classes = int(model.output_shape[-1])
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, shape).astype("float32")
    y = rng.integers(0, classes, batch)
    for _ in range(WARMUP_STEPS):
        model.train_on_batch(x, y)
    steps, start = 0, time.perf_counter()
    while steps < spec["max_steps"] and (steps < 2 or time.perf_counter() - start < spec["min_seconds"]):
        model.train_on_batch(x, y)
        steps += 1
    elapsed = time.perf_counter() - start
    macs = forward_macs(model)
    return {
        "spec": spec,
        "params": model.count_params(),
        "forward_macs": macs,
        "train_flops_per_image": 6 * macs,
        "steps": steps,
        "step_s": round(elapsed / steps, 4),
        "images_per_s": round(batch * steps / elapsed, 1),
        "peak_rss_mb": peak_rss_mb(),
        "precision": model.dtype_policy.name,
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
        "jit_compile": bool(model.jit_compile),
        "data_format": spec["data_format"],
        "batch_norm": spec["batch_norm"],
    }


def measure(spec, timeout=600):
    """Runs `run(spec)` in a fresh Python process and returns its dict.

    Raises:
        RuntimeError: the child failed (its last stderr lines are in the message).
    """
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p))
    if spec.get("onednn") is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = "1" if spec["onednn"] else "0"
    out = subprocess.run([sys.executable, os.path.abspath(__file__), json.dumps(spec)],
                         capture_output=True, text=True, env=env, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"Throughput run {spec} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))))
