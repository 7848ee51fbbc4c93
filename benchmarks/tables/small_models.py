"""README sentence: the two Fashion-MNIST models' parameters and sizes (export.json)."""

import os

from _format import load


def _size(nbytes):
    return f"{nbytes / 1e6:.2f} MB" if nbytes >= 1e6 else f"{nbytes / 1e3:.0f} kB"


def render(results_dir):
    if not os.path.exists(os.path.join(results_dir, "export.json")):
        return "Not measured yet: run `python benchmarks/export.py`.\n"
    export = load(results_dir, "export")
    configs = export["provenance"]["config"]
    params = {row["recipe"]: row["params"] for row in export["rows"] if "params" in row}
    sizes = {(row["recipe"], row["format"]): row["bytes"] for row in export["rows"]}
    epochs = sorted({config["epochs"] for config in configs.values()})
    text = (f"The default model, `{configs['fashion_mnist_vgg']['model']}`, has "
            f"{params['fashion_mnist_vgg']:,} parameters and exports to a "
            f"{_size(sizes['fashion_mnist_vgg', 'SavedModel'])} SavedModel. The small-model "
            f"alternative, `fashion_mnist_squeezenet` (SqueezeNet 1.1 Fire modules, half "
            f"width), has {params['fashion_mnist_squeezenet']:,} parameters: a "
            f"{_size(sizes['fashion_mnist_squeezenet', 'SavedModel'])} SavedModel and "
            f"{_size(sizes['fashion_mnist_squeezenet', 'TFLite int8'])} as TFLite int8 "
            f"(`kerasrecipes train fashion_mnist_squeezenet --export`). Sizes and parameter "
            f"counts from `benchmarks/results/export.json` ({'/'.join(map(str, epochs))} "
            f"training epochs{', historical' if 'historical' in export else ''}).")
    return text + "\n"
