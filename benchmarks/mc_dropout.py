"""MC-dropout spread on out-of-domain images (digits) versus Fashion-MNIST test images.

The seeds' "dropout as a Bayesian approximation": a model trained with dropout and run
many times with dropout on should disagree with itself more on images unlike anything
it was trained on. This trains the default recipe (`fashion_mnist_vgg`, dropout 0.4 in
its dense head) briefly on a subset, then runs `kr.training.predict_mc_dropout` on
Fashion-MNIST test images (in domain) and on scikit-learn's 8×8 handwritten digits
resized to 28×28 and scaled to 0..255 (out of domain: the same black background, but
no garment). It records, per set, the mean spread (standard deviation over the passes
of the mean-predicted class's probability), the mean top probability, and how well the
spread alone separates the two sets (ROC AUC; 0.5 is chance).

    flock /tmp/kr-heavy.lock python benchmarks/mc_dropout.py          # full: ~3 min CPU
    python benchmarks/mc_dropout.py --quick                           # ~30 s CPU, no JSON

Writes benchmarks/results/mc_dropout.json (not in --quick mode).
"""

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import kerasrecipes as kr  # noqa: E402  (first: turns on oneDNN's kernels before TensorFlow)

import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

FULL = dict(train_samples=10000, epochs=3, images=1000, samples=30, validation_split=0.1)
# Quick: enough training (~83 % accuracy) for the model to be sure of garments at all.
QUICK = dict(train_samples=4000, epochs=2, images=200, samples=8, validation_split=0.02)
RECIPE = "fashion_mnist_vgg"


def digits_28(count):
    """Returns `count` scikit-learn digits as 28×28×1 float32 images in 0..255."""
    from sklearn.datasets import load_digits

    images = load_digits().images[:count].astype("float32") * (255.0 / 16.0)
    resized = keras.ops.image.resize(images[..., None], (28, 28), interpolation="bilinear")
    return np.clip(keras.ops.convert_to_numpy(resized), 0, 255).astype("float32")


def _summary(mean, std):
    top = mean.argmax(axis=-1)
    spread = std[np.arange(len(top)), top]
    return spread, {
        "mean_spread": round(float(spread.mean()), 4),
        "median_spread": round(float(np.median(spread)), 4),
        "mean_top_probability": round(float(mean.max(axis=-1).mean()), 4),
        # The spread over every class at once: sqrt of the summed per-class variances.
        "mean_total_spread": round(float(np.sqrt((std**2).sum(axis=-1)).mean()), 4),
    }


def run(train_samples, epochs, images, samples, validation_split, seed=0):
    """Trains briefly, then measures the MC-dropout spread in and out of domain.

    The in-domain images are the first `images` of the Fashion-MNIST test set; the
    test accuracy is measured on the whole test set.

    Returns:
        `(result, config)`: the figures and the recipe's full config dict.
    """
    from sklearn.metrics import roc_auc_score

    overrides = dict(train_samples=train_samples, epochs=epochs, seed=seed,
                     validation_split=validation_split)
    recipe = kr.recipes.get(RECIPE)(**overrides)
    recipe.fit(verbose=0)
    test_accuracy = float(recipe.evaluate()["accuracy"])
    _, (x_test, _) = kr.data.load("fashion_mnist")
    in_domain = x_test[:images].astype("float32")
    out_domain = digits_28(images)
    keras.utils.set_random_seed(seed)
    spread_in, fashion = _summary(*kr.training.predict_mc_dropout(recipe.model, in_domain, samples))
    spread_out, digits = _summary(*kr.training.predict_mc_dropout(recipe.model, out_domain, samples))
    labels = np.r_[np.zeros(len(spread_in)), np.ones(len(spread_out))]
    result = {
        "recipe": RECIPE,
        "train_samples": train_samples,
        "epochs": epochs,
        "images_per_set": images,
        "samples": samples,
        "test_accuracy": round(test_accuracy, 4),
        "fashion_mnist_test": fashion,
        "digits_out_of_domain": digits,
        "spread_ratio": round(digits["mean_spread"] / fashion["mean_spread"], 3),
        "spread_roc_auc": round(float(roc_auc_score(labels, np.r_[spread_in, spread_out])), 4),
    }
    from provenance import recipe_config

    return result, recipe_config(recipe, overrides)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run, prints only")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    result, config = run(**settings)
    print(json.dumps(result, indent=1))
    if not args.quick:
        from provenance import write_result

        path = write_result("mc_dropout", result, config=config,
                            precision=kr.training.precision.resolve(config["precision"]),
                            command="python benchmarks/mc_dropout.py", settings=settings)
        print(f"wrote {path}")
    return result


if __name__ == "__main__":
    main()
