"""benchmarks/train_default.py: its verdict is compare.py's, and its table says how it judged.

The training itself is `baselines.run_baseline` / `run_recipe`, run by the quick
comparison in `test_benchmark_compare.py`; here only what this program adds.
"""

import json

from tests import benchmark_modules


def _row(wall, median, epochs, accuracy, cpu=None):
    row = {"wall_s": wall, "median_epoch_s": median, "epochs": epochs,
           "test_accuracy": accuracy, "params": 10, "images_per_s": 1.0}
    return row if cpu is None else {**row, "cpu_s": cpu}


def test_the_goal_is_compares_and_holds_only_where_both_ratios_do():
    train_default = benchmark_modules.load("benchmarks/train_default.py")
    compare = benchmark_modules.load("benchmarks/compare.py")
    baseline = _row(300.0, 20.0, 15, 0.9012, cpu=580.0)
    # 2.9x in total, but 13 median epochs of 50 s are 650 / 300 = 2.17x: met
    result = train_default.summarise(baseline, _row(870.0, 50.0, 13, 0.9374, cpu=1450.0))
    assert result["wall_ratio"] == 2.9
    assert result["median_wall_ratio"] == 2.17 and result["cpu_ratio"] == 2.5
    assert result["goal"] == compare.goal_verdict("fashion_mnist_vgg", 0.9374, 2.9, 0.9012, 2.17)
    assert result["goal"]["wall_ratio_at_most"] == compare.GOALS["fashion_mnist_vgg"]["wall_ratio_at_most"]
    assert result["goal_met"] is True
    # A slow spell: the total is within 3x, the median epochs are not
    slow = train_default.summarise(baseline, _row(890.0, 72.0, 13, 0.9374))
    assert slow["median_wall_ratio"] == 3.12 and not slow["goal_met"]
    assert slow["goal"]["wall_ratio_margin"] == -0.12
    assert "cpu_ratio" not in slow  # a row recorded without cpu_s


def test_table_gives_both_ratios_and_the_verdict(tmp_path):
    train_default = benchmark_modules.load("benchmarks/train_default.py")
    renderer = benchmark_modules.load("benchmarks/tables/train_default.py")
    baseline = _row(300.0, 20.0, 15, 0.9012, cpu=580.0)
    result = train_default.summarise(baseline, _row(890.0, 72.0, 13, 0.9374, cpu=1450.0))
    result["historical"] = {"reason": "a test", "commit": "a" * 40}
    (tmp_path / "train_default.json").write_text(json.dumps(result))
    text = renderer.render(str(tmp_path))
    assert ("Wall-time ratio 2.97× (3.12× by median epochs, 2.50× by the process's "
            "CPU-seconds); goal ≥ 93.5 % in ≤ 3.0×: missed (0.12× over).") in text
