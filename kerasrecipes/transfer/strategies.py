"""The four fine-tuning strategies of the table, and training from scratch to compare with.

| | very similar data | very different data |
|---|---|---|
| very little data | `linear_top` | `linear_early` |
| quite a lot of data | `top_layers` | `many_layers` |

Every strategy first trains a new linear head on features of the frozen base (computed
once, with the base in inference mode, so the head trains in seconds). The linear
strategies stop there; `top_layers` and `many_layers` then unfreeze blocks and train
end to end with a small learning rate, `lr_ratio × learning_rate`, so the features the
base learnt are adjusted rather than overwritten. Batch normalisation layers stay frozen
throughout: a frozen BN layer runs in inference mode in Keras 3, so its moving statistics
(learnt on far more data than a fine-tuning set) are kept.
"""

import dataclasses

import keras
import numpy as np

from kerasrecipes.transfer import bases
from kerasrecipes.transfer import inputs

STRATEGIES = ("linear_top", "linear_early", "top_layers", "many_layers")
SCRATCH = "scratch"
CLASSIFIERS = ("softmax", "svm")
LINEAR = ("linear_top", "linear_early")
# Fine-tuning's learning rate as a fraction of the head's: the seeds' "small LR".
LR_RATIO = 0.1
# How many earlier blocks `linear_early` compares when no `layer=` is given.
EARLY_CANDIDATES = 4
# The weight decay of the linear head (L2 on its kernel).
HEAD_L2 = 1e-4


@dataclasses.dataclass
class Settings:
    """How every strategy trains (see `kerasrecipes.transfer.fine_tune` for each value)."""

    classes: int
    learning_rate: float = 1e-3
    lr_ratio: float = LR_RATIO
    epochs: int = 5
    head_epochs: int = 20
    batch_size: int = 64
    classifier: str = "softmax"
    top_blocks: int = 2
    frozen_blocks: int = 1
    early_grid: int = 2
    validation_split: float = 0.2
    seed: int = 0
    verbose: int = 0


@dataclasses.dataclass
class Trained:
    """One strategy's trained model, the features layer it used and its training curves."""

    model: keras.Model
    layer: str
    history: dict
    layer_scores: dict = dataclasses.field(default_factory=dict)


def accuracy(model, x, y, batch_size=256):
    """Returns the fraction of `x` the model classifies as `y`."""
    scores = model.predict(x.astype("float32"), batch_size=batch_size, verbose=0)
    return float(np.mean(np.argmax(scores, axis=-1) == y))


def train(strategy, base, x, y, settings, layer=None, val=None):
    """Trains one strategy (or `"scratch"`) from a fresh copy of `base` on `(x, y)`.

    Args:
        strategy: one of `STRATEGIES` or `"scratch"`.
        base: a base model (`bases.load` copies it; the caller's stays untouched).
        x, y: training images and labels.
        settings: a `Settings`.
        layer: optional layer name for `linear_early` (else chosen by validation).
        val: optional `(x_val, y_val)`: `linear_early` chooses its layer on it
            (otherwise on a stratified split of `(x, y)`).

    Returns:
        A `Trained`.
    """
    keras.utils.set_random_seed(settings.seed)
    base = bases.load(base)
    if strategy == SCRATCH:
        return _scratch(base, x, y, settings)
    if strategy == "linear_early":
        layer, scores = _choose_early_layer(base, x, y, settings, layer, val)
        model, history = _linear(base, x, y, settings, layer, settings.early_grid)
        return Trained(model, layer, {"head": history}, scores)
    model, history = _linear(base, x, y, settings, None, 1)
    used = bases.top_features(base)[0]
    if strategy == "linear_top":
        return Trained(model, used, {"head": history})
    unfrozen = unfreeze(model, base, strategy, settings)
    model.compile(
        optimizer=keras.optimizers.Adam(settings.learning_rate * settings.lr_ratio),
        loss="sparse_categorical_crossentropy", metrics=["accuracy"],
    )
    fit = model.fit(_pipeline(x, y, settings), epochs=settings.epochs,
                    verbose=settings.verbose, shuffle=False)
    return Trained(model, used, {"head": history, "fine_tune": _floats(fit.history),
                                 "unfrozen_blocks": unfrozen})


def unfreeze(model, base, strategy, settings):
    """Sets `trainable` for a two-phase strategy's second phase; returns the unfrozen blocks.

    `top_layers` unfreezes the last `settings.top_blocks` blocks, `many_layers` every
    block but the first `settings.frozen_blocks`; the head stays trainable and every
    batch-normalisation layer stays frozen (inference mode). The model must be compiled
    again afterwards, as Keras reads `trainable` at compile time.
    """
    groups = bases.blocks(base)
    if strategy == "top_layers":
        chosen = groups[-settings.top_blocks:] if settings.top_blocks else []
    elif strategy == "many_layers":
        chosen = groups[settings.frozen_blocks:]
    else:
        raise ValueError(f"Argument `strategy` unfreezes nothing. Received: strategy={strategy!r}")
    base_layers = {id(layer) for _, layers in groups for layer in layers}
    thawed = {id(layer) for _, layers in chosen for layer in layers}
    for layer in model.layers:
        if id(layer) in base_layers:
            layer.trainable = id(layer) in thawed and not bases.is_batch_norm(layer)
    return [name for name, _ in chosen]


