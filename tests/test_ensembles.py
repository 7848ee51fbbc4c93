import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from kerasrecipes import ensembles
from kerasrecipes import export
from kerasrecipes.ensembles import LateFusion

SERVE_SCRIPT = """
import json, sys
import numpy as np
import tensorflow as tf
path, images_file, out_file = sys.argv[1:]
serve = tf.saved_model.load(path).signatures["serving_default"]
out = serve(images=tf.constant(np.load(images_file)))
np.savez(out_file, probabilities=out["probabilities"].numpy(), class_id=out["class_id"].numpy())
print(json.dumps({"kerasrecipes": any(m.startswith("kerasrecipes") for m in sys.modules)}))
"""


def tiny(seed, shape=(8, 8, 1), classes=4, name="tiny"):
    """A small untrained classifier (raw pixels in) with a kerasrecipes layer inside."""
    from kerasrecipes import activations

    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape)
    x = keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    x = keras.layers.Conv2D(6, 3, name="conv")(x)
    x = activations.layer("prelu", name="prelu")(x)
    x = keras.layers.Dense(16, activation="relu", name="features")(keras.layers.Flatten()(x))
    return keras.Model(inputs, keras.layers.Dense(classes, activation="softmax",
                                                  name="predictions")(x), name=name)


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).integers(0, 256, (40, 8, 8, 1)).astype("float32")


@pytest.fixture(scope="module")
def labels():
    return np.arange(40) % 4


# Late fusion ---------------------------------------------------------------------------

@pytest.mark.parametrize("fusion", ["mean", "weighted", "vote"])
def test_late_fusion_of_identical_members_equals_one_member(images, labels, fusion):
    member = tiny(0)
    model = ensembles.ensemble([member] * 3, fusion=fusion, validation_data=(images, labels))
    expected = member.predict(images, verbose=0)
    fused = model.predict(images, verbose=0)
    np.testing.assert_array_equal(fused.argmax(-1), expected.argmax(-1))
    if fusion != "vote":
        np.testing.assert_allclose(fused, expected, atol=1e-6)
    assert [layer.name for layer in model.layers[1:4]] == ["member_0", "member_1", "member_2"]
    assert member.name == "tiny" and member.trainable  # the user's model is untouched


