"""The four-quadrant fine-tuning table, measured: every strategy in every quadrant vs scratch.

Base: a small VGG trained on Fashion-MNIST classes 0-4. New tasks (test accuracies on
held-out test images):

| quadrant | data |
|---|---|
| similar, little | Fashion-MNIST classes 5-9, 50 images per class |
| similar, a lot | Fashion-MNIST classes 5-9, 1,000 per class |
| different, little | scikit-learn digits (8x8 resized to 28x28), 50 per class |
| different, a lot | letters A-J rendered from system fonts (benchmarks/letters.py), 1,000 per class; test fonts unseen |
| + 5 per class | both similar and different tasks with 5 images per class |

Columns: linear_top, linear_early, top_layers, many_layers, scratch; mean ± std over 3
seeds (the data subset and the training both change with the seed). `auto` runs once
per row (seed 0) and records what it chose and why.

    sh benchmarks/setup_fonts.sh             # once: more fonts for the letters
    flock /tmp/kr-heavy.lock python benchmarks/fine_tune.py [--quick]

Writes benchmarks/results/fine_tune.json (--quick writes fine_tune_quick.json).
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kerasrecipes as kr  # noqa: E402  (first: turns on oneDNN's kernels before TensorFlow)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import letters  # noqa: E402
from provenance import write_result  # noqa: E402

COLUMNS = ("linear_top", "linear_early", "top_layers", "many_layers", "scratch")
FULL = dict(
    seeds=3, base_images=6000, base_epochs=3, lot=1000, little=50, few=5,
    test_images=1000, epochs_lot=2, epochs_little=20, head_epochs=20,
    batch_lot=128, batch_little=32,
    base=dict(config=[[16], [32, 32], [64]], dense_units=[128], dropout=0.3),
)
QUICK = dict(
    seeds=1, base_images=1000, base_epochs=1, lot=60, little=10, few=5,
    test_images=300, epochs_lot=1, epochs_little=2, head_epochs=3,
    batch_lot=64, batch_little=32,
    base=dict(config=[[8], [8], [16]], dense_units=[16], dropout=0.3),
)


def subset(x, y, per_class, seed):
    """Returns `per_class` seeded random images of every class."""
    rng = np.random.default_rng(seed)
    index = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:per_class]
                            for c in np.unique(y)])
    return x[index], y[index]


def digits():
    from sklearn.datasets import load_digits

    found = load_digits()
    images = (found.images / 16.0 * 255.0).astype("float32")[..., np.newaxis]
    images = np.asarray(keras.ops.image.resize(images, (28, 28)))
    return np.clip(np.round(images), 0, 255).astype("uint8"), found.target.astype("int32")


def tasks(cfg):
    """Returns `{name: (train_pool, test)}` for the new tasks, and the base's training data."""
    (x_train, y_train), (x_test, y_test) = kr.data.load("fashion_mnist")
    old = y_train < 5
    base_data = subset(x_train[old], y_train[old], cfg["base_images"] // 5, 0)
    new_train = (x_train[~old], y_train[~old] - 5)
    new_test = subset(x_test[y_test >= 5], y_test[y_test >= 5] - 5, cfg["test_images"] // 5, 0)
    x_digits, y_digits = digits()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y_digits))
    cut = len(order) // 2  # ~90 images per class to draw from, ~90 to test on
    digits_pool = (x_digits[order[:cut]], y_digits[order[:cut]])
    digits_test = (x_digits[order[cut:]], y_digits[order[cut:]])
    if cfg.get("letters_npz"):
        with np.load(cfg["letters_path"]) as saved:
            letters_pool = (saved["x_train"], saved["y_train"])
            letters_test = (saved["x_test"], saved["y_test"])
            fonts = {"train_fonts": int(saved["train_fonts"]), "test_fonts": int(saved["test_fonts"])}
    else:
        letters_pool, letters_test, fonts = letters.train_test(cfg["lot"], cfg["test_images"] // 10)
    return base_data, {
        "similar": (new_train, new_test),
        "different_little": (digits_pool, digits_test),
        "different_lot": (letters_pool, letters_test),
    }, fonts


ROWS = (
    # (row, task, images per class key, size)
    ("similar, 5 per class", "similar", "few", "little"),
    ("similar, little", "similar", "little", "little"),
    ("similar, a lot", "similar", "lot", "lot"),
    ("different, 5 per class", "different_little", "few", "little"),
    ("different, little", "different_little", "little", "little"),
    ("different, a lot", "different_lot", "lot", "lot"),
)
TABLE_ADVICE = {"similar, little": "linear_top", "different, little": "linear_early",
                "similar, a lot": "top_layers", "different, a lot": "many_layers"}


def train_base(base_data, cfg):
    keras.utils.set_random_seed(0)
    spec = cfg["base"]
    base = kr.models.vgg(
        config=spec["config"], input_shape=(28, 28, 1), classes=5, norm="batch", head="dense",
        dense_units=tuple(spec["dense_units"]), dropout=spec["dropout"],
        activation_after_pool=True, final_pool=False, name="fashion_0_4",
    )
    base.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                 metrics=["accuracy"])
    base.fit(kr.data.pipeline(*base_data, 128, training=True, seed=0),
             epochs=cfg["base_epochs"], verbose=0)
    return base


