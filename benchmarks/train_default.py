"""Default recipe vs the keras.io "simple MNIST convnet", trained in one run on Fashion-MNIST.

These machines are shared and their speed varies, so the figure that matters is the ratio
of wall times measured side by side. The goal is `compare.py`'s for the default recipe
(`compare.GOALS`: >= 93.5 % test accuracy in at most 3x the keras.io model's wall time),
judged as there: on the total and on the median epochs, with the ratio of the process's
CPU-seconds recorded beside them. `compare.py --pairs N` repeats the same comparison
interleaved; this is the one-pair run a new user tries first.

    python benchmarks/train_default.py [--epochs-baseline 15] [--set key=value ...]

Writes benchmarks/results/train_default.json.
"""

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import kerasrecipes  # noqa: E402, F401  (first: turns on oneDNN's kernels before TensorFlow)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
from baselines import KERAS_IO_CONFIG  # noqa: E402
from baselines import run_baseline  # noqa: E402
from baselines import run_recipe  # noqa: E402
from provenance import write_result  # noqa: E402

RECIPE = "fashion_mnist_vgg"


def summarise(baseline, recipe):
    """The result of one run of each: both rows, the ratios and the goal's verdict.

    Args:
        baseline: `run_baseline()`'s row (without its model).
        recipe: `run_recipe()`'s row of the default recipe (without its model).

    Returns:
        A dict: `keras_io_convnet`, `default_recipe`, their `compare.ratios` (`wall_ratio`,
        `median_wall_ratio`, `cpu_ratio` where both rows record `cpu_s`), `goal`
        (`compare.goal_verdict`) and `goal_met`.
    """
    ratios = compare.ratios(recipe, baseline)
    goal = compare.goal_verdict(RECIPE, recipe["test_accuracy"],
                                recipe["wall_s"] / baseline["wall_s"],
                                baseline["test_accuracy"], ratios["median_wall_ratio"])
    return {"keras_io_convnet": baseline, "default_recipe": recipe, **ratios,
            "goal": goal, "goal_met": goal["met"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-baseline", type=int, default=15)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    overrides = dict(pair.split("=", 1) for pair in args.set)

    baseline = run_baseline(args.epochs_baseline)
    baseline.pop("keras_model")
    print(json.dumps(baseline))
    recipe = run_recipe(RECIPE, overrides)
    recipe.pop("keras_model")
    print(json.dumps(recipe))
    result = summarise(baseline, recipe)
    write_result("train_default", result,
                 config={RECIPE: recipe["config"],
                         "keras_io_convnet": {**KERAS_IO_CONFIG, "epochs": args.epochs_baseline}},
                 precision={RECIPE: recipe["precision"], "keras_io_convnet": "float32"},
                 command="python benchmarks/train_default.py " + " ".join(sys.argv[1:]))
    print(json.dumps({k: result[k] for k in ("wall_ratio", "median_wall_ratio", "goal_met")}))


if __name__ == "__main__":
    main()
