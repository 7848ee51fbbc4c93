import numpy as np
import pytest
import tensorflow as tf

from kerasrecipes.layers.streaming import iterate_batches


def test_arrays_are_sliced_and_datasets_regrouped():
    x = np.arange(10 * 2 * 2 * 1).reshape(10, 2, 2, 1)
    assert [len(b) for b in iterate_batches(x, 4)] == [4, 4, 2]
    unbatched = tf.data.Dataset.from_tensor_slices((x, np.arange(10)))
    batches = list(iterate_batches(unbatched, 3))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    np.testing.assert_array_equal(np.concatenate(batches), x)
    assert [len(b) for b in iterate_batches(unbatched.batch(6))] == [6, 4]


def test_bad_batch_size():
    with pytest.raises(ValueError, match="`batch_size` must be a positive integer"):
        list(iterate_batches(np.zeros((2, 1, 1, 1)), 0))
