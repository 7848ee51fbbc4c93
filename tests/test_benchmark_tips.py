"""`benchmarks/tips.py` on tiny settings: its rows, verdicts, merging and table cannot rot.

Real training runs for one row end to end (`--quick --only shuffle`) and for each kind
of measurement the other rows make (the init statistics; a swapped model with the
validation curve, the train − test gap and TTA, in one run); every arm of every row is
checked to be a valid recipe config; the rest of the bookkeeping runs on stand-in
measurements.
"""

import json
import os
import types

import pytest

from tests import benchmark_modules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def tips():
    return benchmark_modules.load("benchmarks/tips.py")


def _load(path):
    with open(path) as handle:
        return json.load(handle)


def _check_row(tips, row, seeds):
    arms = {name for name, _, _ in tips.ROWS[row["key"]]["arms"]}
    assert arms <= set(row["arms"])
    for name, arm in row["arms"].items():
        values = [r["test_accuracy"] for r in arm["runs"]]
        assert [r["seed"] for r in arm["runs"]] == seeds, name
        mean, std = tips.mean_std(values)
        assert arm["test_accuracy"]["mean"] == pytest.approx(mean, abs=1e-5)
        assert arm["test_accuracy"]["std"] == pytest.approx(std, abs=1e-5)
    assert row["claims"], row["key"]
    for claim in row["claims"]:
        assert claim["verdict"] in tips.VERDICTS
        assert claim["a"] in row["arms"] and claim["b"] in row["arms"]


def test_verdict_rule_on_constructed_numbers(tips):
    assert tips.verdict([0.91, 0.92, 0.93], [0.88, 0.89, 0.90])[0] == "confirmed"
    assert tips.verdict([0.88, 0.89, 0.90], [0.91, 0.92, 0.93])[0] == "not confirmed"
    # 1 point apart, each arm's seeds 1 point apart: inside the combined std (1.41 pt).
    assert tips.verdict([0.90, 0.91, 0.92], [0.89, 0.90, 0.91])[0] == "within noise / depends"
    # Lower is better (time): A is faster beyond the noise.
    judged, d, noise = tips.verdict([1.0, 1.1, 0.9], [2.0, 2.1, 1.9], higher_is_better=False)
    assert judged == "confirmed" and d == pytest.approx(-1.0) and noise == pytest.approx(0.1414, abs=1e-3)
    assert tips.effect(0.004, 0.002, "test_accuracy") == "+0.40 ± 0.20 pt"


@pytest.mark.filterwarnings("ignore:Activation .* saturates")
def test_every_arm_is_a_valid_recipe_config(tips):
    import kerasrecipes as kr
    from kerasrecipes.recipes import base

    for row, spec in tips.ROWS.items():
        names = [name for name, _, _ in spec["arms"]]
        assert len(names) == len(set(names)) >= 2, row
        for name, overrides, _ in spec["arms"]:
            for quick in (False, True):
                base.validate(kr.recipes.config(tips.RECIPE, **tips.arm_keys(row, overrides, quick)))
        derived = {"tta_flip"} if row == "ensembles_extras" else set()
        for _, a, b, metric, _ in spec["claims"]:
            assert {a, b} <= set(names) | derived and metric in tips.UNITS, (row, a, b)


def test_quick_row_runs_and_only_merges(tips, tmp_path):
    tips.main(["--quick", "--only", "shuffle", "--results-dir", str(tmp_path)])
    result = _load(tmp_path / "tips.json")
    assert result["quick"] is True and list(result["rows"]) == ["shuffle"]
    assert result["provenance"]["config"]["budgets"]["shuffle"]["train_samples"] == 300
    _check_row(tips, dict(result["rows"]["shuffle"], key="shuffle"), [0])
    text = (tmp_path / "tips.md").read_text()
    assert "**shuffle**" in text and "Quick run" in text

    # A second row merges in: the first stays, both are rendered.
    fake = {"row": "pooling", "seed": 0, "test_accuracy": 0.5, "epoch_s": 1.0}
    original = tips.run_arm, tips.pool_order_check
    tips.run_arm = lambda row, arm, seed, *args: dict(fake, arm=arm[0], seed=seed)
    tips.pool_order_check = lambda quick: {"max_abs_difference": 0.0, "identical": True,
                                           "inference_s": {"after": 1.0, "before": 1.2},
                                           "images": 500, "width": 0.125}
    try:
        tips.main(["--quick", "--only", "pooling", "--results-dir", str(tmp_path)])
    finally:
        tips.run_arm, tips.pool_order_check = original
    result = _load(tmp_path / "tips.json")
    assert list(result["rows"]) == ["pooling", "shuffle"]  # in the table's order
    # Each merged row keeps the commit it was measured at.
    assert {row["commit"] for row in result["rows"].values()} == {result["provenance"]["commit"]}
    text = (tmp_path / "tips.md").read_text()
    assert "**shuffle**" in text and "**pooling**" in text


