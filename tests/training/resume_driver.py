"""A tiny recipe run for tests/training/test_resume.py: `python resume_driver.py OUT [BACKUP]`.

With BACKUP it trains resumably; when the file OUT.kill-me is absent it creates it, prints
KILL-ME in the middle of epoch 1 and waits there to be killed (SIGKILL, from the test).
The final weights go to OUT (an .npz).
"""

import os
import sys
import time

import keras
import numpy as np

from kerasrecipes import recipes

out = sys.argv[1]
backup = sys.argv[2] if len(sys.argv) > 2 else None


class WaitToBeKilled(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        marker = out + ".kill-me"
        if backup and self.epoch == 1 and batch == 4 and not os.path.exists(marker):
            open(marker, "w").close()
            print("KILL-ME", flush=True)
            time.sleep(120)


recipe = recipes.get("fashion_mnist_vgg")(
    epochs=3, train_samples=240, batch_size=24, width=0.25, validation_split=0.01,
    augment="flip_crop", schedule="plateau", lr_patience=1, lr_factor=0.5, early_stopping=5,
    optimizer="nesterov", learning_rate=0.05, deterministic=True, seed=7,
    backup_dir=backup, backup_freq=3,
)
history = recipe.fit(verbose=0, callbacks=[WaitToBeKilled()])
np.savez(out, *[np.asarray(w) for w in recipe.model.get_weights()],
         iterations=np.asarray(recipe.model.optimizer.iterations),
         epochs=np.asarray(len(history.history["loss"])))
print("DONE", flush=True)
