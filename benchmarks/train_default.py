"""Default recipe vs the keras.io "simple MNIST convnet", trained in one run on Fashion-MNIST.

These machines are shared and their speed varies, so the figure that matters is the ratio
of wall times measured side by side: the goal is the default recipe reaching >= 93.5 %
test accuracy in at most 3x the keras.io model's wall time.

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
from baselines import run_baseline  # noqa: E402
from baselines import run_recipe  # noqa: E402
from provenance import write_result  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-baseline", type=int, default=15)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    overrides = dict(pair.split("=", 1) for pair in args.set)

    baseline = run_baseline(args.epochs_baseline)
    baseline.pop("keras_model")
    print(json.dumps(baseline))
    recipe = run_recipe("fashion_mnist_vgg", overrides)
    recipe.pop("keras_model")
    print(json.dumps(recipe))
    ratio = recipe["wall_s"] / baseline["wall_s"]
    result = {
        "keras_io_convnet": baseline,
        "default_recipe": recipe,
        "wall_ratio_recipe_over_baseline": round(ratio, 2),
        "goal": {"test_accuracy_at_least": 0.935, "wall_ratio_at_most": 3.0},
        "goal_met": recipe["test_accuracy"] >= 0.935 and ratio <= 3.0,
    }
    write_result("train_default", result,
                 config={"fashion_mnist_vgg": recipe["config"],
                         "keras_io_convnet": {"optimizer": "adam", "batch_size": 128,
                                              "epochs": args.epochs_baseline}},
                 precision={"fashion_mnist_vgg": recipe["precision"],
                            "keras_io_convnet": "float32"},
                 command="python benchmarks/train_default.py " + " ".join(sys.argv[1:]))
    print(json.dumps({k: result[k] for k in ("wall_ratio_recipe_over_baseline", "goal_met")}))


if __name__ == "__main__":
    main()
