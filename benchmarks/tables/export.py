"""README table: size, test accuracy and latency of each deployment format (export.json)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _format import load, pct, source, table  # noqa: E402


def _size(value):
    if value is None:
        return "—"
    return f"{value / 1e6:.2f} MB" if value >= 1e6 else f"{value / 1e3:.0f} kB"


COMMAND = "flock /tmp/kr-heavy.lock python benchmarks/export.py"


def render(results_dir):
    if not os.path.exists(os.path.join(results_dir, "export.json")):
        return f"Not measured yet: run `{COMMAND}`, then `python benchmarks/render.py`.\n"
    result = load(results_dir, "export")
    keras_accuracy = {r["recipe"]: r["accuracy"] for r in result["rows"] if r["bytes"] is None}
    rows = []
    for r in result["rows"]:
        drop = 100 * (r["accuracy"] - keras_accuracy[r["recipe"]])
        rows.append([
            f"`{r['recipe']}`", r["format"], _size(r["bytes"]), pct(r["accuracy"]),
            "—" if r["bytes"] is None else f"{drop:+.2f}",
            "—" if r["latency_ms"] is None else f"{r['latency_ms']:.2f}",
        ])
    goal = result["goal"]
    epochs = {c.get("epochs") for c in result["provenance"]["config"].values()}
    lines = [table(["recipe", "format", "size", "test accuracy", "points vs Keras",
                    "ms / image"], rows)]
    lines.append(
        f"Each recipe trained {', '.join(str(e) for e in sorted(epochs))} epoch(s) only, to "
        f"compare formats; accuracy on the {result['test_images']:,} test images, latency the "
        f"median of {result['latency_runs']} single-image calls ({result['threads']} thread, "
        "LiteRT with its default XNNPACK delegate). Goal, SqueezeNet int8 <= 1 MB with <= 1 "
        f"point drop: {_size(goal['bytes'])}, {goal['accuracy_drop_points']:+.2f} points "
        f"lost: {'met' if goal['met'] else 'not met'}.")
    served = [r for r in result["rows"] if r["format"].endswith(" TTA")]
    if served:
        lines[-1] += (
            " The formats serve one forward pass per image; a `SavedModel, ... TTA` row is the "
            "recipe's own export, which serves the probabilities averaged over its config's "
            "test-time augmentation views (its card's `served_tta`).")
    lines[-1] += "\n"
    lines.append(source(result) + "\n")
    return "\n".join(lines)
