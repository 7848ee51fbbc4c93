"""Deployment formats side by side: size on disk, test accuracy and single-image latency.

For the VGG and SqueezeNet Fashion-MNIST recipes, each trained briefly through its recipe
(`--epochs`, 2 by default: enough to compare formats, not the recipes' full accuracy),
one export (`kr.export.save(..., tflite=[...])`) gives the SavedModel and the TFLite
float32, dynamic-range, float16 and full-integer int8 files (int8 calibrated on the
training pipeline), all serving one forward pass per image. A recipe whose config has
test-time augmentation (the default's 10 `flip_shift` views) also gets the SavedModel its
own `export()` writes, which serves those views. Each is then measured as a deployment
would run it:

- the SavedModel through `tf.saved_model.load` and its `serving_default` signature;
- the `.tflite` files in the LiteRT runtime (`ai_edge_litert`) with its default XNNPACK
  delegate, one thread;
- accuracy on the full test set (10,000 images), latency as the median of single-image
  calls after a warm-up.

Goal: the SqueezeNet model <= 1 MB as int8 with <= 1 point accuracy drop vs its Keras model.

    flock /tmp/kr-heavy.lock python benchmarks/export.py [--epochs 2]
    python benchmarks/export.py --quick --results-dir /tmp/x   # a smoke run in seconds

Writes benchmarks/results/export.json.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import kerasrecipes as kr  # noqa: E402  (first: turns on oneDNN's kernels before TensorFlow)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from kerasrecipes.export import lite  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import provenance  # noqa: E402

RECIPES = ("fashion_mnist_vgg", "fashion_mnist_squeezenet")
MODES = (None, "dynamic", "float16", "int8")
GOAL = {"recipe": "fashion_mnist_squeezenet", "format": "TFLite int8", "max_bytes": 1_000_000,
        "max_accuracy_drop_points": 1.0}


def median_latency_ms(call, image, runs):
    """Median wall time of `call(image)` over `runs` calls, after 5 warm-up calls."""
    for _ in range(5):
        call(image)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call(image)
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def saved_model_row(recipe_name, label, path, x_test, y_test, runs):
    """Size, test accuracy and single-image latency of the SavedModel at `path`."""
    serve = tf.saved_model.load(path).signatures["serving_default"]
    predicted = np.concatenate([serve(images=tf.constant(x_test[i:i + 500]))["class_id"].numpy()
                                for i in range(0, len(x_test), 500)])
    return {"recipe": recipe_name, "format": label,
            "bytes": kr.export.load_metadata(path)["size_bytes"],
            "accuracy": float(np.mean(predicted == y_test)),
            "latency_ms": median_latency_ms(lambda im: serve(images=im), tf.constant(x_test[:1]),
                                            runs)}


def measure(recipe_name, overrides, x_test, y_test, runs, work_dir):
    recipe = kr.recipes.get(recipe_name)(**overrides)
    recipe.fit(verbose=0)
    keras_metrics = recipe.evaluate()
    keras_accuracy = float(np.mean(
        recipe.model.predict(x_test.astype("float32"), batch_size=500, verbose=0).argmax(-1) == y_test))
    # The formats are compared on the model alone, one forward pass per image.
    path = recipe.export(work_dir, metrics={"accuracy": keras_accuracy}, tflite=list(MODES),
                         tta="none")
    rows = [{"recipe": recipe_name, "format": "Keras (float)", "bytes": None,
             "accuracy": keras_accuracy, "latency_ms": None,
             "params": int(recipe.model.count_params())}]
    rows.append(saved_model_row(recipe_name, "SavedModel", path, x_test, y_test, runs))
    if recipe.config.tta:  # what the recipe's own export serves: its config's TTA views
        served = recipe.export(os.path.join(work_dir, "served"))
        rows.append(saved_model_row(recipe_name, f"SavedModel, {recipe.config.tta} TTA", served,
                                    x_test, y_test, runs))
    for mode in MODES:
        file_path = os.path.join(path, lite.file_name(mode))
        runner = lite.interpreter(file_path, num_threads=1)
        probs = lite.run(runner, x_test, batch_size=100)
        single = lite.interpreter(file_path, num_threads=1)
        rows.append({"recipe": recipe_name, "format": f"TFLite {mode or 'float32'}",
                     "bytes": os.path.getsize(file_path),
                     "accuracy": float(np.mean(probs.argmax(-1) == y_test)),
                     "latency_ms": median_latency_ms(lambda im: lite.run(single, im), x_test[:1], runs)})
    return (rows, provenance.recipe_config(recipe, overrides), recipe.model.dtype_policy.name,
            keras_metrics)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=200, help="single-image calls timed")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1,000 training images, 1 epoch, quarter width, "
                             "500 test images")
    parser.add_argument("--results-dir", default=provenance.RESULTS_DIR)
    args = parser.parse_args(argv)
    provenance.RESULTS_DIR = args.results_dir
    (_, _), (x_test, y_test) = kr.data.load("fashion_mnist")
    overrides = {"epochs": args.epochs}
    if args.quick:
        overrides = {"epochs": 1, "train_samples": 1000, "width": 0.25}
        x_test, y_test, args.runs = x_test[:500], y_test[:500], 20
    rows, configs, precisions = [], {}, {}
    with tempfile.TemporaryDirectory() as work_dir:
        for name in RECIPES:
            start = time.perf_counter()
            recipe_rows, configs[name], precisions[name], _ = measure(
                name, overrides, x_test, y_test, args.runs, work_dir)
            rows += recipe_rows
            print(f"{name}: {time.perf_counter() - start:.0f} s", flush=True)
            for row in recipe_rows:
                print(row, flush=True)
    keras_row = next(r for r in rows if r["recipe"] == GOAL["recipe"] and r["format"].startswith("Keras"))
    goal_row = next(r for r in rows if r["recipe"] == GOAL["recipe"] and r["format"] == GOAL["format"])
    drop = 100 * (keras_row["accuracy"] - goal_row["accuracy"])
    goal = {**GOAL, "bytes": goal_row["bytes"], "accuracy_drop_points": drop,
            "met": goal_row["bytes"] <= GOAL["max_bytes"] and drop <= GOAL["max_accuracy_drop_points"]}
    result = {"quick": args.quick, "test_images": int(len(x_test)), "latency_runs": args.runs,
              "threads": 1, "rows": rows, "goal": goal}
    path = provenance.write_result(
        "export", result, config=configs, precision=precisions,
        command="python benchmarks/export.py" + (" --quick" if args.quick else "")
        + f" --epochs {args.epochs}" * (not args.quick),
        note=f"each recipe trained {overrides['epochs']} epoch(s) only, to compare formats")
    print(f"Wrote {path}; goal met: {goal['met']} ({goal_row['bytes']:,} bytes, "
          f"drop {drop:.2f} points)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
