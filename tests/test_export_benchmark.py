"""The export benchmark's README table is rendered from its JSON (stdlib only, no run)."""

import json

from tests import benchmark_modules


def _renderer():
    return benchmark_modules.load("benchmarks/tables/export.py").render


def _row(recipe, fmt, size, accuracy, latency):
    return {"recipe": recipe, "format": fmt, "bytes": size, "accuracy": accuracy, "latency_ms": latency}


def test_table_rows_deltas_and_goal(tmp_path):
    result = {
        "provenance": {"commit": "a" * 40, "date": "2026-11-27T12:00:00+00:00",
                       "cpu": {"model": "Test CPU", "cores": 2, "flags": ["avx2"]},
                       "config": {"fashion_mnist_squeezenet": {"epochs": 2}}},
        "test_images": 10000, "latency_runs": 200, "threads": 1,
        "rows": [_row("fashion_mnist_squeezenet", "Keras (float)", None, 0.9, None),
                 _row("fashion_mnist_squeezenet", "TFLite int8", 250_000, 0.8925, 0.5),
                 _row("fashion_mnist_squeezenet", "SavedModel", 1_250_000, 0.9, 3.25)],
        "goal": {"bytes": 250_000, "accuracy_drop_points": 0.75, "met": True},
    }
    (tmp_path / "export.json").write_text(json.dumps(result))
    text = _renderer()(str(tmp_path))
    assert "| `fashion_mnist_squeezenet` | TFLite int8 | 250 kB | 89.25 % | -0.75 | 0.50 |" in text
    assert "| `fashion_mnist_squeezenet` | SavedModel | 1.25 MB | 90.00 % | +0.00 | 3.25 |" in text
    assert "| `fashion_mnist_squeezenet` | Keras (float) | — | 90.00 % | — | — |" in text
    assert "Each recipe trained 2 epoch(s) only" in text and "+0.75 points lost: met." in text
    assert "Test CPU (2 cores; avx2), commit aaaaaaa, 2026-11-27." in text


def test_missing_result_says_how_to_measure(tmp_path):
    assert _renderer()(str(tmp_path)).startswith(
        "Not measured yet: run `flock /tmp/kr-heavy.lock python benchmarks/export.py`")
