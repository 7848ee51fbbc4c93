"""The seeds' training tips, each measured: one A/B(/C…) per tip on Fashion-MNIST, 3 seeds.

Every arm is the default recipe with the `fashion_vgg_small` model, scored in one forward
pass (`BASE`), changed by the arm's overrides. Every row trains its arms on the same
budget (training subset, epochs, width, batch: the row's `budget`, recorded in the JSON
and printed under the table), with seeds 0, 1, 2,
and scores each on the full Fashion-MNIST test set (10,000 images). Each of the row's
claims compares two arms on one metric and gets a verdict by one rule (`verdict`, kept
with the renderer in benchmarks/tables/tips.py):

    d = mean(A) - mean(B), noise = sqrt(std(A)² + std(B)²)   (std over seeds)
    "confirmed" when d is beyond the noise in the claim's direction,
    "not confirmed" when it is beyond the noise the other way,
    "within noise / depends" otherwise.

Rows (`--only`): init, batch_norm, activations, pooling, preprocessing, augmentation,
regularization, optimizers, shuffle, small_models, ensembles_extras. The ensemble half
of the last row is cited from benchmarks/results/ensembles.json (its renderer reads it).

    nice python benchmarks/tips.py                    # the whole table, 1–1.5 h on 2 cores
    python benchmarks/tips.py --only shuffle,pooling  # some rows, merged into tips.json
    python benchmarks/tips.py --quick                 # a smoke run (tiny budget, 1 seed)

Writes benchmarks/results/tips.json (after every row, atomically, so a killed run keeps
its finished rows; each row records the date and commit it was measured at, since
`--only` merges rows from different runs) and tips.md (the README's table,
`benchmarks/tables/tips.py`). Prints one JSON line per arm and seed as it finishes.
"""

import argparse
import importlib.util
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import kerasrecipes as kr  # noqa: E402  (first: turns on oneDNN's kernels before TensorFlow)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kerasrecipes.models.common import width_scaler  # noqa: E402
from kerasrecipes.training import statistics as statistics_lib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import provenance  # noqa: E402


