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


def _vgg_result():
    keras_row = dict(_row("fashion_mnist_vgg", "Keras (float)", None, 0.9, None), params=1_000_000)
    squeeze_row = dict(_row("fashion_mnist_squeezenet", "Keras (float)", None, 0.88, None),
                       params=188_000)
    return {
        "provenance": {"commit": "a" * 40, "date": "2026-11-27T12:00:00+00:00",
                       "cpu": {"model": "Test CPU", "cores": 2, "flags": ["avx2"]},
                       "config": {"fashion_mnist_vgg": {"epochs": 2, "model": "fashion_vgg_lean"},
                                  "fashion_mnist_squeezenet": {"epochs": 2}}},
        "test_images": 10000, "latency_runs": 200, "threads": 1,
        "rows": [keras_row,
                 _row("fashion_mnist_vgg", "SavedModel", 4_000_000, 0.9, 1.0),
                 _row("fashion_mnist_vgg", "SavedModel, flip_shift TTA", 4_000_000, 0.905, 6.5),
                 squeeze_row,
                 _row("fashion_mnist_squeezenet", "SavedModel", 1_250_000, 0.88, 0.5),
                 _row("fashion_mnist_squeezenet", "TFLite int8", 250_000, 0.875, 0.2)],
        "goal": {"bytes": 250_000, "accuracy_drop_points": 0.5, "met": True},
    }


def test_the_served_tta_row_is_compared_to_one_pass_and_explained(tmp_path):
    (tmp_path / "export.json").write_text(json.dumps(_vgg_result()))
    text = _renderer()(str(tmp_path))
    row = "| `fashion_mnist_vgg` | SavedModel, flip_shift TTA | 4.00 MB | 90.50 % | +0.50 | 6.50 |"
    assert row in text
    assert "a `SavedModel, ... TTA` row is the recipe's own export" in text


def test_the_small_models_sentence_names_the_default_model_from_the_export(tmp_path):
    (tmp_path / "export.json").write_text(json.dumps(_vgg_result()))
    text = benchmark_modules.load("benchmarks/tables/small_models.py").render(str(tmp_path))
    assert text.startswith("The default model, `fashion_vgg_lean`, has 1,000,000 parameters "
                           "and exports to a 4.00 MB SavedModel.")
    assert "has 188,000 parameters: a 1.25 MB SavedModel and 250 kB as TFLite int8" in text
