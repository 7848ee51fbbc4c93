"""`python repro_driver.py SEED PARALLEL_CALLS OUT [SEED PARALLEL_CALLS OUT ...]`: tiny
deterministic recipe runs, one after the other in this process, whose final weights go to
each OUT (.npz), for tests/recipes/test_reproducibility.py."""

import sys

import numpy as np

from kerasrecipes import recipes

args = sys.argv[1:]
for seed, calls, out in zip(args[0::3], args[1::3], args[2::3]):
    recipe = recipes.get("fashion_mnist_vgg")(
        epochs=2, train_samples=96, batch_size=24, width=0.25, validation_split=0.01,
        augment="strong", deterministic=True, seed=int(seed), parallel_calls=int(calls))
    recipe.fit(verbose=0)
    np.savez(out, *[np.asarray(w) for w in recipe.model.get_weights()])
