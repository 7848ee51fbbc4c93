import gzip
import struct

import numpy as np
import pytest

from kerasrecipes.data.idx import read_idx


def test_real_fashion_mnist_files(fashion_mnist):
    (x_train, y_train), (x_test, y_test) = fashion_mnist
    assert x_train.shape == (60000, 28, 28, 1) and x_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28, 1)
    assert y_train.dtype == np.int32 and y_test.shape == (10000,)
    assert y_train.min() == 0 and y_train.max() == 9
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)
    # Real images, not blank: dark background, bright garments.
    assert 60 < x_train.mean() < 90 and x_train.max() == 255
    # The first training label of Fashion-MNIST is an ankle boot (9).
    assert y_train[0] == 9


def _write_idx(path, array, type_code=0x08, gz=True):
    header = struct.pack(">HBB", 0, type_code, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    payload = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    opener = gzip.open if gz else open
    with opener(path, "wb") as handle:
        handle.write(payload)


@pytest.mark.parametrize("gz", [True, False])
def test_round_trip_generated_file(tmp_path, gz):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / ("a.idx.gz" if gz else "a.idx")
    _write_idx(str(path), array, gz=gz)
    np.testing.assert_array_equal(read_idx(path), array)


def test_big_endian_int32(tmp_path):
    array = np.array([1, -2, 70000], dtype=np.int32)
    _write_idx(str(tmp_path / "i.gz"), array, type_code=0x0C)
    result = read_idx(tmp_path / "i.gz")
    np.testing.assert_array_equal(result, array)
    assert result.dtype.byteorder in ("=", "<", "|")


def test_bad_magic_is_rejected(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x12\x34\x08\x01" + b"\x00" * 8)
    with pytest.raises(ValueError, match="must be an IDX file, whose magic number is 0000"):
        read_idx(path)


def test_truncated_file_is_rejected(tmp_path):
    array = np.zeros((4, 4), np.uint8)
    path = tmp_path / "t"
    _write_idx(str(path), array, gz=False)
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ValueError, match="declares shape \\(4, 4\\)"):
        read_idx(path)