def run(cfg):
    started = time.time()
    base_data, task_data, font_counts = tasks(cfg)
    base = train_base(base_data, cfg)
    _, (x_test, y_test) = kr.data.load("fashion_mnist")
    base_acc = kr.transfer.strategies.accuracy(base, x_test[y_test < 5], y_test[y_test < 5])
    statistics = kr.transfer.feature_statistics(base, base_data[0])
    rows = []
    for row, task, size_key, size in ROWS:
        (x_pool, y_pool), (x_eval, y_eval) = task_data[task]
        per_class = cfg[size_key]
        options = dict(
            epochs=cfg[f"epochs_{size}"], batch_size=cfg[f"batch_{size}"],
            head_epochs=cfg["head_epochs"],
        )
        accuracies = {column: [] for column in COLUMNS}
        for seed in range(cfg["seeds"]):
            x, y = subset(x_pool, y_pool, per_class, seed)
            for column in COLUMNS:
                result = kr.transfer.fine_tune(base, (x, y), strategy=column, seed=seed, **options)
                accuracies[column].append(
                    kr.transfer.strategies.accuracy(result.model, x_eval, y_eval))
            print(row, seed, {c: round(a[-1], 3) for c, a in accuracies.items()}, flush=True)
        x, y = subset(x_pool, y_pool, per_class, 0)
        auto = kr.transfer.fine_tune(base, (x, y), strategy="auto", base_statistics=statistics,
                                     seed=0, **options)
        auto_acc = kr.transfer.strategies.accuracy(auto.model, x_eval, y_eval)
        print(row, "auto:", auto.strategy, round(auto_acc, 3), "|", auto.reason, flush=True)
        rows.append({
            "row": row, "images_per_class": per_class, "classes": int(len(np.unique(y))),
            "test_images": int(len(y_eval)), "table_advice": TABLE_ADVICE.get(row),
            "test_accuracy": {c: {"mean": float(np.mean(a)), "std": float(np.std(a)),
                                  "runs": [float(v) for v in a]} for c, a in accuracies.items()},
            "auto": {"strategy": auto.strategy, "reason": auto.reason,
                     "test_accuracy": auto_acc,
                     "measured": {k: v for k, v in auto.measured.items()}},
        })
    return {"base_test_accuracy_classes_0_4": base_acc, "rows": rows,
            "letters_fonts": font_counts, "seconds": round(time.time() - started, 1)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one seed: checks the program runs (fine_tune_quick.json)")
    parser.add_argument("--letters", help="pre-rendered letters .npz (benchmarks/letters.py "
                        "--npz, same sizes) for machines without the fonts")
    args = parser.parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)
    if args.letters:
        cfg["letters_npz"] = os.path.basename(args.letters)  # no absolute paths in results
        cfg["letters_path"] = args.letters
    result = run(cfg)
    name = "fine_tune_quick" if args.quick else "fine_tune"
    cfg.pop("letters_path", None)
    config = {**cfg, "fine_tune_defaults": {
        "learning_rate": 1e-3, "lr_ratio": kr.transfer.strategies.LR_RATIO,
        "little_data": kr.transfer.planner.LITTLE_DATA,
        "similar_below": kr.transfer.planner.SIMILAR_BELOW}}
    path = write_result(name, result, config=config,
                        precision=keras.mixed_precision.dtype_policy().name)
    print(f"Wrote {path} in {result['seconds']} s")


if __name__ == "__main__":
    main()
