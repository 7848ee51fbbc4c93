import numpy as np
import pytest

from kerasrecipes.data import pipeline


def _arrays(n=64):
    x = np.arange(n, dtype=np.uint8).reshape(n, 1, 1, 1) * np.ones((1, 4, 4, 1), np.uint8)
    return x, np.arange(n, dtype=np.int32) % 10


def _epoch_order(dataset):
    return np.concatenate([labels_and_ids[0][:, 0, 0, 0].numpy() for labels_and_ids in dataset])


def test_training_order_changes_every_epoch_and_covers_all():
    x, y = _arrays()
    ds = pipeline(x, y, batch_size=8, training=True, seed=3)
    first, second = _epoch_order(ds), _epoch_order(ds)
    assert sorted(first) == list(range(64)) and sorted(second) == list(range(64))
    assert not np.array_equal(first, second)


def test_same_seed_same_batches_other_seed_other_batches():
    x, y = _arrays()
    a = _epoch_order(pipeline(x, y, batch_size=8, training=True, seed=7))
    b = _epoch_order(pipeline(x, y, batch_size=8, training=True, seed=7))
    c = _epoch_order(pipeline(x, y, batch_size=8, training=True, seed=8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_evaluation_pipeline_is_ordered_float_and_complete():
    x, y = _arrays(50)
    ds = pipeline(x, y, batch_size=16)
    batches = list(ds)
    assert [len(b[1]) for b in batches] == [16, 16, 16, 2]
    assert batches[0][0].dtype.name == "float32"
    np.testing.assert_array_equal(_epoch_order(ds), np.arange(50))


def test_augment_runs_on_training_batches_only():
    x, y = _arrays(16)
    def negate(images):
        return -images - 1.0

    train = next(iter(pipeline(x, y, batch_size=16, training=True, augment=negate, seed=0)))
    test = next(iter(pipeline(x, y, batch_size=16, augment=negate)))
    assert float(train[0].numpy().max()) < 0 and float(test[0].numpy().min()) >= 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(x=np.zeros((4, 28, 28), np.uint8), y=np.zeros(4)), "rank 4"),
        (dict(x=np.zeros((4, 2, 2, 1), np.uint8), y=np.zeros(3)), "one per image"),
        (dict(x=np.zeros((0, 2, 2, 1), np.uint8), y=np.zeros(0)), "at least one image"),
        (dict(x=np.zeros((4, 2, 2, 1), np.uint8), y=np.zeros(4), batch_size=0), "batch_size=0"),
        (dict(x=np.zeros((4, 2, 2, 1), np.uint8), y=np.zeros(4), augment="flip"), "callable"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        pipeline(**kwargs)


def test_labels_outside_classes_and_nan_pixels_fail_before_any_batch():
    x, y = _arrays(16)
    with pytest.raises(ValueError, match=r"labels in \[0, 5\)"):
        pipeline(x, y, classes=5)
    bad = x.astype("float32")
    bad[3, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN/Inf"):
        pipeline(bad, y, training=True)


def test_options_threadpool_determinism_and_dataset_input():
    import tensorflow as tf

    x, y = _arrays(32)
    seeded = pipeline(x, y, batch_size=8, training=True, seed=1, private_threadpool_size=2)
    assert seeded.options().threading.private_threadpool_size == 2
    assert seeded.options().deterministic is True
    assert pipeline(x, y, batch_size=8, training=True).options().deterministic is False
    source = tf.data.Dataset.from_tensor_slices((x, y))
    order = _epoch_order(pipeline(source, batch_size=8, training=True, shuffle_buffer=32, seed=1))
    assert sorted(order) == list(range(32))
    with pytest.raises(ValueError, match="`shuffle_buffer` must be given"):
        pipeline(source, training=True)
    with pytest.raises(ValueError, match="`y` must be None"):
        pipeline(source, y)
    with pytest.raises(ValueError, match="private_threadpool_size=0"):
        pipeline(x, y, private_threadpool_size=0)


def test_per_image_augmentation_matches_batch_shapes():
    x, y = _arrays(20)
    ds = pipeline(x, y, batch_size=8, training=True, seed=0, vectorized=False,
                  augment=lambda images: images + 1.0)
    batches = list(ds)
    assert [len(b[1]) for b in batches] == [8, 8, 4]
    ids = np.concatenate([b[0].numpy()[:, 0, 0, 0] for b in batches])
    assert sorted(ids) == list(range(1, 21))
