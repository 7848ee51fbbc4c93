"""Ensembles as one `keras.Model`: members from seeds, folds or checkpoints; late or early fusion.

The seeds' tip: train several networks (different initialisations, the best models of a
cross-validation, or checkpoints of one run) and combine them, late (average or vote on
their predictions) or early (concatenate their features and train one classifier on
top). `ensemble()` returns one functional `keras.Model` holding copies of the members as
sub-models, with the same raw-pixel input as a member, so it evaluates, saves as
`.keras` (safe mode, no `custom_objects`) and exports through
`kerasrecipes.export.save` as one SavedModel with the members' uint8
`serving_default` signature.

Fusions (`FUSIONS`):

- `"mean"`: the mean of the members' class probabilities.
- `"weighted"`: a weighted mean whose weights are fitted on held-out data: the convex
  weights (non-negative, summing to 1) that minimise the log-loss of the weighted mean
  on `validation_data`, found by exponentiated-gradient descent (Kivinen & Warmuth,
  1997) from equal weights. A member that adds nothing gets a weight near 0.
- `"vote"`: majority vote of the members' predicted classes; ties go to the class with
  the higher mean probability. The output is the vote share (plus a small tie-break
  term), so it still sums to 1 and `argmax` is the voted class.
- `"early"`: the members' features at `layer` (by default the input of each member's
  last layer, i.e. the penultimate features; feature maps are globally averaged),
  concatenated, with one new softmax layer trained on `validation_data` while the
  members stay frozen.

Members come from `seed_members()` (one recipe, different seeds, one shared validation
split), `fold_members()` (k-fold cross-validation on the training split, the best
`count` folds' models by their fold's validation accuracy), `search_members()` (a
small grid over config values, the best by validation accuracy), `snapshot_members()`
(one run with a cyclic cosine learning rate, a member at the end of each cycle) and
`checkpoint_members()` (the last epochs kept by `keep_last`).

Example:

>>> import kerasrecipes as kr
>>> run = kr.ensembles.seed_members("fashion_mnist_vgg", 3, epochs=2)
>>> model = kr.ensembles.ensemble(run.models, fusion="weighted",
...                               validation_data=run.validation_data)
>>> model.evaluate(run.recipe.test_data, return_dict=True)
>>> kr.export.save(model, "saved_models/fashion_mnist_vgg_ensemble")

Reference:
    Huang et al., "Snapshot Ensembles: Train 1, get M for free", ICLR 2017
    (https://arxiv.org/abs/1704.00109).
"""

import dataclasses
import functools
import itertools
import os

import keras
import numpy as np

from kerasrecipes._names import unknown_name_error

FUSIONS = ("mean", "weighted", "vote", "early")
LATE_FUSIONS = ("mean", "weighted", "vote")
SOURCES = ("seeds", "folds", "snapshots")
# Vote shares differ by at least 1/n; adding half the mean probability (at most 1/2 per
# class) breaks ties without ever overturning a vote.
_TIE_BREAK = 0.5


