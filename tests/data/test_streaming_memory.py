"""A folder far larger than the pipeline's buffers trains without being loaded whole."""

import os
import threading
import time

import keras
import pytest

import kerasrecipes as kr
from tests.image_folders import write_noise_pngs

IMAGES, SIZE, BATCH = 8000, (128, 128), 64  # 8000 uncompressed 128×128 RGB PNGs: ~395 MB
IMAGE_BYTES = SIZE[0] * SIZE[1] * 3  # one decoded uint8 image


def _rss():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _PeakRSS(keras.callbacks.Callback):
    """Samples the process RSS every 20 ms while training: its peak up to batch `start` and after.

    Comparing two peaks, not a peak with one sample, cancels the rise and fall of RSS
    within each training step; starting the second window a third of the way into the
    epoch leaves out the warm-up growth of tf.data's autotuned buffers, which grows further
    when another process loads the CPU. What stays is growth with the images consumed.
    Measured on oneDNN's kernels (the suite's, see conftest.py): 42 MB in all after batch
    5. Without them, TensorFlow's own kernels added 87-155 MB more after that third, in
    runs alone, not growing with the data: the allocator's, not the pipeline's.
    Sampling stops when validation begins: tracing the test step and opening the
    validation iterator add 85-180 MB at once beside two busy processes (140 MB in a CI
    run), which is neither training data nor growth with it.
    """

    def __init__(self, start):
        super().__init__()
        self.start = start
        self.batches = 0
        self.peaks = [0, 0]  # [up to batch `start`, after it]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.is_set():
            window = int(self.batches > self.start)
            self.peaks[window] = max(self.peaks[window], _rss())
            time.sleep(0.02)

    def on_train_batch_end(self, batch, logs=None):
        self.batches = batch + 1
        if batch == 4:  # buffers filled, model activations allocated
            self._thread.start()

    def on_test_begin(self, logs=None):
        self._finish()

    def on_train_end(self, logs=None):
        self._finish()

    def _finish(self):
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()


@pytest.mark.slow
def test_one_epoch_from_a_large_folder_keeps_memory_flat(tmp_path):
    set_bytes = write_noise_pngs(str(tmp_path), IMAGES, SIZE)
    decoded_bytes = IMAGES * IMAGE_BYTES
    assert set_bytes > 350e6 and decoded_bytes > 350e6
    before = _rss()
    recipe = kr.recipes.get("image_classifier")(
        data=str(tmp_path), model="squeezenet_1_1", width=0.125, epochs=1, batch_size=BATCH,
        augment="none", validation_split=0.05)
    # build() reads the file headers only: the pixels stay on disk.
    assert recipe.source.streamed and recipe.source.num_train > 7000
    assert _rss() - before < decoded_bytes / 4
    steps = recipe.source.num_train // BATCH
    peak = _PeakRSS(start=steps // 3)
    history = recipe.fit(verbose=0, callbacks=[peak])
    assert len(history.history["loss"]) == 1 and peak.batches >= steps
    # Streaming holds the shuffle buffer and a few batches, all filled in the first window:
    # 2 MB of growth over the last two thirds beside two busy processes. Holding the images
    # as they are decoded (cache="memory") grew 173 MB there, against the ~250 MB consumed.
    consumed = (peak.batches - peak.start - 1) * BATCH * IMAGE_BYTES
    assert consumed > 200e6
    growth = peak.peaks[1] - peak.peaks[0]
    assert growth < consumed / 2, (growth / 1e6, consumed / 1e6)
