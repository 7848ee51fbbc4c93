import numpy as np
import pytest

from kerasrecipes.data import validation


def _x(n=4, c=1, dtype=np.uint8):
    return np.zeros((n, 3, 3, c), dtype)


def test_good_arrays_pass_and_float_labels_that_are_integers_convert():
    x, y = validation.validate_arrays(_x(), np.array([0.0, 1.0, 2.0, 9.0]), classes=10, channels=1)
    assert y.dtype.kind == "i" and x.shape == (4, 3, 3, 1)


@pytest.mark.parametrize(
    "x, y, kwargs, message",
    [
        (np.zeros((4, 3, 3)), np.zeros(4, int), {}, r"rank 4 \(N, H, W, C\). Received: x.shape=\(4, 3, 3\)"),
        (_x().astype(object), np.zeros(4, int), {}, "numeric pixels"),
        (_x().astype(str), np.zeros(4, int), {}, "numeric pixels"),
        (_x(0), np.zeros(0, int), {}, "at least one image"),
        (_x(c=2), np.zeros(4, int), dict(channels=(1, 3)), "1 or 3 channel"),
        (_x(), np.zeros(3, int), {}, "one per image"),
        (_x(), np.array([0.5, 1, 2, 3]), {}, "integer class labels"),
        (_x(), np.array([0, 1, 2, 10]), dict(classes=10), r"labels in \[0, 10\).*from 0 to 10"),
        (_x(), np.array([-1, 1, 2, 3]), dict(classes=10), "from -1 to 3"),
    ],
)
def test_each_problem_is_named(x, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        validation.validate_arrays(x, y, **kwargs)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_pixels_are_found(bad):
    x = _x(dtype=np.float32)
    x[2, 1, 0, 0] = bad
    with pytest.raises(ValueError, match=r"finite pixels; found 1 NaN/Inf.*index \(2, 1, 0, 0\)"):
        validation.validate_images(x)


def test_dataset_element_spec_checks():
    import tensorflow as tf

    good = tf.data.Dataset.from_tensor_slices((_x(), np.zeros(4, np.int32)))
    validation.validate_element_spec(good, channels=1)
    with pytest.raises(ValueError, match="unbatched"):
        validation.validate_element_spec(good.batch(2))
    with pytest.raises(ValueError, match="3 channel"):
        validation.validate_element_spec(good, channels=3)
    with pytest.raises(ValueError, match=r"\(image, label\) pairs"):
        validation.validate_element_spec(tf.data.Dataset.from_tensor_slices(_x()))
    with pytest.raises(ValueError, match="scalar integer labels"):
        validation.validate_element_spec(tf.data.Dataset.from_tensor_slices((_x(), np.zeros(4))))