def test_vote_counts_classes_and_breaks_ties_by_mean_probability():
    p = [np.array([[0.6, 0.4, 0.0], [0.5, 0.1, 0.4]], "float32"),
         np.array([[0.6, 0.4, 0.0], [0.1, 0.8, 0.1]], "float32"),
         np.array([[0.1, 0.9, 0.0], [0.3, 0.2, 0.5]], "float32")]
    vote = np.asarray(LateFusion("vote")(p))
    # Row 0: two votes for class 0 beat one confident vote for class 1.
    # Row 1: one vote each; the mean probabilities (0.3, 0.37, 0.33) pick class 1.
    np.testing.assert_array_equal(vote.argmax(-1), [0, 1])
    np.testing.assert_allclose(vote.sum(-1), [1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(vote[0], (np.array([2, 1, 0]) + 0.5 * np.mean(p, 0)[0]) / 3.5,
                               atol=1e-6)
    weighted = np.asarray(LateFusion("weighted", member_weights=[2, 1, 1])(p))
    np.testing.assert_allclose(weighted, 0.5 * p[0] + 0.25 * p[1] + 0.25 * p[2], atol=1e-6)


def test_fitted_weights_favour_the_informative_member():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 500)
    good = np.full((500, 4), 0.1)
    good[np.arange(500), y] = 0.7
    noise = rng.dirichlet(np.ones(4), 500)
    weights = ensembles.fit_weights(np.stack([noise, good, noise]), y)
    assert weights.sum() == pytest.approx(1.0) and weights.min() >= 0
    assert weights[1] > 0.9


@pytest.mark.parametrize("fusion", ["mean", "weighted", "vote", "early"])
def test_ensemble_saves_and_reloads_in_safe_mode(tmp_path, images, labels, fusion):
    model = ensembles.ensemble([tiny(1), tiny(2)], fusion=fusion,
                               validation_data=(images, labels), epochs=2)
    path = str(tmp_path / "ensemble.keras")
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(restored.predict(images, verbose=0),
                                  model.predict(images, verbose=0))
    assert restored.evaluate(images, labels, verbose=0, return_dict=True).keys() >= {
        "loss", "accuracy"}


def test_early_fusion_at_a_named_layer_trains_only_its_head(images, labels):
    members = [tiny(3), tiny(4)]
    before = [m.get_weights() for m in members]
    model = ensembles.ensemble(members, fusion="early", layer="prelu",
                               validation_data=(images, labels), epochs=3)
    # prelu outputs (6, 6, 6) maps: globally pooled to 6 features per member.
    assert model.get_layer("features").output.shape == (None, 12)
    assert [w.shape for w in model.trainable_weights] == [(12, 4), (4,)]
    for member, weights in zip(members, before):
        for a, b in zip(member.get_weights(), weights):
            np.testing.assert_array_equal(a, b)


def test_an_ensemble_exports_as_one_savedmodel_served_by_tensorflow_alone(tmp_path, images,
                                                                          labels):
    model = ensembles.ensemble([tiny(5), tiny(6), tiny(7)], fusion="weighted",
                               validation_data=(images, labels))
    path = export.save(model, str(tmp_path / "ens"), class_names=list("abcd"))
    raw = images.astype("uint8")
    np.save(tmp_path / "images.npy", raw)
    result = subprocess.run(
        [sys.executable, "-c", SERVE_SCRIPT, path, str(tmp_path / "images.npy"),
         str(tmp_path / "out.npz")],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"kerasrecipes": False}
    served = np.load(tmp_path / "out.npz")
    expected = model.predict(raw.astype("float32"), verbose=0)
    assert np.max(np.abs(served["probabilities"] - expected)) <= 1e-6
    np.testing.assert_array_equal(served["class_id"], expected.argmax(-1))
    assert export.load_metadata(path)["input"] == {"name": "images", "dtype": "uint8",
                                                   "shape": [None, 8, 8, 1]}


# Bad inputs ----------------------------------------------------------------------------

def test_empty_member_list():
    with pytest.raises(ValueError, match=r"`members` must be a non-empty list .* Received: "
                                         r"members=\[\]"):
        ensembles.ensemble([])


def test_members_with_different_input_shapes():
    with pytest.raises(ValueError, match=r"same input shape. Received: input shapes "
                                         r"\[\(8, 8, 1\), \(10, 10, 1\)\]"):
        ensembles.ensemble([tiny(0), tiny(1, shape=(10, 10, 1))])


def test_members_with_different_class_counts():
    with pytest.raises(ValueError, match=r"same classes .* Received: output shapes "
                                         r"\[\(None, 4\), \(None, 3\)\]"):
        ensembles.ensemble([tiny(0), tiny(1, classes=3)])


def test_unknown_fusion_suggests_close_names():
    with pytest.raises(ValueError, match=r"`fusion` must be one of \['early', 'mean', 'vote', "
                                         r"'weighted'\]. Did you mean 'vote'\? Received: "
                                         r"fusion='voting'"):
        ensembles.ensemble([tiny(0)], fusion="voting")


def test_a_layer_that_does_not_exist(images, labels):
    # Keras numbers auto-named layers per process ("flatten_8" may also come close), so
    # only the first suggestion is pinned.
    with pytest.raises(ValueError, match=r"`layer` must be one of .*Did you mean 'features'"
                                         r".*\? Received: layer='feature'"):
        ensembles.ensemble([tiny(0)], fusion="early", layer="feature",
                           validation_data=(images, labels))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(fusion="mean", layer="conv"), "`layer` is used by fusion='early' only"),
        (dict(fusion="weighted"), "`validation_data` is required"),
        (dict(fusion="early"), "`validation_data` is required"),
    ],
)
def test_misused_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ensembles.ensemble([tiny(0), tiny(1)], **kwargs)


def test_members_must_be_models_or_keras_files(tmp_path):
    with pytest.raises(TypeError, match=r"members\[1\] of type str|members\[1\] of type int"):
        ensembles.ensemble([tiny(0), 3])
    with pytest.raises(ValueError, match="existing .keras files"):
        ensembles.ensemble([tiny(0), str(tmp_path / "missing.keras")])


@pytest.mark.parametrize(
    "args, message",
    [
        (("sede", "mean"), r"`source` must be one of \['folds', 'seeds', 'snapshots'\]. "
                           r"Did you mean 'seeds'"),
        (("folds", "weighted"), "must be 'mean' or 'vote' with fold members"),
    ],
)
def test_plans_are_checked_before_training(args, message):
    with pytest.raises(ValueError, match=message):
        ensembles.check_plan(*args)


def test_a_recipe_layer_is_checked_before_training():
    from kerasrecipes import recipes

    with pytest.raises(ValueError, match=r"Did you mean 'fc1_relu'"):
        ensembles.check_plan("seeds", "early", "fc1_rel", recipes.config("fashion_mnist_vgg"))
    ensembles.check_plan("seeds", "early", "fc1_relu", recipes.config("fashion_mnist_vgg"))


# A small real run ----------------------------------------------------------------------

SMALL_RUN = dict(epochs=1, train_samples=1500, width=0.25, validation_split=0.03,
                 augment="none", optimizer="adam", learning_rate=2e-3, warmup_epochs=0.0)


@pytest.fixture(scope="module")
def seed_run():
    return ensembles.seed_members("fashion_mnist_vgg", 3, **SMALL_RUN)


@pytest.mark.slow
@pytest.mark.xdist_group("ensembles_seed_run")  # one worker builds `seed_run` once
def test_seed_members_share_one_held_out_split_and_differ(seed_run):
    assert [c.seed for c in seed_run.configs] == [0, 1, 2]
    assert {c.split_seed for c in seed_run.configs} == {0}
    assert len(seed_run.scores) == 3 and all(0.3 < s < 1 for s in seed_run.scores)
    first, second = (m.get_weights()[1] for m in seed_run.models[:2])
    assert not np.array_equal(first, second)


