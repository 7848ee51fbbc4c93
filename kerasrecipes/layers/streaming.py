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


def mean_and_covariance(row_batches):
    """Returns the mean and covariance of rows streamed in batches, in float64.

    Accumulates the sum and the sum of outer products, so memory is one
    `(d, d)` matrix however many rows there are.

    Args:
        row_batches: iterable of arrays `(n, d)`, one batch of rows at a time.

    Returns:
        `(mean, covariance, count)`: arrays `(d,)` and `(d, d)`, and the number of rows.

    Raises:
        ValueError: no rows at all.
    """
    count, total, outer = 0, None, None
    for rows in row_batches:
        rows = np.asarray(rows, dtype="float64")
        if total is None:
            total = np.zeros(rows.shape[1])
            outer = np.zeros((rows.shape[1], rows.shape[1]))
        count += len(rows)
        total += rows.sum(axis=0)
        outer += rows.T @ rows
    if not count:
        raise ValueError("Argument `data` must hold at least one image. Received: no images")
    mean = total / count
    return mean, outer / count - np.outer(mean, mean), count
