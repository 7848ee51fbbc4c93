"""Streaming over arrays or datasets in batches, for layers' `adapt()` statistics."""

import numpy as np


def iterate_batches(data, batch_size=1024):
    """Yields NumPy batches `(n, ...)` of the images in `data`, one batch at a time.

    Args:
        data: a NumPy array (or tensor) of images `(N, H, W, C)`, or an iterable
            such as a `tf.data.Dataset` whose elements are images or `(images,
            labels)` tuples, batched `(n, H, W, C)` or single `(H, W, C)`.
        batch_size: int, rows per batch for arrays (and for grouping single
            images). Defaults to 1024.

    Yields:
        NumPy arrays of rank 4. Arrays are sliced, never copied whole.

    Raises:
        ValueError: `batch_size` is not a positive integer.
    """
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(
            f"Argument `batch_size` must be a positive integer. Received: batch_size={batch_size!r}"
        )
    if hasattr(data, "shape") and hasattr(data, "__getitem__") and not hasattr(data, "element_spec"):
        for start in range(0, int(data.shape[0]), batch_size):
            yield np.asarray(data[start:start + batch_size])
        return
    pending = []
    for element in data:
        if isinstance(element, (tuple, list)):
            element = element[0]
        element = np.asarray(element)
        if element.ndim == 3:
            pending.append(element)
            if len(pending) == batch_size:
                yield np.stack(pending)
                pending = []
        else:
            yield element
    if pending:
        yield np.stack(pending)
