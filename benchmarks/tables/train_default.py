"""README table: the default recipe against the keras.io convnet (train_default.json)."""

from _format import goal_text
from _format import load
from _format import pct
from _format import source
from _format import table


def render(results_dir):
    result = load(results_dir, "train_default")
    rows = []
    for key, label in (("keras_io_convnet", "keras.io simple convnet (Adam, batch 128, float32)"),
                       ("default_recipe", "`fashion_mnist_vgg` (default recipe)")):
        run = result[key]
        rows.append([label, f"{run['params']:,}", run["epochs"], f"{run['wall_s']:.1f}",
                     f"{run['images_per_s']:,.0f}", pct(run["test_accuracy"])])
    goal = result["goal"]
    text = table(["model", "params", "epochs", "wall s", "images/s", "test accuracy"], rows)
    text += (f"\nWall-time ratio {result['wall_ratio']:.2f}× "
             f"({result['median_wall_ratio']:.2f}× by median epochs")
    if "cpu_ratio" in result:
        text += f", {result['cpu_ratio']:.2f}× by the process's CPU-seconds"
    text += f"); goal {goal_text(goal)}. "
    if "provenance" in result:
        text += source(result) + "\n"
    else:
        text += f"Historical result: {result['historical']['reason']}\n"
    return text