@keras.saving.register_keras_serializable(package="kerasrecipes")
class LateFusion(keras.layers.Layer):
    """Combines the class probabilities of several members into one distribution.

    Args:
        mode: `"mean"`, `"weighted"` or `"vote"` (see the module docstring).
        member_weights: list of non-negative floats, one per member, for
            `"weighted"` (normalised to sum to 1). Ignored otherwise.
        **kwargs: base layer arguments (`name`, `dtype`).

    Call arguments:
        inputs: list of tensors `(batch, classes)`, one per member, probabilities.

    Input shape:
        A list of `(batch, classes)` tensors.

    Output shape:
        `(batch, classes)`, rows summing to 1.

    Example:

    >>> fused = LateFusion("vote")([p1, p2, p3])
    """

    def __init__(self, mode="mean", member_weights=None, **kwargs):
        super().__init__(**kwargs)
        if mode not in LATE_FUSIONS:
            raise unknown_name_error("mode", mode, LATE_FUSIONS)
        if mode == "weighted":
            if member_weights is None:
                raise ValueError("Argument `member_weights` is required when mode='weighted'. "
                                 "Received: member_weights=None")
            member_weights = [float(w) for w in member_weights]
            if min(member_weights) < 0 or sum(member_weights) <= 0:
                raise ValueError(
                    "Argument `member_weights` must be non-negative with a positive sum. "
                    f"Received: member_weights={member_weights}"
                )
            total = sum(member_weights)
            member_weights = [w / total for w in member_weights]
        self.mode = mode
        self.member_weights = member_weights

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(
            input_shape[0], (list, tuple)
        ):
            raise ValueError(
                f"Layer `LateFusion` takes a list of (batch, classes) tensors. Received: "
                f"input_shape={input_shape}"
            )
        if self.mode == "weighted" and len(input_shape) != len(self.member_weights):
            raise ValueError(
                f"Argument `member_weights` must have one weight per member ({len(input_shape)}). "
                f"Received: member_weights={self.member_weights}"
            )

    def call(self, inputs):
        stacked = keras.ops.stack([keras.ops.cast(p, "float32") for p in inputs], axis=0)
        if self.mode == "mean":
            return keras.ops.mean(stacked, axis=0)
        if self.mode == "weighted":
            weights = keras.ops.reshape(
                keras.ops.convert_to_tensor(self.member_weights, "float32"), (-1, 1, 1))
            return keras.ops.sum(stacked * weights, axis=0)
        classes = stacked.shape[-1]
        votes = keras.ops.sum(
            keras.ops.one_hot(keras.ops.argmax(stacked, axis=-1), classes, dtype="float32"),
            axis=0)
        mean = keras.ops.mean(stacked, axis=0)
        return (votes + _TIE_BREAK * mean) / (len(inputs) + _TIE_BREAK)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "member_weights": self.member_weights}


def _as_model(member, index):
    if isinstance(member, (str, os.PathLike)):
        if not os.path.exists(member):
            raise ValueError(
                f"Argument `members` must hold keras.Model objects or existing .keras files. "
                f"Received: members[{index}]={os.fspath(member)!r}"
            )
        return keras.saving.load_model(member)
    if not isinstance(member, keras.Model):
        raise TypeError(
            "Argument `members` must hold keras.Model objects or .keras paths. "
            f"Received: members[{index}] of type {type(member).__name__}"
        )
    return member


def check_members(members):
    """Checks and loads `members`; returns `(models, input_shape, classes)`.

    Raises:
        ValueError: an empty list, or members with different input shapes or class counts.
        TypeError: a member that is neither a `keras.Model` nor a `.keras` path.
    """
    if not isinstance(members, (list, tuple)) or not members:
        raise ValueError(
            "Argument `members` must be a non-empty list of models or .keras paths. "
            f"Received: members={members!r}"
        )
    loaded = [_as_model(m, i) for i, m in enumerate(members)]
    input_shapes = [tuple(m.inputs[0].shape[1:]) for m in loaded]
    if len(set(input_shapes)) > 1:
        raise ValueError(
            "Argument `members` must all take the same input shape. "
            f"Received: input shapes {input_shapes}"
        )
    output_shapes = [tuple(m.outputs[0].shape) for m in loaded]
    classes = [shape[-1] for shape in output_shapes]
    if any(len(shape) != 2 for shape in output_shapes) or len(set(classes)) > 1:
        raise ValueError(
            "Argument `members` must all output probabilities over the same classes "
            f"(batch, classes). Received: output shapes {output_shapes}"
        )
    return loaded, input_shapes[0], classes[0]


def check_fusion(fusion):
    """Raises a `ValueError` listing the fusions (and close matches) when `fusion` is unknown."""
    if fusion not in FUSIONS:
        raise unknown_name_error("fusion", fusion, FUSIONS)


def _check_layer_use(layer, fusion):
    if layer is not None and fusion != "early":
        raise ValueError(
            f"Argument `layer` is used by fusion='early' only. Received: layer={layer!r}, "
            f"fusion={fusion!r}"
        )


def _renamed_copy(model, name):
    # Copies keep the user's models untouched (names, trainable flags) and give each
    # sub-model the unique name a functional model requires.
    config = model.get_config()
    config["name"] = name
    copy = model.__class__.from_config(config)
    copy.set_weights(model.get_weights())
    return copy


