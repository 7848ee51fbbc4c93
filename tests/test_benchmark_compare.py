"""benchmarks/compare.py and its parts on `--quick` settings, so the code cannot rot.

No assertion is on time: the numbers of a quick run mean nothing, only their structure
and their consistency (ratios with wall times, goals with accuracies) are checked.
"""

import json
import os
import statistics
import sys

import keras
import numpy as np
import pytest

import kerasrecipes as kr
from tests import benchmark_modules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCHMARKS = os.path.join(ROOT, "benchmarks")


def _module(path, name):
    return benchmark_modules.load(path, name)


def _provenance():
    return benchmark_modules.load("benchmarks/provenance.py")


@pytest.fixture(scope="module")
def compare():
    return _module("benchmarks/compare.py", "_bench_compare")


@pytest.fixture(scope="module")
def renderer():
    tables = os.path.join(BENCHMARKS, "tables")
    if tables not in sys.path:
        sys.path.insert(0, tables)
    return _module("benchmarks/tables/compare.py", "_bench_table_compare").render


@pytest.fixture(scope="module")
def quick_run(compare, tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    assert compare.main(["--quick", "--precision", "float32", "--results-dir", str(folder)]) == 0
    with open(folder / "compare.json") as handle:
        return folder, json.load(handle)


def test_flop_counter_matches_a_hand_count():
    flops = _module("benchmarks/flops.py", "_bench_flops")
    inner = keras.Sequential([keras.Input((3, 3, 4)), keras.layers.Flatten(),
                              keras.layers.Dense(5)])
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3)(inputs)  # valid: 6x6x4 outputs, 3*3*3 MACs each
    x = keras.layers.BatchNormalization()(x)  # not counted
    x = keras.layers.DepthwiseConv2D(3, padding="same")(x)  # 6x6x4 outputs, 9 MACs each
    x = keras.layers.MaxPooling2D(2)(x)  # 3x3x4
    model = keras.Model(inputs, inner(x))  # nested: Dense 36 -> 5
    hand = 6 * 6 * 4 * 27 + 6 * 6 * 4 * 9 + 36 * 5
    assert flops.forward_macs(model) == hand == 5364
    assert flops.training_flops_per_image(model) == 6 * hand
    assert flops.peak_dtype("mixed_bfloat16") == "bfloat16" and flops.peak_dtype("float32") == "float32"
    with pytest.raises(TypeError, match="keras.Model"):
        flops.forward_macs(keras.layers.Dense(2))


def test_goal_verdicts_and_their_margins(compare):
    fast = compare.goal_verdict("fashion_mnist_fast", 0.9012, 0.5, baseline_accuracy=0.9012)
    assert not fast["accuracy_met"] and fast["time_met"] and not fast["met"]  # must be above
    best = compare.goal_verdict("fashion_mnist_best", 0.946, 10.4, baseline_accuracy=0.9)
    assert best["accuracy_margin_points"] == -0.4 and best["wall_ratio_margin"] == -0.4
    assert not best["accuracy_met"] and not best["time_met"]
    vgg = compare.goal_verdict("fashion_mnist_vgg", 0.935, 3.0, baseline_accuracy=0.9)
    assert vgg["met"] and vgg["accuracy_margin_points"] == 0.0


