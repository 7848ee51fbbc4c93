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
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

import kerasrecipes as kr  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from provenance import recipe_config  # noqa: E402
from provenance import write_result  # noqa: E402


def keras_io_convnet():
    """The model of https://keras.io/examples/vision/mnist_convnet/, verbatim."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            keras.layers.MaxPooling2D(pool_size=(2, 2)),
            keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            keras.layers.MaxPooling2D(pool_size=(2, 2)),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def run_baseline(epochs):
    (x_train, y_train), (x_test, y_test) = kr.data.load("fashion_mnist")
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    keras.utils.set_random_seed(0)
    model = keras_io_convnet()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=128, epochs=epochs, validation_split=0.1, verbose=2)
    wall = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return {
        "model": "keras.io simple MNIST convnet",
        "params": model.count_params(),
        "epochs": epochs,
        "train_images": int(len(x_train) * 0.9),
        "wall_s": round(wall, 1),
        "images_per_s": round(len(x_train) * 0.9 * epochs / wall, 1),
        "test_accuracy": round(float(accuracy), 4),
    }


def run_recipe(overrides):
    recipe = kr.recipes.get("fashion_mnist_vgg")(**overrides)
    train_images = sum(int(labels.shape[0]) for _, labels in recipe.train_data)
    start = time.perf_counter()
    history = recipe.fit(verbose=2)
    wall = time.perf_counter() - start
    metrics = recipe.evaluate()
    epochs = len(history.history["loss"])
    return {
        "model": "fashion_mnist_vgg",
        "params": recipe.model.count_params(),
        "config": recipe_config(recipe, overrides),
        "precision": recipe.model.dtype_policy.name,
        "epochs": epochs,
        "train_images": train_images,
        "wall_s": round(wall, 1),
        "images_per_s": round(train_images * epochs / wall, 1),
        "test_accuracy": round(float(metrics["accuracy"]), 4),
        "best_val_accuracy": round(max(history.history["val_accuracy"]), 4),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-baseline", type=int, default=15)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    overrides = dict(pair.split("=", 1) for pair in args.set)

    baseline = run_baseline(args.epochs_baseline)
    print(json.dumps(baseline))
    recipe = run_recipe(overrides)
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