def test_special_arms_measure_what_their_rows_report(tips):
    import kerasrecipes as kr

    (_, _), (x_test, y_test) = kr.data.load("fashion_mnist")
    test = (x_test[:200].astype("float32"), y_test[:200])

    def arm(row, name):
        return next(a for a in tips.ROWS[row]["arms"] if a[0] == name)

    run = tips.run_arm("init", arm("init", "zeros"), 0, test, True, None)
    assert run["init_activation_std"] and max(run["init_activation_std"]) == 0.0
    # Two trainings, not four (each costs its tracing): the batch_norm arm (a swapped
    # model, the validation curve) also measures the regularization row's train − test
    # gap and the ensembles_extras row's TTA, with those arms' own options.
    name, overrides, options = arm("batch_norm", "bn_after")
    options = dict(options, train_gap=arm("regularization", "dropout")[2]["train_gap"],
                   tta=arm("ensembles_extras", "plain")[2]["tta"])
    run = tips.run_arm("batch_norm", (name, overrides, options), 0, test, True, None)
    assert set(run["steps_to"]) == {"85", "90"} and run["params"] > 0
    assert run["gap"] == pytest.approx(run["train_accuracy"] - run["test_accuracy"], abs=1e-4)
    assert 0 <= run["tta_accuracy"] <= 1


def test_relu_after_pooling_gives_identical_outputs(tips):
    check = tips.pool_order_check(quick=True)
    assert check["identical"] and check["max_abs_difference"] == 0.0


def test_renderer_shows_every_row_and_the_cited_ensemble(tips, tmp_path):
    """Every row of the table, from stand-in runs with 3 seeds."""
    runs = {}
    for row, spec in tips.ROWS.items():
        runs[row] = [
            {"row": row, "arm": name, "seed": seed, "test_accuracy": 0.8 + 0.01 * i + 0.001 * seed,
             "epoch_s": 1.0 + i, "images_per_s": 100.0 * (i + 1), "params": 1000 * (i + 1),
             "savedmodel_mb": 1.0 + i, "gap": 0.01 * i, "tta_accuracy": 0.85,
             "init_activation_std": [1.0, 0.5], "steps_to": {"85": 10 * (i + 1), "90": None}}
            for i, (name, _, _) in enumerate(spec["arms"]) for seed in range(3)]
    rows = {}
    for row in tips.ROWS:
        arms, claims = tips.summarise(row, runs[row])
        rows[row] = {"title": tips.ROWS[row]["title"], "budget": tips.row_budget(row, False),
                     "seeds": [0, 1, 2], "test_images": 10000, "arms": arms, "claims": claims}
        _check_row(tips, dict(rows[row], key=row), [0, 1, 2])
    rows["pooling"]["identity_check"] = {"max_abs_difference": 0.0, "identical": True,
                                         "inference_s": {"after": 1.0, "before": 1.2},
                                         "images": 5000, "width": 0.25}
    tips.provenance.RESULTS_DIR = str(tmp_path)
    try:
        tips.write_result(rows, tips.kr.recipes.config(tips.RECIPE, **tips.BASE),
                          types.SimpleNamespace(quick=False), "python benchmarks/tips.py")
    finally:
        tips.provenance.RESULTS_DIR = os.path.join(ROOT, "benchmarks", "results")
    ensembles = _load(os.path.join(ROOT, "benchmarks", "results", "ensembles.json"))
    (tmp_path / "ensembles.json").write_text(json.dumps(ensembles))
    text = tips.TABLE.render(str(tmp_path))
    for row in tips.ROWS:
        assert f"**{row}**" in text
    assert "ensembles (ensembles.json)" in text and "Quick run" not in text
    assert "10,000 train images, 4 epochs, width 0.25" in text
