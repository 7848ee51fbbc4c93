"""Accuracy effect of augmentation policies on Fashion-MNIST: same recipe, epochs and seed.

Trains the `fashion_mnist_vgg` recipe once per policy with only `augment` (and the
epoch count) overridden, as `kerasrecipes train fashion_mnist_vgg --set augment=NAME`
would, and records test accuracy, best validation accuracy and wall time. Short runs
favour weak augmentation (strong policies pay off over long schedules), so read the
numbers with the epoch count beside them.

    flock /tmp/kr-heavy.lock python benchmarks/augment_accuracy.py --epochs 3 \
        --policies flip_crop fancy_pca strong

Writes benchmarks/results/augment_accuracy.json.
"""

import argparse
import json
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

import kerasrecipes as kr  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                       "augment_accuracy.json")


def run(policy, epochs, overrides):
    recipe = kr.recipes.get("fashion_mnist_vgg")(augment=policy, epochs=epochs, **overrides)
    start = time.perf_counter()
    history = recipe.fit(verbose=2)
    wall = time.perf_counter() - start
    metrics = recipe.evaluate()
    return {
        "augment": policy,
        "epochs": epochs,
        "seed": recipe.config.seed,
        "test_accuracy": round(float(metrics["accuracy"]), 4),
        "test_loss": round(float(metrics["loss"]), 4),
        "best_val_accuracy": round(max(history.history["val_accuracy"]), 4),
        "final_train_accuracy": round(history.history["accuracy"][-1], 4),
        "wall_s": round(wall, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--policies", nargs="+", default=["flip_crop", "fancy_pca", "strong"])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--output", default=RESULTS)
    args = parser.parse_args()
    overrides = dict(pair.split("=", 1) for pair in args.set)

    runs = []
    for policy in args.policies:
        runs.append(run(policy, args.epochs, overrides))
        print(json.dumps(runs[-1]), flush=True)
    baseline = next((r for r in runs if r["augment"] == "flip_crop"), runs[0])
    result = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "keras": keras.__version__},
        "recipe": "fashion_mnist_vgg",
        "overrides": {"epochs": args.epochs, **overrides},
        "runs": runs,
        "test_accuracy_minus_flip_crop": {
            r["augment"]: round(r["test_accuracy"] - baseline["test_accuracy"], 4) for r in runs
        },
    }
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w") as handle:
        json.dump(result, handle, indent=2)
    print(json.dumps(result["test_accuracy_minus_flip_crop"]))


if __name__ == "__main__":
    main()