def _arrays(data, argument="validation_data"):
    """Returns `(x, y)` numpy arrays from a `(x, y)` tuple or an iterable of batches."""
    if data is None:
        raise ValueError(f"Argument `{argument}` is required for this fusion. Received: None")
    if isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = data
    else:
        batches = [(np.asarray(xb), np.asarray(yb)) for xb, yb in data]
        x = np.concatenate([b[0] for b in batches])
        y = np.concatenate([b[1] for b in batches])
    return np.asarray(x, "float32"), np.asarray(y).reshape(-1).astype("int64")


def fit_weights(probabilities, labels, steps=500, step_size=0.5):
    """Fits convex member weights that minimise the log-loss of the weighted mean.

    Exponentiated-gradient descent on the probability simplex, from equal weights.

    Args:
        probabilities: array `(members, samples, classes)` of held-out predictions.
        labels: int array `(samples,)`.
        steps: int, descent steps.
        step_size: float, the multiplicative step.

    Returns:
        A numpy array of `members` weights, non-negative, summing to 1.

    Example:

    >>> fit_weights(np.stack([good_probs, noise_probs]), y)  # -> about [1, 0]
    """
    probabilities = np.asarray(probabilities, "float64")
    labels = np.asarray(labels).reshape(-1)
    true_class = probabilities[:, np.arange(len(labels)), labels]  # (members, samples)
    weights = np.full(len(probabilities), 1.0 / len(probabilities))
    for _ in range(steps):
        mixed = np.maximum(weights @ true_class, 1e-12)
        gradient = -(true_class / mixed).mean(axis=1)
        weights = weights * np.exp(-step_size * (gradient - gradient.min()))
        weights /= weights.sum()
    return weights


def _feature_model(member, layer, index):
    if layer is None:
        output = member.layers[-1].input
    else:
        names = [lay.name for lay in member.layers]
        if layer not in names:
            raise unknown_name_error("layer", layer, names)
        output = member.get_layer(layer).output
    features = keras.Model(member.inputs, output, name=f"member_{index}_features")
    features.trainable = False
    return features


