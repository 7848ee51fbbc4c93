"""README sentence: the two Fashion-MNIST models' sizes (export.json) and parameters (backend.json)."""

import os

from _format import load


def _size(nbytes):
    return f"{nbytes / 1e6:.2f} MB" if nbytes >= 1e6 else f"{nbytes / 1e3:.0f} kB"


def render(results_dir):
    if not os.path.exists(os.path.join(results_dir, "export.json")):
        return "Not measured yet: run `python benchmarks/export.py`.\n"
    export = load(results_dir, "export")
    params = {row["model"]: row["params"] for row in load(results_dir, "backend")["rows"]}
    sizes = {(row["recipe"], row["format"]): row["bytes"] for row in export["rows"]}
    epochs = sorted({config["epochs"] for config in export["provenance"]["config"].values()})
    text = (f"The default model, `fashion_vgg_small`, has {params['fashion_vgg_small']:,} "
            f"parameters and exports to a {_size(sizes['fashion_mnist_vgg', 'SavedModel'])} "
            f"SavedModel. The small-model alternative, `fashion_mnist_squeezenet` (SqueezeNet "
            f"1.1 Fire modules, half width), has {params['fashion_squeezenet']:,} parameters: a "
            f"{_size(sizes['fashion_mnist_squeezenet', 'SavedModel'])} SavedModel and "
            f"{_size(sizes['fashion_mnist_squeezenet', 'TFLite int8'])} as TFLite int8 "
            f"(`kerasrecipes train fashion_mnist_squeezenet --export`). Sizes from "
            f"`benchmarks/results/export.json` ({'/'.join(map(str, epochs))} training epochs"
            f"{', historical' if 'historical' in export else ''}), parameter counts from "
            f"`benchmarks/results/backend.json`.")
    return text + "\n"
