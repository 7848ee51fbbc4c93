"""`fine_tune`: one call from a trained base and new labelled images to a fine-tuned model.

`strategy="auto"` places the new data in the four-quadrant table from two measurements,
the labelled images per class and the distance between the base's and the new data's
top-layer feature statistics, then checks that choice against the runner-up quadrant
and against training from scratch on held-out data, because the table is advice, not
law: a reference run found training from scratch ahead of fine-tuning in three of four
quadrants on small Fashion-MNIST bases.
"""

import dataclasses
import math
import os

import numpy as np

from kerasrecipes._names import unknown_name_error
from kerasrecipes.transfer import bases
from kerasrecipes.transfer import inputs
from kerasrecipes.transfer import statistics as stats_lib
from kerasrecipes.transfer import strategies

# The table's two thresholds, documented defaults of `fine_tune`:
# fewer labelled images per class than this is "very little data" (the table's "little"
# is tens of images per class, its "a lot" thousands) ...
LITTLE_DATA = 300
# ... and a feature distance (`statistics.distance`) below this is "very similar data".
# Set from benchmarks/fine_tune.py's base (Fashion-MNIST classes 0-4): its own held-out
# images measure ~0.001, the new Fashion classes 5-9 ~0.37, digits ~0.49, rendered
# letters ~0.35, so this statistic ranks letters as near as new Fashion classes; the
# held-out check (`check=True`) is what catches such a misplacement.
SIMILAR_BELOW = 0.4
# `auto` checks its choice on held-out data when every class has at least this many images.
CHECK_MIN_PER_CLASS = 10

TABLE = {
    ("little", "similar"): "linear_top",
    ("little", "different"): "linear_early",
    ("a lot", "similar"): "top_layers",
    ("a lot", "different"): "many_layers",
}


@dataclasses.dataclass
class FineTuneResult:
    """What `fine_tune` returns.

    Attributes:
        model: the trained `keras.Model` (raw pixels in, class probabilities out).
        strategy: str, the strategy that trained `model` (`"scratch"` when `auto`
            measured training from scratch ahead).
        reason: str, why: the quadrant, its measurements and the check.
        layer: str, the base layer whose features the head reads.
        history: dict of training curves per phase (`head`, `fine_tune`, `scratch`).
        measured: dict, `auto`'s numbers: `per_class`, `distance`, the thresholds,
            the table's choice and held-out accuracies of the strategies it compared.
        statistics: the new data's feature statistics at the base's top layer (what
            `auto` measured), or None.
    """

    model: object
    strategy: str
    reason: str
    layer: str
    history: dict
    measured: dict = dataclasses.field(default_factory=dict)
    statistics: dict = None


def load_base(base):
    """Returns a copy of a base as a `keras.Model` (see `kerasrecipes.transfer.bases.load`)."""
    return bases.load(base)


def table_strategy(per_class, distance, little_data=LITTLE_DATA, similar_below=SIMILAR_BELOW):
    """Returns `(strategy, size, similarity)`: the table's cell for two measurements.

    Args:
        per_class: float, labelled images per class (the median over classes).
        distance: float, `kerasrecipes.transfer.distance` of the feature statistics.
        little_data: "very little data" is fewer images per class than this.
        similar_below: "very similar data" is a distance below this.

    Example:

    >>> table_strategy(50, 0.4)
    ('linear_top', 'little', 'similar')
    """
    size = "little" if per_class < little_data else "a lot"
    similarity = "similar" if distance < similar_below else "different"
    return TABLE[(size, similarity)], size, similarity


def runner_up(per_class, distance, little_data=LITTLE_DATA, similar_below=SIMILAR_BELOW):
    """Returns the strategy of the neighbouring cell across the nearer threshold (log scale)."""
    _, size, similarity = table_strategy(per_class, distance, little_data, similar_below)
    size_margin = abs(math.log(max(per_class, 1e-9) / little_data))
    similarity_margin = abs(math.log(max(distance, 1e-9) / similar_below))
    if size_margin <= similarity_margin:
        size = "a lot" if size == "little" else "little"
    else:
        similarity = "different" if similarity == "similar" else "similar"
    return TABLE[(size, similarity)]