@pytest.mark.slow
def test_quick_run_has_every_model_and_consistent_numbers(quick_run):
    _, result = quick_run
    models = result["models"]
    assert result["quick"] is True and result["forced_precision"] == "float32"
    assert set(models) == {"keras_io_convnet", "fashion_mnist_vgg", "fashion_mnist_fast",
                           "fashion_mnist_best"}
    baseline = models["keras_io_convnet"]
    for name, row in models.items():
        assert row["precision"] == "float32" and row["jit_compile"] is False
        # The best recipe's seeds each ran right after a keras.io run of their own.
        own = row.get("keras_io_runs", [baseline])
        assert row["wall_ratio"] == pytest.approx(statistics.mean(
            r["wall_s"] / b["wall_s"] for r, b in zip(row.get("runs", [row]), own)), abs=0.006)
        assert row["train_flops_per_image"] == 6 * row["forward_macs"] > 0
        peak = result["matmul_peak"][row["peak_dtype"]]["flops_per_s"]
        assert row["fraction_of_peak"] == pytest.approx(
            row["images_per_s"] * row["train_flops_per_image"] / peak, abs=6e-4)
        assert row["cpu_s"] > 0  # the process's CPU time over the epochs
        if name == "keras_io_convnet":
            continue
        # cpu_s is rounded to 0.1 s and the ratio (best's: the mean over its seeds) to 0.01
        cpu_s = statistics.mean(r["cpu_s"] for r in row.get("runs", [row]))
        base_cpu_s = statistics.mean(b["cpu_s"] for b in own)
        low = (cpu_s - 0.05) / (base_cpu_s + 0.05) - 0.006
        high = (cpu_s + 0.05) / (base_cpu_s - 0.05) + 0.006
        assert low <= row["cpu_ratio"] <= high
        goal = row["goal"]
        accuracy = row.get("test_accuracy_mean", row["test_accuracy"])
        target = baseline["test_accuracy"] if name == "fashion_mnist_fast" else goal["accuracy_at_least"]
        assert goal["accuracy_met"] == (accuracy > target if name == "fashion_mnist_fast"
                                        else accuracy >= target)
        # Within the time only where both the total and the median epochs' ratio are;
        # the stored ratios are rounded to 0.01, so a tie with the limit is not judged here.
        worst = max(row["wall_ratio"], row["median_wall_ratio"])
        if abs(worst - goal["wall_ratio_at_most"]) > 0.005:
            assert goal["time_met"] == (worst <= goal["wall_ratio_at_most"])
        assert goal["met"] == (goal["accuracy_met"] and goal["time_met"])
    best = models["fashion_mnist_best"]
    assert best["test_accuracy_mean"] == round(statistics.mean(
        r["test_accuracy"] for r in best["runs"]), 4) and best["seeds"] == [0]
    assert len(best["keras_io_runs"]) == 1 and len(best["wall_ratios_per_seed"]) == 1
    # The default's lean first stage: fewer parameters than best's fashion_vgg_small.
    assert models["fashion_mnist_vgg"]["params"] < models["fashion_mnist_best"]["params"]
    # The best recipe scores its 10 flip_shift views and records the plain accuracy beside it.
    assert all(r["tta"] == "flip_shift" and 0 < r["test_accuracy_without_tta"] <= 1
               for r in best["runs"])
    assert best["test_accuracy_without_tta_mean"] == best["runs"][0]["test_accuracy_without_tta"]
    vgg = models["fashion_mnist_vgg"]  # the default scores its 10 flip_shift views
    assert vgg["tta"] == "flip_shift" and 0 < vgg["test_accuracy_without_tta"] <= 1
    assert "tta" not in models["fashion_mnist_fast"]
    # The test evaluation is timed apart from training: TTA views cost inference time.
    for name in ("keras_io_convnet", "fashion_mnist_vgg", "fashion_mnist_fast"):
        assert isinstance(models[name]["evaluate_s"], float) and models[name]["evaluate_s"] >= 0
    assert all(r["evaluate_s"] >= 0 for r in best["runs"])


def _within_rounding(recorded, numerator, denominator, half_step=5e-4):
    """Whether a ratio rounded to 3 places agrees with its operands, themselves rounded to 3.

    The operands may each be off by half a step, so the true ratio lies in an interval that
    widens as they shrink (a quick run's epochs last about a second: +-0.1 %); the recorded
    ratio may be off by half a step more.
    """
    low = (numerator - half_step) / (denominator + half_step)
    high = (numerator + half_step) / (denominator - half_step)
    return low - half_step <= recorded <= high + half_step

@pytest.mark.slow
def test_quick_run_records_configs_precision_and_overhead(quick_run):
    _, result = quick_run
    prov = result["provenance"]
    quick = dict(train_samples=320, epochs=1, batch_size=64, width=0.25, validation_split=0.01,
                 precision="float32")
    for name in ("fashion_mnist_vgg", "fashion_mnist_fast", "fashion_mnist_best"):
        extra = {"seed": 0} if name == "fashion_mnist_best" else {}
        assert prov["config"][name] == kr.recipes.config(name, **quick, **extra).to_dict()
        assert prov["precision"][name] == "float32"
    assert prov["command"].startswith("python benchmarks/compare.py --quick")
    over = result["overhead"]
    median = over["median_epoch_s"]
    assert _within_rounding(over["images_per_s_ratio_recipe_over_hand_written"],
                            median["hand_written"], median["recipe"])
    assert over["met"] == (over["images_per_s_ratio_recipe_over_hand_written"] >= 0.98)
    cpu = over["median_epoch_cpu_s"]
    assert cpu["recipe"] > 0 and cpu["hand_written"] > 0
    assert _within_rounding(over["images_per_cpu_s_ratio_recipe_over_hand_written"],
                            cpu["hand_written"], cpu["recipe"])
    assert len(over["epoch_s"]["recipe"]) == len(over["epoch_s"]["hand_written"]) == 1
    assert over["params"]["recipe"] == over["params"]["hand_written"]  # the same model


