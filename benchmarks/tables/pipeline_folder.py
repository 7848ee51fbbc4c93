"""README table: the default recipe fed from a folder of PNG files, from disk and cached."""

from _format import load
from _format import source
from _format import table


def render(results_dir):
    result = load(results_dir, "pipeline_folder")
    model = result["model_images_per_s"]
    labels = {"from_disk": "read + decode every epoch", "cached": "cache=\"memory\""}
    rows = []
    for key, label in labels.items():
        row = result["rows"][key]
        for epoch in ("first", "second"):
            rate = row[f"{epoch}_epoch_images_per_s"]
            rows.append([label, epoch, f"{rate:,.0f}", f"{rate / model:.1f}x"])
    text = table(["folder pipeline", "epoch", "images/s", "over the model's consumption"], rows)
    quick = " (a `--quick` run)" if result.get("quick") else ""
    load_average = result.get("load_average_at_end")
    busy = f" Load average at the end: {load_average[0]:.1f}." if load_average else ""
    return (text + f"\n{result['train_images']:,} Fashion-MNIST training images as PNG files"
            f"{quick}; the model (`{result['recipe']}`) consumes {model:,.0f} images/s, "
            f"measured in the same run. " + source(result) + busy + "\n")