def _check_choice(name, value, allowed):
    if value not in allowed:
        raise unknown_name_error(name, value, allowed)


def _check_positive(name, value, integer=True):
    kind = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kind) or not value > 0:
        raise ValueError(
            f"Argument `{name}` must be a positive {'integer' if integer else 'number'}. "
            f"Received: {name}={value!r}"
        )


def _base_statistics(base_statistics, base_path):
    if isinstance(base_statistics, dict):
        return base_statistics
    if isinstance(base_statistics, (str, os.PathLike)):
        return stats_lib.load_feature_statistics(base_statistics)
    if base_path is not None and os.path.isfile(stats_lib.statistics_path(base_path)):
        return stats_lib.load_feature_statistics(stats_lib.statistics_path(base_path))
    raise ValueError(
        "Argument `base_statistics` must be given for strategy='auto': the feature "
        "statistics of the base's training data, from kr.transfer.feature_statistics(base, "
        "x_base_train), as a dict or a JSON path (found automatically beside a base file as "
        f"<base>.features.json). Received: base_statistics={base_statistics!r}"
    )


def fine_tune(
    base,
    train_data,
    val_data=None,
    strategy="auto",
    layer=None,
    classes=None,
    base_statistics=None,
    learning_rate=1e-3,
    lr_ratio=strategies.LR_RATIO,
    epochs=5,
    head_epochs=20,
    batch_size=64,
    classifier="softmax",
    top_blocks=2,
    frozen_blocks=1,
    early_grid=2,
    little_data=LITTLE_DATA,
    similar_below=SIMILAR_BELOW,
    check=True,
    validation_split=0.2,
    seed=0,
    verbose=0,
):
    """Fine-tunes a trained base network on new labelled images by the four-quadrant table.

    | | very similar data | very different data |
    |---|---|---|
    | very little data | `"linear_top"` | `"linear_early"` |
    | quite a lot of data | `"top_layers"` | `"many_layers"` |

    - `"linear_top"`: freeze everything, train a linear classifier on the top-layer
      features (the base classifier's input).
    - `"linear_early"`: a linear classifier (`classifier="softmax"`, or `"svm"`: a
      linear SVM via squared hinge) on average-pooled features of an earlier block,
      `layer=` or the block that scores best on held-out data.
    - `"top_layers"`: train the head first, then unfreeze the last `top_blocks` blocks
      and train with the small learning rate `lr_ratio × learning_rate`.
    - `"many_layers"`: the same, unfreezing every block but the first `frozen_blocks`.
    - `"scratch"`: the base's architecture, freshly initialised, all trained (the
      baseline every table entry must beat).
    - `"auto"`: measures the labelled images per class and the distance between the
      new data's and the base's top-layer feature statistics (`base_statistics`),
      picks the table's cell (`little_data`, `similar_below` are the thresholds) and,
      with `check=True` and held-out data, also trains the runner-up cell and training
      from scratch, and keeps whichever scores best on the held-out data.

    Batch normalisation stays frozen (inference mode, moving statistics kept) in every
    fine-tuning strategy. Like `kerasrecipes.recipes.build`, this is a whole training
    program: it seeds Keras' global random state with `seed` before each model.

    Args:
        base: the trained network: a `keras.Model` (left untouched: a copy is
            trained), a `.keras` path (loaded with `safe_mode=True`), or a SavedModel
            folder from `kerasrecipes.export.save` (a frozen feature extractor of its
            class probabilities: `"linear_top"` only). A `keras.applications` model
            is passed as a model, built with `weights=` a local file.
        train_data: `(x, y)` with uint8 images `(N, H, W, C)` of the base's input
            shape and integer labels, or a `tf.data.Dataset` of `(image, label)`.
        val_data: optional held-out data in the same form (never the test set).
            `auto` checks on it, `linear_early` chooses its layer on it; without it
            both use a stratified `validation_split` of `train_data`.
        strategy: `"auto"` (default), one of the four above, or `"scratch"`.
        layer: optional layer name for `"linear_early"`.
        classes: optional int, defaults to the largest label + 1.
        base_statistics: the base's feature statistics (`feature_statistics` on
            its training data), a dict or JSON path; needed by `"auto"`. For a base
            path, `<base>.features.json` beside it is found automatically.
        learning_rate: float, the head's and training from scratch's Adam rate.
            Defaults to 1e-3.
        lr_ratio: float, fine-tuning's rate as a fraction of `learning_rate`.
            Defaults to 0.1.
        epochs: int, end-to-end epochs (fine-tuning phase, or from scratch).
        head_epochs: int, epochs of the head on the frozen base's features.
        batch_size: int.
        classifier: `"softmax"` or `"svm"` (linear strategies only).
        top_blocks: int, blocks `"top_layers"` unfreezes. Defaults to 2.
        frozen_blocks: int, bottom blocks `"many_layers"` keeps frozen. Defaults to 1.
        early_grid: int, an earlier block's map is average-pooled to about
            `early_grid × early_grid` cells before the linear classifier.
        little_data: float, fewer labelled images per class than this is "very
            little data". Defaults to 300.
        similar_below: float, a feature distance below this is "very similar data".
            Defaults to 0.4.
        check: bool, whether `auto` checks its choice on held-out data (when
            `val_data` is given or every class has >= 10 images). Defaults to True.
        validation_split: float in (0, 1), held out of `train_data` when needed.
        seed: int.
        verbose: int, Keras' fit verbosity.

    Returns:
        A `FineTuneResult` (`model`, `strategy`, `reason`, `layer`, `history`,
        `measured`, `statistics`).

    Raises:
        ValueError / TypeError: bad arguments or data, before any training.

    Example:

    >>> stats = kr.transfer.feature_statistics(base, x_base_train)
    >>> result = kr.transfer.fine_tune(base, (x_new, y_new), base_statistics=stats)
    >>> result.strategy, result.reason
    ('linear_top', 'little data (50 images per class < 300) ...')
    """
    _check_choice("strategy", strategy, ("auto", *strategies.STRATEGIES, strategies.SCRATCH))
    _check_choice("classifier", classifier, strategies.CLASSIFIERS)
    if classifier == "svm" and strategy not in strategies.LINEAR:
        raise ValueError(
            "Argument `classifier` 'svm' is for the linear strategies "
            f"{list(strategies.LINEAR)}. Received: classifier='svm' with strategy={strategy!r}"
        )
    for name, value in (("epochs", epochs), ("head_epochs", head_epochs),
                        ("batch_size", batch_size), ("early_grid", early_grid)):
        _check_positive(name, value)
    for name, value in (("learning_rate", learning_rate), ("lr_ratio", lr_ratio),
                        ("little_data", little_data), ("similar_below", similar_below)):
        _check_positive(name, value, integer=False)
    if not 0 < validation_split < 1:
        raise ValueError(f"Argument `validation_split` must be in (0, 1). "
                         f"Received: validation_split={validation_split!r}")
    if isinstance(top_blocks, bool) or not isinstance(top_blocks, int) or top_blocks < 0 or \
            isinstance(frozen_blocks, bool) or not isinstance(frozen_blocks, int) or frozen_blocks < 0:
        raise ValueError(
            "Arguments `top_blocks` and `frozen_blocks` must be integers >= 0. "
            f"Received: top_blocks={top_blocks!r}, frozen_blocks={frozen_blocks!r}"
        )
    base_path = os.fspath(base) if isinstance(base, (str, os.PathLike)) else None
    model = bases.load(base)
    x, y = inputs.as_arrays(train_data, "train_data")
    inputs.check_images(x, model.inputs[0].shape, "train_data")
    val = None
    if val_data is not None:
        val = inputs.as_arrays(val_data, "val_data")
        inputs.check_images(val[0], model.inputs[0].shape, "val_data")
    classes = classes or int(max(y.max(), val[1].max() if val else 0)) + 1
    inputs.check_labels(y, classes, "train_data")
    if val:
        inputs.check_labels(val[1], classes, "val_data")
    if layer is not None:
        bases.get_layer(model, layer)
        if strategy not in ("auto", "linear_early"):
            raise ValueError(
                "Argument `layer` is for strategy 'linear_early' (or 'auto'). "
                f"Received: layer={layer!r} with strategy={strategy!r}"
            )
    frozen = bases.is_frozen(model)
    if frozen and strategy not in ("auto", "linear_top"):
        raise ValueError(
            "Argument `strategy` must be 'linear_top' or 'auto' for a SavedModel base: its "
            "serving signature exposes only the class probabilities, so no layer can be "
            f"unfrozen or read below them. Received: strategy={strategy!r}; pass the "
            ".keras file or the keras.Model to use the other strategies"
        )
    settings = strategies.Settings(
        classes=classes, learning_rate=float(learning_rate), lr_ratio=float(lr_ratio),
        epochs=int(epochs), head_epochs=int(head_epochs), batch_size=int(batch_size),
        classifier=classifier, top_blocks=top_blocks, frozen_blocks=frozen_blocks,
        early_grid=int(early_grid), validation_split=float(validation_split), seed=int(seed),
        verbose=verbose,
    )
    if strategy != "auto":
        trained = strategies.train(strategy, model, x, y, settings, layer, val)
        return FineTuneResult(trained.model, strategy, f"strategy={strategy!r} was requested",
                              trained.layer, trained.history,
                              {"layer_scores": trained.layer_scores} if trained.layer_scores else {})
    return _auto(model, x, y, val, settings, layer, frozen,
                 _base_statistics(base_statistics, base_path), little_data, similar_below, check)