@pytest.mark.slow
def test_renderer_shows_the_quick_run_as_quick(quick_run, renderer):
    folder, result = quick_run
    text = renderer(str(folder))
    assert text.startswith("**Quick run**")
    for label in ("keras.io simple convnet", "`fashion_mnist_fast`", "`fashion_mnist_vgg`",
                  "`fashion_mnist_best`"):
        assert label in text
    vgg = result["models"]["fashion_mnist_vgg"]
    assert f"{vgg['wall_ratio']:.2f}×" in text and "Recipe overhead" in text
    assert "Precision forced to float32" in text
    own = result["models"]["fashion_mnist_best"]["keras_io_runs"][0]
    assert (f"`fashion_mnist_best` ran last, against its own keras.io run ({own['wall_s']:.1f} "
            "s, ") in text


def test_renderer_says_by_how_much_a_goal_was_missed(renderer, tmp_path):
    def row(**values):
        return {"params": 1000, "epochs": 2, "precision": "float32", "jit_compile": False,
                "wall_s": 10.0, "images_per_s": 500.0, "train_gflops_per_s": 50.0,
                "fraction_of_peak": 0.25, "test_accuracy": 0.9, "wall_ratio": 1.0, **values}

    missed = {"accuracy_at_least": 0.95, "wall_ratio_at_most": 10.0, "accuracy_met": False,
              "time_met": False, "met": False, "accuracy_margin_points": -0.41,
              "wall_ratio_margin": -0.2}
    prov = {"commit": "b" * 40, "date": "2026-11-30T10:00:00+00:00",
            "cpu": {"model": "Test CPU", "cores": 2, "flags": ["avx2"]}}
    peaks = {"float32": {"flops_per_s": 2e11, "size": 2048},
             "bfloat16": {"flops_per_s": 1e11, "size": 2048}}
    main = {"provenance": prov, "quick": False, "matmul_peak": peaks,
            "models": {"keras_io_convnet": row()}}
    best = {"provenance": prov, "matmul_peak": peaks, "models": {
        "keras_io_convnet": row(wall_s=150.0),
        "fashion_mnist_best": row(test_accuracy_mean=0.9459, test_accuracy_std=0.001,
                                  seeds=[0, 1, 2], wall_s_mean=1530.0, images_per_s_mean=900.0,
                                  wall_ratio=10.2, goal=missed)}}
    (tmp_path / "compare.json").write_text(json.dumps(main))
    (tmp_path / "compare_best.json").write_text(json.dumps(best))
    text = renderer(str(tmp_path))
    assert not text.startswith("**Quick run**")
    assert ("| `fashion_mnist_best` ¹ | 1,000 | 2 | float32, XLA off | 1530.0 | 10.20× | 900 | "
            "50.0 (25 %) | 94.59 % ± 0.10 (3 seeds) | ≥ 95.0 % in ≤ 10.0×: missed (-0.41 pt; "
            "0.20× over) |") in text
    assert "200 GFLOP/s in float32, 100 in bfloat16" in text
    assert "its own keras.io run (150.0 s, 90.00 %)" in text
    assert "TTA" not in text

    best["models"]["fashion_mnist_best"].update(tta="flip", test_accuracy_without_tta_mean=0.9431)
    (tmp_path / "compare_best.json").write_text(json.dumps(best))
    text = renderer(str(tmp_path))
    assert "| 94.59 % ± 0.10 (3 seeds), flip TTA |" in text
    assert ("averages the probabilities over the `flip` test-time views of each image (the "
            "recipe's `tta`, which its exported SavedModel serves too); with one forward pass: "
            "94.31 %.") in text

    # Each seed after a keras.io run of its own (compare.best_run): all of them, named.
    best["models"]["keras_io_convnet"].update(
        pairs=3, runs=[row(wall_s=wall) for wall in (150.0, 160.0, 140.0)])
    (tmp_path / "compare_best.json").write_text(json.dumps(best))
    assert ("against its own keras.io runs, one right before each seed (150.0 s, 160.0 s, "
            "140.0 s; 90.00 %), each seed's ratios taken within its pair.") in renderer(
                str(tmp_path))


