"""A folder far larger than the pipeline's buffers trains without being loaded whole."""

import os
import threading
import time

import keras
import pytest

import kerasrecipes as kr
from tests.image_folders import write_noise_pngs

IMAGES, SIZE = 8000, (128, 128)  # 8000 uncompressed 128×128 RGB PNGs: ~395 MB


def _rss():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _PeakRSS(keras.callbacks.Callback):
    """Samples the process RSS every 20 ms from the 5th training batch to the end."""

    def __init__(self):
        super().__init__()
        self.baseline = self.peak = None
        self._stop = threading.Event()

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(0.02)

    def on_train_batch_end(self, batch, logs=None):
        if batch == 4:  # buffers filled, model activations allocated
            self.baseline = self.peak = _rss()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()

    def on_train_end(self, logs=None):
        self._stop.set()
        self._thread.join()


@pytest.mark.slow
def test_one_epoch_from_a_large_folder_keeps_memory_flat(tmp_path):
    set_bytes = write_noise_pngs(str(tmp_path), IMAGES, SIZE)
    decoded_bytes = IMAGES * SIZE[0] * SIZE[1] * 3
    assert set_bytes > 350e6 and decoded_bytes > 350e6
    before = _rss()
    recipe = kr.recipes.get("image_classifier")(
        data=str(tmp_path), model="squeezenet_1_1", width=0.125, epochs=1, batch_size=64,
        augment="none", validation_split=0.05)
    # build() reads the file headers only: the pixels stay on disk.
    assert recipe.source.streamed and recipe.source.num_train > 7000
    assert _rss() - before < decoded_bytes / 4
    peak = _PeakRSS()
    history = recipe.fit(verbose=0, callbacks=[peak])
    assert len(history.history["loss"]) == 1
    # Holding the decoded training images (~375 MB) would exceed this bound; streaming
    # holds only the shuffle buffer and a few batches (filled before the baseline).
    assert peak.peak - peak.baseline < decoded_bytes / 2, (peak.peak - peak.baseline) / 1e6