def _table_module():
    """`benchmarks/tables/tips.py`: the renderer, home of the verdict rule (stdlib only)."""
    tables = os.path.join(HERE, "tables")
    if tables not in sys.path:
        sys.path.insert(0, tables)  # the renderers share `_format.py` beside them
    spec = importlib.util.spec_from_file_location("_kr_table_tips", os.path.join(tables, "tips.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TABLE = _table_module()
VERDICTS, VERDICT_RULE = TABLE.VERDICTS, TABLE.VERDICT_RULE

RECIPE = "fashion_mnist_vgg"
# What every arm changes one thing of: the default recipe with the model the rows'
# budgets were sized on, scored in one forward pass (TTA is an arm of its own). Pinned,
# so that a change of the default recipe's model or TTA leaves the table current.
BASE = {"model": "fashion_vgg_small", "tta": None}
NAME = "tips"
# Every row's arms share this budget unless the row says otherwise; validation is 5 % of
# the 60,000 training images (3,000), the training subset is drawn from the rest.
BASE_BUDGET = dict(train_samples=10000, epochs=4, width=0.25, batch_size=128,
                   validation_split=0.05, augment="none")
QUICK_BUDGET = dict(train_samples=300, epochs=1, width=0.125, validation_split=0.01)
QUICK_TEST_IMAGES = 500
# Validation accuracy checked this many times per epoch for "steps to X %" (batch_norm).
CURVE_CHECKS_PER_EPOCH = 4
CURVE_IMAGES = 2000
TARGETS = (0.85, 0.90)
# Units of each metric in the effect size: accuracies in points, times in seconds.
UNITS = {"test_accuracy": ("pt", 100.0), "epoch_s": ("s", 1.0), "images_per_s": ("img/s", 1.0),
         "params": ("params", 1.0), "savedmodel_mb": ("MB", 1.0), "gap": ("pt", 100.0)}


# --- the verdict rule ------------------------------------------------------------------

def mean_std(values):
    """Returns `(mean, std)` of a list (sample std; 0 for one value)."""
    values = [float(v) for v in values]
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def verdict(a_values, b_values, higher_is_better=True):
    """Judges the claim "A beats B" by the rule in `VERDICT_RULE`.

    Args:
        a_values, b_values: the per-seed values of arms A and B.
        higher_is_better: bool, the claim's direction on this metric.

    Returns:
        `(verdict, d, noise)`: one of `VERDICTS`, `mean(A) - mean(B)` and the combined std.

    Example:

    >>> verdict([0.91, 0.92, 0.93], [0.88, 0.89, 0.90])[0]
    'confirmed'
    """
    (mean_a, std_a), (mean_b, std_b) = mean_std(a_values), mean_std(b_values)
    d, noise = mean_a - mean_b, math.hypot(std_a, std_b)
    return TABLE.judge(d, noise, higher_is_better), d, noise


def effect(d, noise, metric):
    """Formats a difference in the metric's unit: `+0.40 ± 0.20 pt`."""
    unit, scale = UNITS.get(metric, ("", 1.0))
    digits = 0 if metric in ("params", "images_per_s") else 2
    return f"{d * scale:+,.{digits}f} ± {noise * scale:,.{digits}f} {unit}".rstrip()


# --- callbacks ------------------------------------------------------------------------

class EpochTimer(keras.callbacks.Callback):
    """Records each epoch's training time (first batch start to last batch end, no validation)."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = self._end = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._end = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(self._end - self._start)

    def median(self):
        """The median epoch time, leaving out the first epoch (tracing) when there are more."""
        return statistics.median(self.seconds[1:] or self.seconds)


class ValidationCurve(keras.callbacks.Callback):
    """Validation accuracy every `every` steps, and the first step reaching each target."""

    def __init__(self, x, y, every, targets=TARGETS):
        super().__init__()
        self.x, self.y, self.every, self.targets = x, np.asarray(y).reshape(-1), every, targets
        self.step, self.curve = 0, []

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.step % self.every == 0:
            probabilities = np.concatenate([
                keras.ops.convert_to_numpy(self.model(self.x[i:i + 500], training=False))
                for i in range(0, len(self.x), 500)])
            self.curve.append((self.step, float((probabilities.argmax(-1) == self.y).mean())))

    def steps_to(self):
        """`{"85": step or None, ...}`: the first checked step at or above each target."""
        return {f"{100 * t:.0f}": next((s for s, a in self.curve if a >= t), None)
                for t in self.targets}


# --- models the recipe keys cannot express --------------------------------------------

def deep_plain(initializer):
    """Returns `model(recipe)`: an 11-conv plain ReLU VGG (no norm) with `initializer`."""
    def build(recipe):
        width = recipe.config.width
        return kr.models.vgg(
            config=[[64] * 4, [128] * 4, [256] * 3], input_shape=recipe.source.input_shape,
            classes=recipe.source.classes, width=width, norm=None, activation="relu",
            kernel_initializer=initializer, head="dense", dense_units=(256,), dropout=0.0,
            final_pool=False, name=f"deep_plain_{initializer}")
    return build


def small_vgg_bn(placement):
    """Returns `model(recipe)`: the base model's layout with batch norm `placement`.

    `"before"` the ReLU (the builders' order), `"after"` it, or None. The builders only
    place a norm before the activation, so this row builds its three arms here.
    """
    def build(recipe):
        scaled = width_scaler(recipe.config.width)
        inputs = keras.Input(recipe.source.input_shape, name="images")
        x = keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="squeeze")(inputs)

        def unit(x, layer, name):
            x = layer(x)
            if placement == "before":
                x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
            x = keras.layers.ReLU(name=f"{name}_relu")(x)
            if placement == "after":
                x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
            return x

        for stage, filters in enumerate([[32], [64, 64], [128]]):
            for index, units in enumerate(filters):
                name = f"block{stage + 1}_conv{index + 1}"
                x = unit(x, keras.layers.Conv2D(scaled(units), 3, padding="same",
                                                use_bias=placement != "before",
                                                kernel_initializer="he_normal", name=name), name)
            if stage < 2:
                x = keras.layers.MaxPooling2D(2, name=f"block{stage + 1}_pool")(x)
        x = keras.layers.Flatten(name="flatten")(x)
        x = unit(x, keras.layers.Dense(scaled(256), use_bias=placement != "before",
                                       kernel_initializer="he_normal", name="fc1"), "fc1")
        x = keras.layers.Dropout(0.4, name="fc1_dropout")(x)
        outputs = keras.layers.Dense(recipe.source.classes, activation="softmax",
                                     dtype="float32", name="predictions")(x)
        return keras.Model(inputs, outputs, name=f"vgg_bn_{placement or 'none'}")
    return build


def swap_model(recipe, model):
    """Puts `model` into `recipe`, compiled with the recipe's own optimizer, loss and metrics."""
    old = recipe.model
    model.compile(optimizer=old.optimizer, loss=old.loss, metrics=["accuracy"],
                  jit_compile=old.jit_compile)
    recipe.model = model


def fixed_order(recipe, seed):
    """The training split in one seeded order, batched the same way every epoch.

    `kr.data.pipeline(training=True)` always reshuffles every epoch (its docstring quotes
    the seeds' "always shuffle"); it has no switch for one fixed order, so the fixed arm
    is built here: shuffled once, then the evaluation pipeline (cached, unshuffled).
    """
    x, y = recipe.source.train
    order = np.random.default_rng(seed).permutation(len(x))
    return kr.data.pipeline(x[order], y[order], recipe.config.batch_size)


def folder_bytes(path):
    """Returns the total size of the files under `path`."""
    return sum(os.path.getsize(os.path.join(root, name))
               for root, _, names in os.walk(path) for name in names)


# --- the rows -------------------------------------------------------------------------
# An arm: (name, recipe overrides, options). Options: model (a `build(recipe)`),
# fixed_order, curve, train_gap, tta, timing, export. A claim: (text, arm A, arm B,
# metric, higher_is_better).

INITIALIZERS = ("zeros", "small_random", "calibrated", "he_normal", "he_uniform",
                "glorot_normal", "glorot_uniform")


def _optimizer_arm(name):
    # Each optimizer at the seeds' starting LR for it (0.1 for SGD, lower for adaptive ones).
    rate = kr.training.optimizers.DEFAULT_LEARNING_RATES[name]
    return (name, dict(optimizer=name, learning_rate=rate), {})


ROWS = {
    "init": dict(
        title="Initialisation, 11-conv plain ReLU net (no norm)",
        # The deep net costs ~4x the base model per image even at half the width; with
        # no norm, SGD + Nesterov stalls at chance here at LR 0.01, Adam trains it.
        budget=dict(optimizer="adam", learning_rate=0.001, width=0.125, train_samples=4000,
                    epochs=3),
        arms=[(name, dict(initializer=name), dict(model=deep_plain(name), init_std=True))
              for name in INITIALIZERS],
        claims=[("He init trains a deep plain ReLU net; zeros do not", "he_normal", "zeros",
                 "test_accuracy", True),
                ("He beats 0.001·N(0,1)", "he_normal", "small_random", "test_accuracy", True),
                ("He beats N(0,1)/√n", "he_normal", "calibrated", "test_accuracy", True),
                ("He beats Xavier in a ReLU net", "he_normal", "glorot_normal",
                 "test_accuracy", True),
                ("He normal beats He uniform", "he_normal", "he_uniform",
                 "test_accuracy", True)],
    ),
    "batch_norm": dict(
        title="Batch norm placement; BN allows a higher LR",
        budget={},
        arms=[("bn_before", {}, dict(model=small_vgg_bn("before"), curve=True)),
              ("bn_after", {}, dict(model=small_vgg_bn("after"), curve=True)),
              ("no_bn", {}, dict(model=small_vgg_bn(None), curve=True)),
              ("no_bn_lr0.01", dict(learning_rate=0.01), dict(model=small_vgg_bn(None),
                                                               curve=True))],
        claims=[("BN before the nonlinearity beats after", "bn_before", "bn_after",
                 "test_accuracy", True),
                ("BN beats none (both at LR 0.1)", "bn_before", "no_bn", "test_accuracy", True),
                ("BN at LR 0.1 beats no BN at LR 0.01", "bn_before", "no_bn_lr0.01",
                 "test_accuracy", True)],
    ),
    "activations": dict(
        title="Activations",
        budget={},
        arms=[(name.split(":")[0], dict(activation=name), dict(timing=True))
              for name in ("relu", "leaky_relu", "prelu:0.1", "rrelu", "elu", "tanh", "sigmoid")],
        claims=[("PReLU converges faster than ReLU (accuracy after the budget)", "prelu", "relu",
                 "test_accuracy", True),
                ("leaky ReLU beats ReLU", "leaky_relu", "relu", "test_accuracy", True),
                ("RReLU beats ReLU", "rrelu", "relu", "test_accuracy", True),
                ("ELU is costly (time per epoch vs ReLU)", "relu", "elu", "epoch_s", False),
                ("ReLU beats tanh", "relu", "tanh", "test_accuracy", True),
                ("ReLU beats sigmoid", "relu", "sigmoid", "test_accuracy", True)],
    ),
    "pooling": dict(
        title="Max pooling vs LRN; nonlinearity after pooling",
        budget={},
        arms=[("maxpool", dict(norm="off"), dict(timing=True)),
              ("maxpool_lrn", dict(norm="lrn"), dict(timing=True)),
              ("act_after_pool", {}, dict(timing=True, pool_order=True)),
              ("act_before_pool", {}, dict(timing=True, pool_order=False))],
        claims=[("LRN costs time (max pooling alone is faster)", "maxpool", "maxpool_lrn",
                 "epoch_s", False),
                ("LRN adds accuracy over max pooling alone", "maxpool_lrn", "maxpool",
                 "test_accuracy", True),
                ("ReLU after pooling saves time", "act_after_pool", "act_before_pool",
                 "epoch_s", False)],
    ),
    "preprocessing": dict(
        title="Preprocessing",
        budget={},
        arms=[("squeeze", dict(preprocessing="squeeze"), {}),
              ("standardize", dict(preprocessing="standardize"), {}),
              ("zca", dict(preprocessing="zca"), {})],
        claims=[("mean/std beats [-1, 1]", "standardize", "squeeze", "test_accuracy", True),
                ("ZCA whitening beats mean/std", "zca", "standardize", "test_accuracy", True)],
    ),
    "augmentation": dict(
        title="Augmentation",
        budget=dict(train_samples=5000, epochs=12),
        arms=[(name, dict(augment=name), {})
              for name in ("none", "flip_crop", "fancy_pca", "strong")],
        claims=[("flip + crop beats none", "flip_crop", "none", "test_accuracy", True),
                ("fancy PCA adds to flip + crop", "fancy_pca", "flip_crop", "test_accuracy",
                 True),
                ("strong random transforms beat flip + crop", "strong", "flip_crop",
                 "test_accuracy", True)],
    ),
    "regularization": dict(
        title="Regularisation (train − test gap)",
        budget=dict(train_samples=5000, epochs=8),
        arms=[("none", dict(dropout=0.0), dict(train_gap=True)),
              ("l2", dict(dropout=0.0, regularizer="l2:5e-4"), dict(train_gap=True)),
              ("l1", dict(dropout=0.0, regularizer="l1:1e-5"), dict(train_gap=True)),
              ("max_norm", dict(dropout=0.0, constraint="max_norm:3"), dict(train_gap=True)),
              ("dropout", dict(dropout=0.5), dict(train_gap=True))],
        claims=[(f"{name} beats none", name, "none", "test_accuracy", True)
                for name in ("l2", "l1", "max_norm", "dropout")]
        + [("dropout narrows the train − test gap", "dropout", "none", "gap", False)],
    ),
    "optimizers": dict(
        title="Optimizers, schedules, clipping",
        budget={},
        arms=[_optimizer_arm(name) for name in ("sgd", "momentum", "adagrad", "rmsprop", "adam")]
        + [("constant", dict(schedule="constant"), {}),
           ("plateau_/2", dict(schedule="plateau", lr_factor=0.5, lr_patience=1), {}),
           ("plateau_/5", dict(schedule="plateau", lr_factor=0.2, lr_patience=1), {}),
           ("x0.98/epoch", dict(schedule="exponential", decay_rate=0.98), {}),
           ("cosine", dict(schedule="cosine"), {}),
           ("clip_1", dict(clipnorm=1.0), {}), ("clip_10", dict(clipnorm=10.0), {}),
           ("no_clip", {}, {})],
        claims=[("momentum beats plain SGD", "momentum", "sgd", "test_accuracy", True),
                ("Adam beats SGD + momentum", "adam", "momentum", "test_accuracy", True),
                ("RMSProp beats Adagrad", "rmsprop", "adagrad", "test_accuracy", True),
                ("plateau ÷2 beats a constant LR", "plateau_/2", "constant", "test_accuracy",
                 True),
                ("plateau ÷5 beats a constant LR", "plateau_/5", "constant", "test_accuracy",
                 True),
                ("×0.98/epoch beats a constant LR", "x0.98/epoch", "constant", "test_accuracy",
                 True),
                ("cosine beats a constant LR", "cosine", "constant", "test_accuracy", True),
                ("clipping at 1 helps", "clip_1", "no_clip", "test_accuracy", True),
                ("clipping at 10 helps", "clip_10", "no_clip", "test_accuracy", True)],
    ),
    "shuffle": dict(
        title="Shuffle every epoch vs one fixed order",
        budget={},
        arms=[("reshuffled", {}, {}), ("fixed_order", {}, dict(fixed_order=True))],
        claims=[("reshuffling every epoch beats one fixed order", "reshuffled", "fixed_order",
                 "test_accuracy", True)],
    ),
    "small_models": dict(
        title="Small models: SqueezeNet vs VGG",
        budget=dict(width=None, epochs=2),
        arms=[("squeezenet", dict(model="fashion_squeezenet", width=0.5),
               dict(timing=True, export=True)),
              ("vgg", {}, dict(timing=True, export=True))],
        claims=[("SqueezeNet has fewer parameters", "squeezenet", "vgg", "params", False),
                ("SqueezeNet's SavedModel is smaller", "squeezenet", "vgg", "savedmodel_mb",
                 False),
                ("SqueezeNet is faster (training images/s)", "squeezenet", "vgg",
                 "images_per_s", True),
                ("SqueezeNet is as accurate (within noise: as accurate)", "squeezenet", "vgg", "test_accuracy", True)],
    ),
    "ensembles_extras": dict(
        title="Training extras on the base recipe (ensembles: ensembles.json)",
        budget=dict(augment="flip_crop"),
        arms=[("plain", {}, dict(tta="flip")),
              ("label_smoothing", dict(label_smoothing=0.1), {}),
              ("mixup", dict(mixup=0.2), {}),
              ("cutmix", dict(cutmix=1.0), {}),
              ("ema", dict(ema=0.99), {}),
              ("swa", dict(swa=2), {})],
        claims=[(f"{name} beats the plain recipe", name, "plain", "test_accuracy", True)
                for name in ("label_smoothing", "mixup", "cutmix", "ema", "swa", "tta_flip")],
    ),
}


def row_budget(row, quick):
    """The recipe keys every arm of `row` shares (None values: the recipe's own)."""
    budget = dict(BASE_BUDGET, **ROWS[row]["budget"])
    if quick:
        budget.update(QUICK_BUDGET, width=None if budget["width"] is None else QUICK_BUDGET["width"])
    return budget


def arm_keys(row, overrides, quick):
    """The recipe keys of one arm: the row's budget, then the arm's overrides."""
    keys = dict(row_budget(row, quick), **overrides)
    if quick and row == "small_models" and "width" in overrides:
        keys["width"] = overrides["width"] / 4  # a smoke run need not train SqueezeNet at 0.5
    if keys.get("swa"):
        keys["swa"] = min(keys["swa"], keys["epochs"])
    return {key: value for key, value in keys.items() if value is not None}


# --- running --------------------------------------------------------------------------

def accuracy(model, x, y):
    """Test accuracy of `model` on arrays `(x, y)`."""
    return float(model.evaluate(x, y, batch_size=512, verbose=0, return_dict=True)["accuracy"])


def run_arm(row, arm, seed, test, quick, scratch):
    """Trains one arm with one seed; returns its measurements."""
    name, overrides, options = arm
    keys = arm_keys(row, overrides, quick)
    recipe = kr.recipes.get(RECIPE)(**dict(BASE, **keys), seed=seed)
    if "model" in options:
        swap_model(recipe, options["model"](recipe))
    if "pool_order" in options:
        swap_model(recipe, kr.models.get(recipe.config.model, width=recipe.config.width,
                                         activation_after_pool=options["pool_order"]))
    if options.get("fixed_order"):
        recipe.train_data = fixed_order(recipe, seed)
    run = {"row": row, "arm": name, "seed": seed}
    if options.get("init_std"):
        probe = recipe.source.train[0][:256].astype("float32")
        stats = statistics_lib.activation_statistics(recipe.model, probe)
        run["init_activation_std"] = [float(f"{s['std']:.4g}") for layer, s in stats.items()
                                      if layer.endswith("_relu")]
    timer, callbacks = EpochTimer(), []
    callbacks.append(timer)
    if options.get("curve"):
        steps = math.ceil(recipe.source.num_train / recipe.config.batch_size)
        x_val, y_val = recipe.source.val
        curve = ValidationCurve(x_val[:CURVE_IMAGES].astype("float32"), y_val[:CURVE_IMAGES],
                                every=max(1, steps // CURVE_CHECKS_PER_EPOCH))
        callbacks.append(curve)
    started = time.perf_counter()
    history = recipe.fit(verbose=0, callbacks=callbacks)
    run["train_s"] = round(time.perf_counter() - started, 2)
    run["epoch_s"] = round(timer.median(), 3)
    run["images_per_s"] = round(recipe.source.num_train / timer.median(), 1)
    run["val_accuracy"] = round(float(history.history["val_accuracy"][-1]), 4)
    run["test_accuracy"] = round(accuracy(recipe.model, *test), 4)
    run["params"] = recipe.model.count_params()
    if options.get("curve"):
        run["steps_to"] = curve.steps_to()
        run["steps_per_epoch"] = steps
    if options.get("train_gap"):
        x_train, y_train = recipe.source.train
        run["train_accuracy"] = round(accuracy(recipe.model, x_train.astype("float32"),
                                               y_train), 4)
        run["gap"] = round(run["train_accuracy"] - run["test_accuracy"], 4)
    if options.get("tta"):
        tta = kr.training.tta.evaluate_tta(recipe.model, *test, tta=options["tta"])
        run["tta_accuracy"] = round(tta["accuracy"], 4)
    if options.get("export"):
        folder = os.path.join(scratch, f"{row}_{name}_{seed}")
        run["savedmodel_mb"] = round(folder_bytes(kr.export.save(recipe.model, folder)) / 1e6, 3)
        shutil.rmtree(folder, ignore_errors=True)
    return run


def pool_order_check(quick):
    """ReLU after vs before 2×2 max pooling on the same weights: identical outputs?

    Builds the base model without norm (batch norm's learned scale may be negative,
    and max pooling commutes only with non-decreasing maps) both ways, copies one's
    weights into the other, and compares the outputs on 512 test images and the
    inference time over 5,000.
    """
    width = QUICK_BUDGET["width"] if quick else BASE_BUDGET["width"]
    keras.utils.set_random_seed(0)
    after = kr.models.get("fashion_vgg_small", width=width, norm=None, activation_after_pool=True)
    before = kr.models.get("fashion_vgg_small", width=width, norm=None,
                           activation_after_pool=False)
    before.set_weights(after.get_weights())
    (_, _), (x_test, _) = kr.data.load("fashion_mnist")
    x = x_test[:512].astype("float32")
    difference = float(np.max(np.abs(after.predict(x, verbose=0) - before.predict(x, verbose=0))))
    images = x_test[:500 if quick else 5000].astype("float32")
    seconds = {}
    for label, model in (("after", after), ("before", before)):
        model.predict(images[:512], batch_size=512, verbose=0)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            model.predict(images, batch_size=512, verbose=0)
            times.append(time.perf_counter() - started)
        seconds[label] = round(statistics.median(times), 4)
    return {"max_abs_difference": difference, "identical": difference == 0.0,
            "inference_s": seconds, "images": len(images), "width": width}


def summarise(row, runs):
    """Arms with per-seed values, mean and std; the claims with their verdicts."""
    arms = {}
    for run in runs:
        arms.setdefault(run["arm"], {"runs": []})["runs"].append(run)
    if row == "ensembles_extras" and "plain" in arms:
        arms["tta_flip"] = {"runs": [dict(r, arm="tta_flip", test_accuracy=r["tta_accuracy"])
                                     for r in arms["plain"]["runs"]]}
    for arm in arms.values():
        for metric in ("test_accuracy", "epoch_s", "images_per_s", "gap", "savedmodel_mb",
                       "params"):
            values = [r[metric] for r in arm["runs"] if r.get(metric) is not None]
            if values:
                mean, std = mean_std(values)
                arm[metric] = {"mean": round(mean, 5), "std": round(std, 5)}
    claims = []
    for text, a, b, metric, higher in ROWS[row]["claims"]:
        if a not in arms or b not in arms:
            continue
        values_a = [r[metric] for r in arms[a]["runs"]]
        values_b = [r[metric] for r in arms[b]["runs"]]
        judged, d, noise = verdict(values_a, values_b, higher)
        claims.append({"claim": text, "a": a, "b": b, "metric": metric,
                       "higher_is_better": higher, "difference": round(d, 5),
                       "noise": round(noise, 5), "verdict": judged,
                       "effect": effect(d, noise, metric)})
    return arms, claims


def run_row(row, seeds, test, quick, scratch):
    """Runs every arm of `row` for every seed; returns the row's result."""
    runs = []
    for arm in ROWS[row]["arms"]:
        for seed in seeds:
            runs.append(run_arm(row, arm, seed, test, quick, scratch))
            print(json.dumps(runs[-1]), flush=True)
    arms, claims = summarise(row, runs)
    result = {"title": ROWS[row]["title"], "budget": row_budget(row, quick),
              "seeds": list(seeds), "test_images": len(test[1]),
              "arms": {name: {key: value for key, value in arm.items()} for name, arm in arms.items()},
              "claims": claims,
              "overrides": {name: {k: v for k, v in overrides.items()}
                            for name, overrides, _ in ROWS[row]["arms"]}}
    if row == "pooling":
        result["identity_check"] = pool_order_check(quick)
        print(json.dumps({"row": row, "identity_check": result["identity_check"]}), flush=True)
    if row == "ensembles_extras":
        result["ensembles"] = "ensembles.json"  # the renderer reads it
    return result


def load_existing(path, quick):
    """The rows of an earlier result to merge into (only one of the same kind, quick or full)."""
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        existing = json.load(handle)
    return existing.get("rows", {}) if existing.get("quick") == quick else {}


def parse_rows(text):
    rows = [row.strip() for row in text.split(",") if row.strip()]
    for row in rows:
        if row not in ROWS:
            raise SystemExit(f"Argument `--only` must name rows from {list(ROWS)}. "
                             f"Received: {row!r}")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=parse_rows, default=list(ROWS),
                        help=f"comma-separated rows: {','.join(ROWS)}")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 300 images, 1 epoch, width 0.125, 1 seed, 500 test images")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--results-dir", default=provenance.RESULTS_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    seeds = list(range(1 if args.quick else args.seeds))
    (_, _), (x_test, y_test) = kr.data.load("fashion_mnist")
    test_images = QUICK_TEST_IMAGES if args.quick else len(x_test)
    test = (x_test[:test_images].astype("float32"), y_test[:test_images])
    default_dir, provenance.RESULTS_DIR = provenance.RESULTS_DIR, args.results_dir
    path = os.path.join(args.results_dir, f"{NAME}.json")
    rows = load_existing(path, args.quick)
    command = "python benchmarks/tips.py" + (" --quick" if args.quick else "")
    base = kr.recipes.config(RECIPE, **BASE)
    scratch = tempfile.mkdtemp(prefix="kr-tips-")
    try:
        for row in args.only:
            rows[row] = run_row(row, seeds, test, args.quick, scratch)
            stamp = provenance.provenance()
            rows[row].update(date=stamp["date"], commit=stamp["commit"])
            ordered = {name: rows[name] for name in ROWS if name in rows}
            write_result(ordered, base, args, command)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        provenance.RESULTS_DIR = default_dir
    with open(os.path.join(args.results_dir, f"{NAME}.md"), "w") as handle:
        handle.write(TABLE.render(args.results_dir))
    print(f"Wrote {path}")
    return 0


def write_result(rows, base, args, command):
    """Writes tips.json (atomically) with every finished row."""
    budgets = {row: rows[row]["budget"] for row in rows}
    provenance.write_result(
        NAME,
        {"quick": args.quick, "verdict_rule": VERDICT_RULE, "verdicts": list(VERDICTS),
         "rows": rows},
        config={"recipe": provenance.recipe_config(base, BASE), "budgets": budgets,
                "note": "each arm: the recipe with its row's budget and the arm's overrides"},
        precision=kr.training.precision.resolve(base.precision),
        command=command,
    )


if __name__ == "__main__":
    sys.exit(main())