@pytest.mark.slow
@pytest.mark.xdist_group("ensembles_seed_run")
def test_every_fusion_beats_the_mean_member(seed_run, fashion_mnist):
    (_, _), (x_test, y_test) = fashion_mnist
    test = (x_test[:2000].astype("float32"), y_test[:2000])
    mean_member = float(np.mean(ensembles.member_accuracies(seed_run.models, test)))
    for fusion in ("mean", "weighted", "vote", "early"):
        model = ensembles.ensemble(seed_run.models, fusion=fusion,
                                   validation_data=seed_run.validation_data)
        accuracy = model.evaluate(*test, verbose=0, return_dict=True)["accuracy"]
        assert accuracy > mean_member, (fusion, accuracy, mean_member)


@pytest.mark.slow
def test_snapshot_members_restart_the_cosine_each_cycle():
    run = ensembles.snapshot_members("fashion_mnist_vgg", 2, **dict(SMALL_RUN, epochs=2,
                                                                    train_samples=500))
    assert [m.name for m in run.models] == ["snapshot_1", "snapshot_2"]
    assert not np.array_equal(run.models[0].get_weights()[1], run.models[1].get_weights()[1])
    from kerasrecipes.training.callbacks import LearningRateLogger

    logger = next(c for c in run.recipe.callbacks if isinstance(c, LearningRateLogger))
    steps, rates = logger.rates()
    cycle = len(run.recipe.train_data)  # one epoch per cycle: 4 steps
    assert steps.tolist() == list(range(2 * cycle))
    for start in (0, cycle):  # each cycle restarts at the peak and anneals below 20 %
        assert rates[start] == pytest.approx(2e-3)
        assert np.all(np.diff(rates[start:start + cycle]) < 0)
        assert rates[start + cycle - 1] < 0.2 * 2e-3


def test_checkpoint_members_load_the_kept_epochs(tmp_path, images, labels):
    from kerasrecipes.training import checkpoints

    model = tiny(0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(images, labels, validation_split=0.25, epochs=3, verbose=0,
              callbacks=checkpoints.checkpoint_callbacks(str(tmp_path), keep_last=2))
    members = ensembles.checkpoint_members(str(tmp_path))
    assert len(members) == 2
    np.testing.assert_array_equal(members[-1].predict(images, verbose=0),
                                  model.predict(images, verbose=0))
    with pytest.raises(ValueError, match="must hold epoch-NNN.keras files"):
        ensembles.checkpoint_members(str(tmp_path / "nothing"))


class FakeRun:
    """Stands in for a trained `Recipe` (model, config, val_data) in ranking tests."""

    def __init__(self, config):
        self.config = config
        self.model = f"model({config.fold}, {config.dropout})"
        self.val_data = "held-out"


def fake_fit(scores):
    trained = []

    def fit(config, verbose, callbacks=()):
        trained.append(config)
        return FakeRun(config), scores[len(trained) - 1]

    return fit, trained


def test_fold_members_run_k_folds_on_one_split_and_keep_the_best(monkeypatch):
    fit, trained = fake_fit([0.70, 0.90, 0.80, 0.60])
    monkeypatch.setattr(ensembles, "_fit", fit)
    run = ensembles.fold_members("fashion_mnist_vgg", 2, folds=4, seed=7)
    assert [c.fold for c in trained] == [0, 1, 2, 3]
    assert {(c.validation_split, c.split_seed, c.seed) for c in trained} == {(0.25, 7, 7)}
    assert run.scores == [0.90, 0.80] and run.models == ["model(1, None)", "model(2, None)"]  # None: the preset's dropout
    assert run.validation_data is None  # every image trained some member
    with pytest.raises(ValueError, match=r"`folds` must be an integer >= max\(count, 2\) = 3"):
        ensembles.fold_members("fashion_mnist_vgg", 3, folds=2)


def test_search_members_keep_the_best_and_check_every_combination_first(monkeypatch):
    fit, trained = fake_fit([0.70, 0.90, 0.80])
    monkeypatch.setattr(ensembles, "_fit", fit)
    run = ensembles.search_members("fashion_mnist_vgg", {"dropout": ["0.1", "0.3", "0.5"]}, 2)
    assert [c.dropout for c in trained] == [0.1, 0.3, 0.5]
    assert run.scores == [0.90, 0.80] and [c.dropout for c in run.configs] == [0.3, 0.5]
    assert run.validation_data == "held-out"
    trained.clear()
    with pytest.raises(ValueError, match=r"Key `dropout` must be None or in \[0, 1\). Received: dropout=2.0"):
        ensembles.search_members("fashion_mnist_vgg", {"dropout": [0.2, 2.0]}, 1)
    assert trained == []
