"""Early stopping in a recipe, and diagnose's parameters-per-sample reading of the same run."""

import numpy as np
import pytest

import kerasrecipes as kr


@pytest.mark.slow
def test_early_stopping_stops_on_a_plateau_and_restores_the_best_weights():
    # 64 training images: the net memorises them within a few epochs, after which the
    # validation loss stops improving; patience 2 must end the run long before 30 epochs.
    recipe = kr.recipes.get("fashion_mnist_vgg")(
        train_samples=64, batch_size=64, epochs=30, early_stopping=2, width=0.25,
        validation_split=0.02, augment="none", warmup_epochs=0,
    )
    history = recipe.fit(verbose=0)
    val_loss = history.history["val_loss"]
    best = int(np.argmin(val_loss))
    assert len(val_loss) < 30, val_loss
    # It stopped exactly `patience` epochs after the best one...
    assert len(val_loss) == best + 1 + 2, val_loss
    # ...and the model holds the best epoch's weights, not the last epoch's.
    restored = recipe.model.evaluate(recipe.val_data, verbose=0, return_dict=True)["loss"]
    assert restored == pytest.approx(val_loss[best], rel=1e-4)
    # Closer to the best epoch's loss than to the last one's (under bfloat16 compute, on
    # CPUs with AMX, the two were 9e-4 apart).
    assert abs(restored - val_loss[best]) < abs(restored - val_loss[-1])

    # The same run: ~100k parameters for 64 images is an extreme ratio, and diagnose says so.
    size = [f for f in recipe.findings if f.code == "model_too_large"]
    assert len(size) == 1
    params = sum(int(np.prod(w.shape)) for w in recipe.model.trainable_weights)
    assert size[0].evidence["params"] == params and size[0].evidence["samples"] == 64
    assert size[0].evidence["params_per_sample"] == pytest.approx(params / 64)
