"""Reader for the IDX file format used by MNIST and Fashion-MNIST.

The format (http://yann.lecun.com/exdb/mnist/): a big-endian magic number whose third
byte is the element type and whose fourth byte is the number of dimensions, then one
big-endian uint32 per dimension, then the data in C order. Files may be gzipped.
"""

import gzip
import os
import struct

import numpy as np

_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path):
    """Reads an IDX file (plain or gzipped) into a NumPy array.

    Args:
        path: str or path-like, the file to read. Files ending in `.gz` are
            decompressed.

    Returns:
        A NumPy array with the file's shape and element type (native byte order).

    Raises:
        ValueError: the file is not a well-formed IDX file; the message names the
            file and what is wrong.

    Example:

    >>> images = read_idx("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
    >>> images.shape, images.dtype
    ((10000, 28, 28), dtype('uint8'))
    """
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        raw = handle.read()
    if len(raw) < 4:
        raise ValueError(
            f"Argument `path` must be an IDX file (a 4-byte magic number, then the shape). "
            f"Received: path={path!r}, {len(raw)} bytes long"
        )
    zero, type_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or type_code not in _IDX_DTYPES:
        raise ValueError(
            f"Argument `path` must be an IDX file, whose magic number is 0000 then a type "
            f"code in {sorted(hex(c) for c in _IDX_DTYPES)} and the rank. "
            f"Received: path={path!r} starting with {raw[:4].hex()}"
        )
    header_end = 4 + 4 * ndim
    if len(raw) < header_end:
        raise ValueError(
            f"Argument `path` must be a whole IDX file: its header declares {ndim} dimensions "
            f"({header_end} header bytes) but the file holds {len(raw)} bytes (truncated). "
            f"Received: path={path!r}"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header_end])
    dtype = _IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header_end != expected:
        raise ValueError(
            f"Argument `path` must be a whole IDX file: it declares shape {shape} "
            f"({expected} bytes of data) but holds {len(raw) - header_end} (truncated or "
            f"padded). Received: path={path!r}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_end).reshape(shape)
    return data.astype(dtype.newbyteorder("="), copy=False)