def _pipeline(x, y, settings):
    from kerasrecipes import data

    return data.pipeline(x, y, settings.batch_size, training=True, seed=settings.seed)


def _floats(history):
    return {key: [float(v) for v in values] for key, values in history.items()}


def _features(extractor, x, batch_size=256):
    return extractor.predict(x.astype("float32"), batch_size=batch_size, verbose=0)


def _freeze(model):
    for layer in model.layers:
        layer.trainable = False


def _linear(base, x, y, settings, layer, grid):
    """Trains a linear head on the frozen base's features; returns `(model, history)`."""
    extractor = bases.feature_model(base, layer, grid)
    _freeze(base)
    features = _features(extractor, x)
    head_layers, history = _fit_head(features, y, settings)
    outputs = extractor.outputs[0]
    for head_layer in head_layers:
        outputs = head_layer(outputs)
    return keras.Model(extractor.inputs, outputs, name=f"fine_tuned_{base.name}"), history


def _fit_head(features, y, settings):
    svm = settings.classifier == "svm"
    normalize = keras.layers.Normalization(name="head_standardize")
    normalize.adapt(features)
    dense = keras.layers.Dense(
        settings.classes, activation=None if svm else "softmax", dtype="float32",
        kernel_regularizer=keras.regularizers.L2(HEAD_L2), name="head_classifier",
    )
    inputs = keras.Input(features.shape[1:])
    head = keras.Model(inputs, dense(normalize(inputs)))
    if svm:
        # A linear SVM: squared hinge on ±1 one-vs-rest targets (Keras maps 0/1 to ±1).
        loss, targets = keras.losses.SquaredHinge(), keras.ops.one_hot(y, settings.classes)
    else:
        loss, targets = keras.losses.SparseCategoricalCrossentropy(), y
    head.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), loss=loss)
    fit = head.fit(features, targets, batch_size=settings.batch_size,
                   epochs=settings.head_epochs, verbose=settings.verbose)
    layers = [normalize, dense]
    if svm:
        # Serving expects probabilities: a softmax over the SVM scores keeps its argmax.
        layers.append(keras.layers.Activation("softmax", name="head_scores_softmax"))
    return layers, _floats(fit.history)


def early_candidates(base, limit=EARLY_CANDIDATES):
    """Returns the layers `linear_early` may read: block outputs below the top block.

    A deep base offers `limit` of them, evenly spaced from the first block up.
    """
    names = [layers[-1].name for _, layers in bases.blocks(base)[:-1]
             if len(layers[-1].output.shape) in (2, 4)]
    if len(names) > limit:
        names = [names[i] for i in sorted(set(np.linspace(0, len(names) - 1, limit).round().astype(int)))]
    return names


def _choose_early_layer(base, x, y, settings, layer, val):
    if layer is not None:
        bases.get_layer(base, layer)
        return layer, {}
    candidates = early_candidates(base)
    if not candidates:
        raise ValueError(
            "Argument `strategy` 'linear_early' needs a base with at least two blocks "
            f"below its classifier. Received: a base with blocks "
            f"{[name for name, _ in bases.blocks(base)]}"
        )
    if val is None:
        (x, y), val = inputs.stratified_split(x, y, settings.validation_split, settings.seed)
    scores = {}
    for name in candidates:
        keras.utils.set_random_seed(settings.seed)
        model, _ = _linear(base, x, y, settings, name, settings.early_grid)
        scores[name] = accuracy(model, *val)
    return max(candidates, key=lambda name: scores[name]), scores


def _scratch(base, x, y, settings):
    """The base's architecture with fresh weights and a new classifier, all trained."""
    if bases.is_frozen(base):
        raise ValueError(
            "Argument `strategy` 'scratch' needs a base whose architecture can be rebuilt. "
            "Received: a SavedModel base (weights only behind a serving signature)"
        )
    fresh = keras.models.clone_model(base)  # new layers, newly initialised weights
    _, tensor = bases.top_features(fresh)
    grid = 1 if bases.classifier_layer(fresh) is None else 2
    features = bases.pool_features(tensor, grid, "scratch_features")
    outputs = keras.layers.Dense(settings.classes, activation="softmax", dtype="float32",
                                 name="head_classifier")(features)
    model = keras.Model(fresh.inputs, outputs, name=f"scratch_{base.name}")
    model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    fit = model.fit(_pipeline(x, y, settings), epochs=settings.epochs,
                    verbose=settings.verbose, shuffle=False)
    return Trained(model, bases.top_features(fresh)[0], {"scratch": _floats(fit.history)})
