"""Inference speed with batch norm folded into the convolutions (`kr.models.fold_batch_norm`).

For the default model (`fashion_vgg_small`) and the Fashion-MNIST SqueezeNet
(`fashion_squeezenet` at width 0.5), each with batch-norm statistics drawn far from their
initial values so that a wrong fold would show: the largest difference between the
folded and the original model's probabilities, and images/s of both, interleaved A, B,
A, B, through

- Keras: `model.predict_on_batch` on a batch of 512 images;
- SavedModel: the exported `serving_default` signature (raw uint8 images), as served.

Each timing is the median over `--repeats` rounds of `--calls` calls, after two warm-up
calls.

    python benchmarks/fold.py            # ~2 min
    python benchmarks/fold.py --quick    # smoke run

Writes `benchmarks/results/fold.json` (`--quick`: marked quick).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import kerasrecipes as kr  # noqa: E402  (first: turns on oneDNN's kernels before TensorFlow)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from provenance import write_result  # noqa: E402

MODELS = {"fashion_vgg_small": {}, "fashion_squeezenet": {"width": 0.5}}
BATCH = 512


def batch_norm_statistics(model, seed):
    """Sets every batch norm's gamma, beta, moving mean and variance to random values
    (gamma positive, as training leaves it in these models), in place."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            channels = layer.moving_mean.shape[0]
            for variable, values in ((layer.gamma, rng.uniform(0.5, 2.0, channels)),
                                     (layer.beta, rng.normal(0, 0.5, channels)),
                                     (layer.moving_mean, rng.normal(0, 0.5, channels)),
                                     (layer.moving_variance, rng.uniform(0.2, 3.0, channels))):
                variable.assign(values)


def timed(call, calls, repeats_log):
    """Times `calls` calls of `call()`; appends the images/s to `repeats_log`."""
    start = time.perf_counter()
    for _ in range(calls):
        call()
    repeats_log.append(BATCH * calls / (time.perf_counter() - start))


def compare(name, kwargs, args, workdir):
    keras.utils.set_random_seed(0)
    original = kr.models.get(name, **kwargs)
    batch_norm_statistics(original, seed=0)
    folded = kr.models.fold_batch_norm(original)
    pixels = np.random.default_rng(1).integers(0, 256, (BATCH,) + original.input_shape[1:],
                                               dtype="uint8")
    x = pixels.astype("float32")
    difference = float(np.max(np.abs(folded.predict_on_batch(x) - original.predict_on_batch(x))))
    served = {}
    for label, model in (("original", original), ("folded", folded)):
        path = kr.export.save(model, os.path.join(workdir, f"{name}_{label}"), version=1)
        served[label] = tf.saved_model.load(path).signatures["serving_default"]
    calls = {
        "keras": {"original": lambda: original.predict_on_batch(x),
                  "folded": lambda: folded.predict_on_batch(x)},
        "saved_model": {label: (lambda fn=fn: fn(images=tf.constant(pixels)))
                        for label, fn in served.items()},
    }
    rows = {}
    for path, pair in calls.items():
        log = {"original": [], "folded": []}
        for call in pair.values():
            call(), call()  # warm-up: tracing, allocation
        for _ in range(args.repeats):
            for label in ("original", "folded"):
                timed(pair[label], args.calls, log[label])
        median = {k: statistics.median(v) for k, v in log.items()}
        rows[path] = {"images_per_s": {k: [round(v, 1) for v in vs] for k, vs in log.items()},
                      "median_images_per_s": {k: round(v, 1) for k, v in median.items()},
                      "speedup": round(median["folded"] / median["original"], 3)}
        print(name, path, rows[path]["median_images_per_s"], rows[path]["speedup"], flush=True)
    return {"kwargs": kwargs, "params": {"original": original.count_params(),
                                         "folded": folded.count_params()},
            "folded_batch_norms": len(folded.folded_batch_norms),
            "batch_norms": sum(isinstance(layer, keras.layers.BatchNormalization)
                               for layer in original.layers),
            "max_abs_probability_difference": difference, **rows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="smoke run: width 0.25, 1 round")
    parser.add_argument("--results-dir", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    models = dict(MODELS)
    if args.quick:
        models = {"fashion_vgg_small": {"width": 0.25}}
        args.repeats, args.calls = 1, 1
    with tempfile.TemporaryDirectory() as workdir:
        rows = {name: compare(name, kwargs, args, workdir) for name, kwargs in models.items()}
    config = {"batch_size": BATCH, "repeats": args.repeats, "calls": args.calls,
              "models": models, "order": "original, folded, original, folded, ..."}
    return write_result("fold", {"quick": args.quick, "models": rows}, config=config,
                        precision="float32", results_dir=args.results_dir)


if __name__ == "__main__":
    print(main())
