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
    """Samples the process RSS every 20 ms from training batch `start` to the end.

    Counting from a third of the way into the epoch leaves out the warm-up growth of
    tf.data's autotuned buffers, which grows further when another process loads the CPU
    (up to ~170 MB over batch 5 here): what stays is growth with the images consumed.
    """

    def __init__(self, start):
        super().__init__()
        self.start = start
        self.baseline = self.peak = None
        self.batches = 0
        self._stop = threading.Event()

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(0.02)

    def on_train_batch_end(self, batch, logs=None):
        self.batches = batch + 1
        if batch == self.start:
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
    steps = recipe.source.num_train // 64
    peak = _PeakRSS(start=steps // 3)
    history = recipe.fit(verbose=0, callbacks=[peak])
    assert len(history.history["loss"]) == 1 and peak.batches >= steps
    # Holding the images as they are decoded would grow by at least their decoded size
    # over the last two thirds of the epoch (~250 MB); streaming holds the shuffle buffer
    # and a few batches, all filled before the baseline (measured: 4 MB alone, 65 MB
    # beside two busy processes).
    consumed = (peak.batches - peak.start - 1) * 64 * SIZE[0] * SIZE[1] * 3
    assert consumed > 200e6
    assert peak.peak - peak.baseline < consumed / 2, (
        (peak.peak - peak.baseline) / 1e6, consumed / 1e6)