def _auto(model, x, y, val, settings, layer, frozen, base_stats, little_data, similar_below,
          check):
    new_stats = stats_lib.feature_statistics(model, x, layer=base_stats.get("layer"))
    per_class = inputs.per_class(y, settings.classes)
    gap = stats_lib.distance(base_stats, new_stats)
    chosen, size, similarity = table_strategy(per_class, gap, little_data, similar_below)
    measured = {"per_class": per_class, "distance": gap, "little_data": little_data,
                "similar_below": similar_below, "table": chosen}
    reason = (f"{size} data ({per_class:g} images per class "
              f"{'<' if size == 'little' else '>='} little_data={little_data:g}) and "
              f"{similarity} data (feature distance {gap:.3g} "
              f"{'<' if similarity == 'similar' else '>='} similar_below={similar_below:g}) "
              f"-> the table says {chosen!r}")
    if frozen:
        chosen = "linear_top"
        reason += "; a SavedModel base allows only 'linear_top'"
    counts = np.bincount(y, minlength=settings.classes)
    can_check = check and not frozen and (val is not None or counts.min() >= CHECK_MIN_PER_CLASS)
    if not can_check:
        if check and not frozen:
            reason += (f"; not checked: a held-out split needs >= {CHECK_MIN_PER_CLASS} images "
                       f"in every class (smallest class: {int(counts.min())})")
        trained = strategies.train(chosen, model, x, y, settings, layer, val)
        return FineTuneResult(trained.model, chosen, reason, trained.layer, trained.history,
                              measured, new_stats)
    candidates = [chosen, runner_up(per_class, gap, little_data, similar_below),
                  strategies.SCRATCH]
    split = val is None
    if split:
        (x_fit, y_fit), held = inputs.stratified_split(x, y, settings.validation_split,
                                                       settings.seed)
    else:
        (x_fit, y_fit), held = (x, y), val
    scores, runs = {}, {}
    for name in candidates:
        runs[name] = strategies.train(name, model, x_fit, y_fit, settings, layer,
                                      None if split else val)
        scores[name] = strategies.accuracy(runs[name].model, *held)
    best = max(candidates, key=lambda name: (scores[name], name == chosen))
    measured["held_out_accuracy"] = scores
    measured["held_out"] = "val_data" if not split else f"{settings.validation_split:g} of train_data"
    reason += "; held-out accuracy " + ", ".join(f"{n} {scores[n]:.3f}" for n in candidates)
    if best == chosen:
        reason += f" -> kept {chosen!r}"
    else:
        reason += f" -> {best!r} measured ahead of the table's {chosen!r}, so it trains the model"
    if split:
        trained = strategies.train(best, model, x, y, settings, layer, None)
        reason += " (refitted on all of train_data)"
    else:
        trained = runs[best]
    return FineTuneResult(trained.model, best, reason, trained.layer, trained.history,
                          measured, new_stats)