def test_scaling_plot_shows_every_point(tmp_path):
    scaling = _module("benchmarks/scaling.py", "_bench_scaling")
    rows = [{"label": f"p{i}", "series": series, "train_flops_per_image": flops,
             "images_per_s": speed, "peak_rss_mb": mb}
            for i, (series, flops, speed, mb) in enumerate(
                [(["a"], 4e8, 250.0, 700.0), (["a", "b"], 1e8, 900.0, 500.0),
                 (["b"], 2e9, 40.0, 1500.0)])]
    figure = scaling.figure(rows)
    speed, memory = figure.axes
    assert [line.get_label() for line in speed.lines] == ["a", "b"]
    assert speed.lines[0].get_xydata().tolist() == [[0.1, 900.0], [0.4, 250.0]]  # by work
    assert memory.lines[1].get_xydata().tolist() == [[0.1, 500.0], [2.0, 1500.0]]  # shared point
    assert len(speed.texts) == 3  # each point labelled once
    assert speed.get_xscale() == "log" and memory.get_yscale() == "log"
    assert os.path.getsize(scaling.plot(rows, str(tmp_path / "s.png"))) > 0


def test_throughput_probe_counts_and_times_a_tiny_model():
    throughput = _module("benchmarks/throughput.py", "_bench_throughput")
    out = throughput.run({"model": "fashion_vgg_small", "kwargs": {"width": 0.125},
                          "batch_size": 8, "min_seconds": 0.0, "max_steps": 2})
    assert out["steps"] == 2 and out["images_per_s"] > 0 and out["peak_rss_mb"] > 100
    model = kr.models.get("fashion_vgg_small", width=0.125)
    flops = _module("benchmarks/flops.py", "_bench_flops2")
    assert out["train_flops_per_image"] == 6 * flops.forward_macs(model)
    assert out["precision"] == "float32"


