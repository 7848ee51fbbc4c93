"""`python repro_driver.py SEED PARALLEL_CALLS OUT`: a tiny deterministic recipe run whose
final weights go to OUT (.npz), for tests/recipes/test_reproducibility.py."""

import sys

import numpy as np

from kerasrecipes import recipes

seed, calls, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
recipe = recipes.get("fashion_mnist_vgg")(
    epochs=2, train_samples=96, batch_size=24, width=0.25, validation_split=0.01,
    augment="strong", deterministic=True, seed=seed, parallel_calls=calls)
recipe.fit(verbose=0)
np.savez(out, *[np.asarray(w) for w in recipe.model.get_weights()])
