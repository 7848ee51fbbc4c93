"""Activation std through a 10-layer plain ReLU stack under three initialisations.

    python benchmarks/init_activation_std.py

The seeds' initialisation story in one figure: He init keeps the std constant, the
variance-calibrated N(0,1)/sqrt(n) halves the variance at every ReLU layer, 0.001·N(0,1)
shrinks it about 100-fold per layer. Writes benchmarks/results/init_activation_std.json
(with its provenance) and .png. Light: random inputs, no training.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import kerasrecipes  # noqa: E402, F401  (first: turns on oneDNN's kernels before TensorFlow)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kerasrecipes import initializers  # noqa: E402
from kerasrecipes.plots import curves  # noqa: E402
from kerasrecipes.training import statistics  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from provenance import write_result  # noqa: E402

INITIALIZERS = ("he_normal", "calibrated", "small_random")
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
DEPTH, WIDTH = 10, 256


def stack(initializer):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((WIDTH,))
    x = inputs
    for i in range(DEPTH):
        x = keras.layers.Dense(WIDTH, activation="relu", name=f"dense_{i + 1}",
                               kernel_initializer=initializers.get(initializer))(x)
    return keras.Model(inputs, x)


def main():
    x = np.random.default_rng(0).normal(size=(256, WIDTH)).astype("float32")
    stats = {name: statistics.activation_statistics(stack(name), x)
             for name in INITIALIZERS}
    result = {name: {layer: round(s["std"], 25) for layer, s in layers.items()}
              for name, layers in stats.items()}
    config = {"depth": DEPTH, "width": WIDTH, "input": "N(0,1), 256 samples, seed 0",
              "layer": "Dense + ReLU", "initializers": list(INITIALIZERS), "weights_seed": 0}
    write_result("init_activation_std", {"depth": DEPTH, "width": WIDTH,
                                         "input": "N(0,1), 256 samples",
                                         "activation_std": result},
                 config=config, precision="float32")
    curves.plot_activation_std(stats, os.path.join(HERE, "init_activation_std.png"),
                               title=f"{DEPTH}-layer plain ReLU stack, {WIDTH} wide")
    for name, layers in result.items():
        print(name, " ".join(f"{v:.3g}" for v in layers.values()))


if __name__ == "__main__":
    main()