def test_channels_first_probe_times_the_same_model_and_work_in_the_other_layout():
    throughput = _module("benchmarks/throughput.py", "_bench_throughput")
    flops = _module("benchmarks/flops.py", "_bench_flops3")
    model = kr.models.get("fashion_vgg_lean", width=0.25)
    relaid = throughput.channels_first(model)
    assert relaid.input_shape == (None, 1, 28, 28)
    images = np.random.default_rng(0).uniform(0, 255, (3, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(relaid.predict(images.transpose(0, 3, 1, 2), verbose=0),
                               model.predict(images, verbose=0), atol=1e-5)
    assert flops.forward_macs(relaid) == flops.forward_macs(model)
    out = throughput.run({"model": "fashion_vgg_lean", "kwargs": {"width": 0.25},
                          "batch_size": 4, "min_seconds": 0.0, "max_steps": 2,
                          "data_format": "channels_first", "jit_compile": False})
    assert (out["data_format"], out["jit_compile"]) == ("channels_first", False)
    assert out["forward_macs"] == flops.forward_macs(model)
    with pytest.raises(ValueError, match="data_format='NCHW'"):
        throughput.run({"model": "fashion_vgg_lean", "data_format": "NCHW"})


def test_keras_batch_norm_probe_swaps_only_the_layer_class():
    throughput = _module("benchmarks/throughput.py", "_bench_throughput")
    model = kr.models.get("fashion_vgg_lean", width=0.25)
    plain = throughput.keras_batch_norm(model)
    norms = {type(layer).__name__ for layer in plain.layers
             if isinstance(layer, keras.layers.BatchNormalization)}
    assert norms == {"BatchNormalization"} and plain.count_params() == model.count_params()
    images = np.random.default_rng(0).uniform(0, 255, (3, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(plain.predict(images, verbose=0), model.predict(images, verbose=0),
                               atol=1e-6)
    out = throughput.run({"model": "fashion_vgg_lean", "kwargs": {"width": 0.25},
                          "batch_size": 4, "min_seconds": 0.0, "max_steps": 2,
                          "batch_norm": "keras"})
    assert out["batch_norm"] == "keras" and out["images_per_s"] > 0
    with pytest.raises(ValueError, match="batch_norm='tf'"):
        throughput.run({"model": "fashion_vgg_lean", "batch_norm": "tf"})


def test_set_overrides_every_recipe_run_and_bad_keys_fail_before_training(compare):
    args = compare.parse_args(["--set", "width=0.75", "--set", "epochs=10", "--precision",
                               "float32"])
    assert compare.recipe_overrides(args, seed=1) == {
        "precision": "float32", "width": "0.75", "epochs": "10", "seed": 1}
    with pytest.raises(ValueError, match="widht"):
        compare.parse_args(["--set", "widht=0.75"])
    with pytest.raises(SystemExit):
        compare.parse_args(["--set", "width"])


@pytest.mark.slow
def test_only_overhead_writes_its_own_result_and_the_table_prefers_it(
        compare, quick_run, renderer, tmp_path, monkeypatch):
    import shutil

    folder, result = quick_run
    # The A/B itself is the quick run's (measured above); here only its plumbing is new.
    measured = dict(result["overhead"], images_per_s_ratio_recipe_over_hand_written=0.5,
                    met=False)
    config = kr.recipes.config("fashion_mnist_vgg", precision="float32").to_dict()
    monkeypatch.setattr(compare, "recipe_overhead", lambda args: {**measured, "config": config})
    assert compare.main(["--only-overhead", "--precision", "float32", "--results-dir",
                         str(tmp_path), "--result", "compare_overhead"]) == 0
    with open(tmp_path / "compare_overhead.json") as handle:
        written = json.load(handle)
    assert set(written) == {"provenance", "quick", "forced_precision", "overhead", "total_s"}
    assert written["provenance"]["config"] == {"overhead": config}
    shutil.copy(folder / "compare.json", tmp_path / "compare.json")
    text = renderer(str(tmp_path))
    assert "runs at 0.500× the images/s" in text and "missed" in text
    assert "`benchmarks/results/compare_overhead.json`" in text


def _fake_throughput(monkeypatch, seen, speeds=(1000.0,)):
    """`throughput.measure` answering at once for a model of 10 MFLOPs, at `speeds`
    images/s in turn (1,000 by default)."""
    import throughput

    def measure(spec):
        seen.append(spec)
        return {"images_per_s": speeds[(len(seen) - 1) % len(speeds)],
                "train_flops_per_image": 10_000_000,
                "precision": spec["precision"], "peak_rss_mb": 500.0,
                "intra_op_threads": spec.get("threads") or 0, "onednn": "default",
                "jit_compile": bool(spec.get("jit_compile")),
                "data_format": spec.get("data_format", "channels_last"),
                "batch_norm": spec.get("batch_norm", "fused")}

    monkeypatch.setattr(throughput, "measure", measure)


def test_explore_changes_one_setting_at_a_time_and_rates_each_against_its_peak(
        compare, monkeypatch):
    seen = []
    # Three rounds; every row gets 1,000, 3,000 and 2,000 images/s, whose median is 2,000.
    variants = 16
    _fake_throughput(monkeypatch, seen, [1000.0] * variants + [3000.0] * variants
                     + [2000.0] * variants)
    peaks = {"float32": {"flops_per_s": 100e9}, "bfloat16": {"flops_per_s": 400e9}}
    args = compare.parse_args(["--precision", "float32", "--explore", "--explore-repeats", "3"])
    found = compare.explore(args, peaks)
    config = kr.recipes.config("fashion_mnist_vgg")
    assert (found["model"], found["batch_size"]) == (config.model, config.batch_size)
    settings = [(row["setting"], row["value"]) for row in found["rows"]]
    assert len(settings) == variants and len(seen) == 3 * variants and found["repeats"] == 3
    assert ("batch_size", 512) in settings and ("onednn", False) in settings
    assert ("precision", "float32") in settings and ("precision", "mixed_bfloat16") in settings
    assert ("jit_compile", True) in settings and ("data_format", "channels_first") in settings
    for (key, value), spec in zip(settings * 3, seen):  # round by round, the same order
        assert spec[key] == value and spec["model"] == config.model
        assert spec["precision"] == ("float32" if key != "precision" else value)
    rows = {(row["setting"], row["value"]): row for row in found["rows"]}
    assert rows["batch_size", 64]["images_per_s_runs"] == [1000.0, 3000.0, 2000.0]
    # 2,000 images/s x 10 MFLOPs = 20 GFLOP/s: a fifth of the float32 peak, a twentieth of bf16's
    assert rows["precision", "float32"]["fraction_of_peak"] == 0.2
    assert rows["precision", "mixed_bfloat16"]["fraction_of_peak"] == 0.05
    assert rows["precision", "mixed_bfloat16"]["peak_dtype"] == "bfloat16"
    assert rows["batch_size", 512]["train_gflops_per_s"] == 20.0
    assert rows["jit_compile", True]["jit_compile"] is True
    assert rows["data_format", "channels_first"]["data_format"] == "channels_first"
    assert rows["batch_norm", "keras"]["batch_norm"] == "keras"
    for bad in (["--explore", "--explore-repeats", "0"], ["--explore-repeats", "3"]):
        with pytest.raises(SystemExit):
            compare.parse_args(bad)


def test_fractions_are_of_the_faster_peak_measured_at_the_run_start_and_end(
        compare, monkeypatch):
    measured = iter([100e9, 100e9, 200e9, 50e9])  # float32, bfloat16 at the start; at the end
    monkeypatch.setattr(compare.flops, "matmul_peak",
                        lambda dtype, **kwargs: {"dtype": dtype, "flops_per_s": next(measured)})
    _fake_throughput(monkeypatch, [], [2000.0])  # x 10 MFLOPs = 20 GFLOP/s
    result, _, _ = compare.run(compare.parse_args(["--only-explore", "--precision", "float32"]))
    peaks = result["matmul_peak"]
    assert peaks["float32"] == {"dtype": "float32", "flops_per_s": 200e9,
                                "flops_per_s_runs": [100e9, 200e9]}
    assert peaks["bfloat16"]["flops_per_s"] == 100e9  # the start's, the faster one
    rows = {(row["setting"], row["value"]): row for row in result["explore"]["rows"]}
    assert rows["batch_size", 128]["fraction_of_peak"] == 0.1  # not 0.2, of the slow start
    assert rows["precision", "mixed_bfloat16"]["fraction_of_peak"] == 0.2

    # The whole comparison: its rows and the default model's goal, rated at the run's end.
    measured = iter([100e9, 100e9, 200e9, 50e9])
    rated = {"images_per_s": 2000.0, "train_gflops_per_s": 20.0, "peak_dtype": "float32",
             "fraction_of_peak": 0.2, "precision": "float32", "epochs": 1,
             "median_epoch_s": 1.0, "test_accuracy": 0.94}
    monkeypatch.setattr(compare.baselines, "run_baseline", lambda epochs, **kwargs: dict(
        rated, wall_s=100.0, test_accuracy=0.9, keras_model=None))
    monkeypatch.setattr(compare, "with_flops", lambda row, model, peaks: row)
    monkeypatch.setattr(compare, "recipe_run", lambda name, *args: dict(
        rated, wall_s=200.0, median_wall_ratio=2.0, config={"seed": 0}))
    result, _, _ = compare.run(compare.parse_args(
        ["--precision", "float32", "--skip", "fashion_mnist_fast", "--skip",
         "fashion_mnist_best", "--skip", "overhead"]))
    assert result["models"]["fashion_mnist_vgg"]["fraction_of_peak"] == 0.1
    assert result["models"]["keras_io_convnet"]["fraction_of_peak"] == 0.1
    assert result["flop_fraction_goal"]["fraction"] == 0.1
    assert result["flop_fraction_goal"]["met"] is False


@pytest.mark.slow
def test_only_explore_writes_its_own_result_shown_beside_runs_of_its_cpu(
        compare, quick_run, renderer, tmp_path, monkeypatch):
    import shutil

    _fake_throughput(monkeypatch, [])
    assert compare.main(["--only-explore", "--quick", "--precision", "float32",
                         "--results-dir", str(tmp_path), "--result", "compare_explore"]) == 0
    with open(tmp_path / "compare_explore.json") as handle:
        written = json.load(handle)
    assert set(written) == {"provenance", "quick", "forced_precision", "matmul_peak",
                            "explore", "total_s"}
    assert written["provenance"]["config"]["explore"]["width"] == 0.25
    assert _provenance().drift(written, "compare_explore.json") == []
    row = written["explore"]["rows"][0]
    assert row["fraction_of_peak"] == round(
        1e10 / written["matmul_peak"]["float32"]["flops_per_s"], 3)
    shutil.copy(quick_run[0] / "compare.json", tmp_path / "compare.json")
    text = renderer(str(tmp_path))
    assert "From its own run, `benchmarks/results/compare_explore.json`" in text
    share = f"{100 * row['fraction_of_peak']:.0f} % of float32"
    assert f"| batch_size | 64 | 1,000 | 10 ({share}) |" in text
    assert "compare_float32_explore.json" not in text
    shutil.copy(tmp_path / "compare_explore.json", tmp_path / "compare_float32_explore.json")
    text = renderer(str(tmp_path))  # the float32 path's table follows, from its own file
    assert text.index("`benchmarks/results/compare_explore.json`") < text.index(
        "`benchmarks/results/compare_float32_explore.json`")
    written["provenance"]["cpu"]["model"] = "Another CPU"
    for file in ("compare_explore.json", "compare_float32_explore.json"):
        with open(tmp_path / file, "w") as handle:
            json.dump(written, handle)
    assert "_explore.json" not in renderer(str(tmp_path))  # measured elsewhere
    with pytest.raises(SystemExit):
        compare.parse_args(["--only-explore", "--only-overhead"])


def test_pairs_take_each_ratio_within_its_pair(compare):
    def run(wall, median, epochs, accuracy):
        return {"wall_s": wall, "median_epoch_s": median, "epochs": epochs,
                "test_accuracy": accuracy, "images_per_s": 1000.0 / wall,
                "train_gflops_per_s": 1.0, "fraction_of_peak": 0.5}

    keras_io = [run(100.0, 6.0, 15, 0.90), run(200.0, 12.0, 15, 0.91)]  # a slow spell
    recipe = [run(300.0, 30.0, 10, 0.93), run(500.0, 50.0, 10, 0.94)]
    row = compare.summarise_pairs(recipe, keras_io)
    assert row["wall_ratios"] == [3.0, 2.5]
    assert row["wall_ratio"] == 2.75  # not the ratio of the means, 400 / 150
    assert row["median_wall_ratio"] == round(statistics.mean(
        [compare.median_wall_ratio(r, b) for r, b in zip(recipe, keras_io)]), 2)
    assert row["test_accuracy_mean"] == 0.935 and row["wall_s_mean"] == 400.0
    assert row["pairs"] == 2 and row["runs"] == recipe
    base = compare.summarise_pairs(keras_io)
    assert base["wall_ratio"] == 1.0 and base["wall_s_mean"] == 150.0 and "wall_ratios" not in base
    assert compare.summarise_pairs(recipe[:1], keras_io[:1]) == recipe[0]
    assert "cpu_ratio" not in row  # runs recorded before cpu_s was
    for runs, cpu_s in ((keras_io, (200.0, 210.0)), (recipe, (600.0, 420.0))):
        for run_, seconds in zip(runs, cpu_s):
            run_["cpu_s"] = seconds
    assert [compare.cpu_ratio(r, b) for r, b in zip(recipe, keras_io)] == [3.0, 2.0]
    assert compare.summarise_pairs(recipe, keras_io)["cpu_ratio"] == 2.5
    with pytest.raises(SystemExit):
        compare.parse_args(["--pairs", "0"])


def test_each_best_seed_runs_after_its_own_keras_io_run_and_is_rated_within_that_pair(
        compare, renderer, monkeypatch, tmp_path):
    calls, walls = [], iter([100.0, 120.0, 80.0])

    def fake_baseline(epochs, **kwargs):
        calls.append("keras.io")
        return {"wall_s": next(walls), "median_epoch_s": 6.0, "epochs": epochs,
                "test_accuracy": 0.9, "images_per_s": 10.0, "train_gflops_per_s": 1.0,
                "fraction_of_peak": 0.5, "precision": "float32", "keras_model": None}

    def fake_recipe_run(name, overrides, baseline, peaks, test_samples, verbose):
        calls.append(f"{name} seed {overrides['seed']}")
        return {"wall_s": 960.0, "median_epoch_s": 25.0, "epochs": 50,
                "test_accuracy": 0.949 + overrides["seed"] / 1000, "images_per_s": 1.0,
                "precision": "float32", "config": {"seed": overrides["seed"]},
                "median_wall_ratio": compare.median_wall_ratio(
                    {"median_epoch_s": 25.0, "epochs": 50}, baseline)}

    monkeypatch.setattr(compare, "measure_peaks", lambda args: {})
    monkeypatch.setattr(compare, "rate_at_end", lambda args, peaks, node: peaks)
    monkeypatch.setattr(compare.baselines, "run_baseline", fake_baseline)
    monkeypatch.setattr(compare, "with_flops", lambda row, model, peaks: row)
    monkeypatch.setattr(compare, "recipe_run", fake_recipe_run)
    result, configs, _ = compare.run(compare.parse_args(["--only-best", "--set", "epochs=50"]))
    assert calls == ["keras.io", "fashion_mnist_best seed 0", "keras.io",
                     "fashion_mnist_best seed 1", "keras.io", "fashion_mnist_best seed 2"]
    best, keras_io = result["models"]["fashion_mnist_best"], result["models"]["keras_io_convnet"]
    assert [run["wall_s"] for run in keras_io["runs"]] == [100.0, 120.0, 80.0]
    # 960 s over each seed's own keras.io run: 9.6x, 8.0x and 12.0x, not 960 / 100 = 9.6x.
    assert best["wall_ratios_per_seed"] == [9.6, 8.0, 12.0] and best["wall_ratio"] == 9.87
    assert best["median_wall_ratio"] == round(statistics.mean(
        25.0 * 50 / (6.0 * 15) for _ in range(3)), 2) == 13.89
    assert best["test_accuracy_mean"] == 0.95 and best["goal"]["accuracy_met"]
    assert not best["goal"]["time_met"] and best["goal"]["wall_ratio_margin"] == -3.89
    assert configs["fashion_mnist_best"] == [{"seed": k} for k in range(3)]
    assert "keras_io_runs" not in best  # keras.io's own row holds them
    with pytest.raises(SystemExit):  # --pairs has no recipe to pair keras.io with
        compare.parse_args(["--only-best", "--pairs", "2"])


def test_seed_per_pair_trains_pair_k_with_seed_k_and_averages_over_seeds(compare, monkeypatch):
    calls = []

    def fake_baseline(epochs, **kwargs):
        return {"wall_s": 100.0, "median_epoch_s": 6.0, "epochs": epochs, "test_accuracy": 0.9,
                "images_per_s": 10.0, "train_gflops_per_s": 1.0, "fraction_of_peak": 0.5,
                "precision": "float32", "keras_model": None}

    def fake_recipe_run(name, overrides, baseline, peaks, test_samples, verbose):
        calls.append((name, dict(overrides)))
        seed = overrides["seed"]
        return {"wall_s": 280.0 + 10 * seed, "median_epoch_s": 25.0, "epochs": 11,
                "test_accuracy": 0.936 + seed / 1000, "test_accuracy_without_tta": 0.934,
                "evaluate_s": 2.0 + seed, "images_per_s": 1.0, "train_gflops_per_s": 1.0,
                "fraction_of_peak": 0.5,
                "precision": "float32", "config": {"seed": seed},
                "median_wall_ratio": 3.0}

    monkeypatch.setattr(compare.flops, "matmul_peak", lambda dtype, **kwargs: {"flops_per_s": 1.0})
    monkeypatch.setattr(compare.baselines, "run_baseline", fake_baseline)
    monkeypatch.setattr(compare, "with_flops", lambda row, model, peaks: row)
    monkeypatch.setattr(compare, "recipe_run", fake_recipe_run)
    args = compare.parse_args(["--precision", "float32", "--skip", "fashion_mnist_fast",
                               "--skip", "fashion_mnist_best", "--skip", "overhead",
                               "--set", "epochs=11", "--pairs", "3", "--seed-per-pair"])
    result, configs, _ = compare.run(args)
    assert calls == [("fashion_mnist_vgg", {"precision": "float32", "epochs": "11", "seed": k})
                     for k in range(3)]
    row = result["models"]["fashion_mnist_vgg"]
    assert row["seeds"] == [0, 1, 2]
    assert row["test_accuracy_mean"] == 0.937 and row["test_accuracy_without_tta_mean"] == 0.934
    assert row["evaluate_s_mean"] == 3.0
    assert row["wall_ratios"] == [2.8, 2.9, 3.0] and row["goal"]["accuracy_met"]
    assert configs["fashion_mnist_vgg"] == [{"seed": k} for k in range(3)]  # each seed's config
    assert not compare.parse_args(["--pairs", "2"]).seed_per_pair
    with pytest.raises(SystemExit):
        compare.parse_args(["--seed-per-pair", "--set", "seed=3"])

    calls.clear()  # more seeds for the same candidate: pair k trains with seed 3 + k
    args = compare.parse_args(["--precision", "float32", "--skip", "fashion_mnist_fast",
                               "--skip", "fashion_mnist_best", "--skip", "overhead",
                               "--pairs", "2", "--seed-per-pair", "--first-seed", "3"])
    result, configs, _ = compare.run(args)
    assert [overrides["seed"] for _, overrides in calls] == [3, 4]
    assert result["models"]["fashion_mnist_vgg"]["seeds"] == [3, 4]
    for argv in (["--first-seed", "3"], ["--seed-per-pair", "--first-seed", "-1"]):
        with pytest.raises(SystemExit):
            compare.parse_args(argv)
