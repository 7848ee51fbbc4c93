"""An epoch-indexed training pipeline: epoch k is a pure function of (seed, k)."""

import numpy as np

from kerasrecipes import data
from kerasrecipes.data import seeding
from kerasrecipes.layers import augmentation_policy

X = np.random.default_rng(0).integers(0, 256, (40, 8, 8, 1)).astype("uint8")
Y = np.arange(40) % 4


def epoch(dataset, counter, k):
    counter.assign(k)
    batches = list(dataset)
    return (np.concatenate([b[0].numpy() for b in batches]),
            np.concatenate([b[1].numpy() for b in batches]))


def make(counter, calls=2, seed=3):
    return data.pipeline(X, Y, 16, training=True, seed=seed, epoch_counter=counter,
                         augment=augmentation_policy("flip_crop", seed=seed),
                         num_parallel_calls=calls)


def test_epoch_k_replays_exactly_and_differs_from_other_epochs():
    counter = seeding.epoch_counter()
    dataset = make(counter)
    assert int(dataset.cardinality()) == 3
    first, again, other = epoch(dataset, counter, 4), epoch(dataset, counter, 4), epoch(dataset, counter, 5)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[1], other[1])


def test_a_fresh_pipeline_and_any_parallelism_give_the_same_epoch():
    a, b = seeding.epoch_counter(), seeding.epoch_counter()
    serial, parallel = epoch(make(a, calls=1), a, 2), epoch(make(b, calls=8), b, 2)
    np.testing.assert_array_equal(serial[0], parallel[0])


def test_plain_iteration_advances_the_epoch():
    counter = seeding.epoch_counter()
    dataset = make(counter)
    one = np.concatenate([b[1].numpy() for b in dataset])
    two = np.concatenate([b[1].numpy() for b in dataset])
    assert int(counter.numpy()) == 2 and not np.array_equal(one, two)


def test_skip_resumes_inside_an_epoch():
    counter = seeding.epoch_counter()
    dataset = make(counter)
    whole = epoch(dataset, counter, 1)
    rest = epoch(dataset.skip(1), counter, 1)
    np.testing.assert_array_equal(whole[0][16:], rest[0])