def ensemble(members, fusion="mean", validation_data=None, layer=None, epochs=20,
             batch_size=256, learning_rate=1e-3, seed=0, name="ensemble"):
    """Combines trained members into one compiled `keras.Model`.

    Args:
        members: non-empty list of `keras.Model`s (or `.keras` paths), all taking the
            same images and returning probabilities over the same classes.
        fusion: one of `FUSIONS`: `"mean"` (default), `"weighted"`, `"vote"`, `"early"`.
        validation_data: held-out `(x, y)` arrays, or a dataset of `(x, y)` batches,
            that no member trained on; required for `"weighted"` (the weights are
            fitted on it) and `"early"` (the head is trained on it).
        layer: str, `"early"` only: the name of the member layer whose output is the
            features (every member must have it). Defaults to the input of each
            member's last layer.
        epochs, batch_size, learning_rate: `"early"` only: training of the head (Adam).
        seed: int, seeds the head's initial weights.
        name: str, the ensemble model's name.

    Returns:
        A compiled `keras.Model` (sparse categorical cross-entropy, accuracy): raw
        pixels in, probabilities out, members as frozen sub-models `member_0`,
        `member_1`, ... (copies: the models passed in are left as they were).

    Raises:
        ValueError: empty `members`, different input shapes or class counts, an unknown
            `fusion`, a `layer` no member has, `layer` with a late fusion, or missing
            `validation_data`.

    Example:

    >>> model = ensemble([m1, m2, m3], fusion="vote")
    >>> model.evaluate(x_test, y_test, return_dict=True)
    """
    check_fusion(fusion)
    models_, input_shape, classes = check_members(members)
    _check_layer_use(layer, fusion)
    if fusion in ("weighted", "early"):
        x_val, y_val = _arrays(validation_data)
    copies = [_renamed_copy(m, f"member_{i}") for i, m in enumerate(models_)]
    inputs = keras.Input(input_shape, name="images")
    if fusion == "early":
        extractors = [_feature_model(m, layer, i) for i, m in enumerate(copies)]
        features = []
        for index, extractor in enumerate(extractors):
            x = extractor(inputs)
            if len(x.shape) == 4:  # a feature map: one value per channel
                x = keras.layers.GlobalAveragePooling2D(name=f"member_{index}_pool")(x)
            elif len(x.shape) > 2:
                x = keras.layers.Flatten(name=f"member_{index}_flatten")(x)
            features.append(x)
        joined = (keras.layers.Concatenate(name="features")(features)
                  if len(features) > 1 else features[0])
        head = keras.layers.Dense(
            classes, activation="softmax", dtype="float32", name="fusion_head",
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed))
        _train_head(head, keras.Model(inputs, joined), x_val, y_val, epochs, batch_size,
                    learning_rate)
        outputs = head(joined)
    else:
        for copy in copies:
            copy.trainable = False  # late fusion learns nothing by gradient
        probabilities = [copy(inputs) for copy in copies]
        weights = None
        if fusion == "weighted":
            predictions = np.stack([m.predict(x_val, batch_size=512, verbose=0)
                                    for m in copies])
            weights = fit_weights(predictions, y_val).tolist()
        outputs = LateFusion(fusion, member_weights=weights, name=f"{fusion}_fusion")(
            probabilities)
    model = keras.Model(inputs, outputs, name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    # Built now, so a saved ensemble reloads its optimizer without a mismatch warning.
    model.optimizer.build(model.trainable_variables)
    return model


def _train_head(head, feature_model, x, y, epochs, batch_size, learning_rate):
    # The members are frozen, so their features are computed once and the head is
    # trained on them alone: one pass through the members instead of one per epoch.
    features = feature_model.predict(x, batch_size=512, verbose=0)
    trainer = keras.Sequential([keras.Input(features.shape[1:]), head])
    trainer.compile(optimizer=keras.optimizers.Adam(learning_rate),
                    loss=keras.losses.SparseCategoricalCrossentropy())
    trainer.fit(features, y, epochs=epochs, batch_size=batch_size, verbose=0)


def member_accuracies(members, data):
    """Returns each member's accuracy on `(x, y)` arrays or a dataset of batches."""
    x, y = _arrays(data, "data")
    return [float(np.mean(m.predict(x, batch_size=512, verbose=0).argmax(-1) == y))
            for m in members]


@dataclasses.dataclass
class Members:
    """Trained members and where they came from.

    Attributes:
        models: list of trained `keras.Model`s.
        scores: list of float, each member's validation accuracy.
        recipe: the last `Recipe` built (its `test_data`, `class_names`, `config`).
        validation_data: a dataset of `(x, y)` batches no member trained on (for
            `"weighted"`/`"early"` fusion), or None when every image trained some
            member (folds).
        configs: list of each member's `RecipeConfig`.
    """

    models: list
    scores: list
    recipe: object
    validation_data: object
    configs: list


def _fit(config, verbose, callbacks=()):
    from kerasrecipes import recipes

    recipe = recipes.build(config)
    recipe.fit(verbose=verbose, callbacks=list(callbacks))
    score = recipe.model.evaluate(recipe.val_data, verbose=0, return_dict=True)["accuracy"]
    return recipe, float(score)


def _base_config(recipe, overrides):
    from kerasrecipes import recipes

    config = recipes.config(recipe, **overrides)
    recipes.validate(config)
    # One split for every member: their validation set stays held out from all of them.
    return config.replace(split_seed=config.seed if config.split_seed is None
                          else config.split_seed)


def _check_count(count, argument="count"):
    if not (isinstance(count, int) and not isinstance(count, bool) and count >= 1):
        raise ValueError(f"Argument `{argument}` must be an integer >= 1. "
                         f"Received: {argument}={count!r}")


def seed_members(recipe, count, verbose=0, **overrides):
    """Trains `count` copies of a recipe that differ only in their seed.

    Seeds are `seed, seed + 1, ...`; the validation split stays that of the first, so
    it is held out from every member.

    Args:
        recipe: str, a registered recipe name.
        count: int >= 1, number of members.
        verbose: passed to `Recipe.fit`.
        **overrides: config overrides (e.g. `epochs=2`).

    Returns:
        `Members`.
    """
    _check_count(count)
    base = _base_config(recipe, overrides)
    runs = [_fit(base.replace(seed=base.seed + i), verbose) for i in range(count)]
    return Members([r.model for r, _ in runs], [s for _, s in runs], runs[-1][0],
                   runs[-1][0].val_data, [r.config for r, _ in runs])


def fold_members(recipe, count, folds=None, verbose=0, **overrides):
    """Runs a k-fold cross-validation on the training split; keeps the `count` best folds' models.

    Fold `i` validates on block `i` of the seeded shuffle of the training images
    (`validation_split=1/folds`, `fold=i`) and trains on the rest; members are ranked by
    their own fold's validation accuracy. Every training image trains some member, so
    no held-out data is left for `"weighted"`/`"early"` fusion (`validation_data` is
    None): use `"mean"` or `"vote"`.

    Args:
        recipe: str, a registered recipe name.
        count: int >= 1, members kept.
        folds: int >= 2, folds of the cross-validation; defaults to `max(count, 2)`.
        verbose: passed to `Recipe.fit`.
        **overrides: config overrides.

    Returns:
        `Members`, best first.
    """
    _check_count(count)
    folds = max(count, 2) if folds is None else folds
    if not (isinstance(folds, int) and folds >= max(count, 2)):
        raise ValueError(f"Argument `folds` must be an integer >= max(count, 2) = "
                         f"{max(count, 2)}. Received: folds={folds!r}")
    base = _base_config(recipe, overrides).replace(validation_split=1.0 / folds)
    runs = [_fit(base.replace(fold=i), verbose) for i in range(folds)]
    best = sorted(runs, key=lambda run: -run[1])[:count]
    return Members([r.model for r, _ in best], [s for _, s in best], best[0][0], None,
                   [r.config for r, _ in best])


def search_members(recipe, grid, count, verbose=0, **overrides):
    """Trains one member per combination of `grid` values; keeps the `count` best by validation.

    Args:
        recipe: str, a registered recipe name.
        grid: dict of config key -> list of values (`--set` strings allowed), e.g.
            `{"learning_rate": [0.05, 0.1], "dropout": [0.3, 0.5]}`.
        count: int >= 1, members kept.
        verbose: passed to `Recipe.fit`.
        **overrides: config overrides shared by every run.

    Returns:
        `Members`, best first; their shared validation split is held out from all.
    """
    _check_count(count)
    if not isinstance(grid, dict) or not grid or not all(
        isinstance(v, (list, tuple)) and v for v in grid.values()
    ):
        raise ValueError("Argument `grid` must be a non-empty dict of key -> non-empty list "
                         f"of values. Received: grid={grid!r}")
    base = _base_config(recipe, overrides)
    configs = [base.replace(**dict(zip(grid, values)))
               for values in itertools.product(*grid.values())]
    from kerasrecipes import recipes

    for config in configs:  # every combination is checked before the first one trains
        recipes.validate(config)
    runs = sorted((_fit(c, verbose) for c in configs), key=lambda run: -run[1])[:count]
    return Members([r.model for r, _ in runs], [s for _, s in runs], runs[0][0],
                   runs[0][0].val_data, [r.config for r, _ in runs])


def snapshot_members(recipe, count, verbose=0, **overrides):
    """Trains one run with a cyclic cosine learning rate; a member at the end of each cycle.

    The run lasts the recipe's `epochs`, rounded down to a multiple of `count`; each of
    the `count` cycles restarts the cosine from the recipe's `learning_rate` and anneals
    it to zero within the cycle (Keras' `CosineDecayRestarts`, per step).

    Args:
        recipe: str, a registered recipe name.
        count: int >= 1, number of cycles and members; at most `epochs`.
        verbose: passed to `Recipe.fit`.
        **overrides: config overrides.

    Returns:
        `Members` (scores are validation accuracies; the validation split is held out).
    """
    from kerasrecipes import recipes

    _check_count(count)
    config = _base_config(recipe, overrides)
    if count > config.epochs:
        raise ValueError(f"Argument `count` must be at most `epochs` ({config.epochs}), one "
                         f"cycle per member. Received: count={count}")
    every = config.epochs // count
    built = recipes.build(config)
    built.model.optimizer.learning_rate = keras.optimizers.schedules.CosineDecayRestarts(
        config.learning_rate, first_decay_steps=len(built.train_data) * every, t_mul=1.0,
        m_mul=1.0)
    snapshots = []
    collect = keras.callbacks.LambdaCallback(
        on_epoch_end=functools.partial(_snapshot_of, built.model, snapshots, every))
    built.fit(epochs=every * count, verbose=verbose, callbacks=[collect])
    scores = [float(s) for s in member_accuracies(snapshots, built.val_data)]
    return Members(snapshots, scores, built, built.val_data, [config] * count)


def _snapshot_of(model, members, every, epoch, logs=None):
    if (epoch + 1) % every == 0:
        members.append(_renamed_copy(model, f"snapshot_{len(members) + 1}"))


def checkpoint_members(checkpoint_dir, count=None):
    """Loads the last `count` per-epoch checkpoints (`keep_last`) of one run as members.

    Args:
        checkpoint_dir: str, a recipe's `checkpoint_dir` trained with `keep_last`.
        count: optional int, how many of the newest epochs; defaults to all kept.

    Returns:
        A list of `keras.Model`s, oldest epoch first.

    Raises:
        ValueError: no `epoch-NNN.keras` file in `checkpoint_dir`.
    """
    from kerasrecipes.training import checkpoints

    files = checkpoints.epoch_files(checkpoint_dir)
    if not files:
        raise ValueError(
            "Argument `checkpoint_dir` must hold epoch-NNN.keras files (train with "
            f"`keep_last`). Received: checkpoint_dir={checkpoint_dir!r}"
        )
    if count is not None:
        _check_count(count)
        files = files[-count:]
    return [keras.saving.load_model(f) for f in files]


def members_from(source, recipe, count, verbose=0, **overrides):
    """Returns `Members` from a source name: `"seeds"`, `"folds"` or `"snapshots"`."""
    makers = {"seeds": seed_members, "folds": fold_members, "snapshots": snapshot_members}
    if source not in makers:
        raise unknown_name_error("source", source, SOURCES)
    return makers[source](recipe, count, verbose=verbose, **overrides)


def parameter_count(members):
    """Returns the total number of parameters of `members`."""
    return int(sum(m.count_params() for m in members))


def check_plan(source, fusion, layer=None, config=None):
    """Checks a source/fusion/layer combination before any member trains.

    Args:
        source: one of `SOURCES`.
        fusion: one of `FUSIONS`.
        layer: optional layer name for `"early"`.
        config: optional `RecipeConfig`; with it, `layer` is looked up in an untrained
            copy of the recipe's model.

    Raises:
        ValueError: an unknown source or fusion, a fusion that needs held-out data with
            fold members, `layer` with a late fusion, or a layer the model lacks.
    """
    if source not in SOURCES:
        raise unknown_name_error("source", source, SOURCES)
    check_fusion(fusion)
    if source == "folds" and fusion in ("weighted", "early"):
        raise ValueError(
            f"Argument `fusion` must be 'mean' or 'vote' with fold members: fusion={fusion!r} is "
            "fitted on held-out data, and every training image trains some fold's member. "
            f"Received: fusion={fusion!r}, source='folds'"
        )
    _check_layer_use(layer, fusion)
    if layer is not None and config is not None:
        from kerasrecipes import models

        # None keys keep the preset's own values, as in the recipe's build.
        options = dict(width=config.width, norm=config.norm, activation=config.activation,
                       dropout=config.dropout)
        untrained = models.get(config.model, **{k: v for k, v in options.items() if v is not None})
        names = [lay.name for lay in untrained.layers]
        if layer not in names:
            raise unknown_name_error("layer", layer, names)


def from_recipe(recipe, count, source="seeds", fusion="mean", layer=None, verbose=0,
                **overrides):
    """Trains the members of a recipe and fuses them: what `kerasrecipes ensemble` runs.

    Every argument is checked before the first member trains.

    Args:
        recipe: str, a registered recipe name.
        count: int >= 1, number of members.
        source: `"seeds"`, `"folds"` or `"snapshots"`.
        fusion: one of `FUSIONS`.
        layer: optional layer name for `"early"`.
        verbose: passed to `Recipe.fit`.
        **overrides: config overrides.

    Returns:
        `(model, members)`: the compiled ensemble `keras.Model` and the `Members`.

    Example:

    >>> model, run = from_recipe("fashion_mnist_vgg", 5, source="snapshots", epochs=10)
    """
    _check_count(count)
    check_plan(source, fusion, layer, _base_config(recipe, overrides))
    run = members_from(source, recipe, count, verbose=verbose, **overrides)
    model = ensemble(run.models, fusion=fusion, validation_data=run.validation_data,
                     layer=layer, seed=run.configs[0].seed, name=f"{recipe}_ensemble")
    return model, run
