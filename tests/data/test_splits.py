import numpy as np
import pytest

from kerasrecipes.data import stratified_split


def test_every_class_keeps_its_share_and_nothing_is_lost():
    labels = np.repeat([0, 1, 2], [100, 30, 10])
    train, val = stratified_split(labels, 0.2, seed=3)
    assert np.bincount(labels[val]).tolist() == [20, 6, 2]
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(len(labels)))
    # Seeded: the same split again, another one with another seed.
    again, _ = stratified_split(labels, 0.2, seed=3)
    other, _ = stratified_split(labels, 0.2, seed=4)
    assert np.array_equal(train, again) and not np.array_equal(np.sort(train), np.sort(other))
    # Training indices come shuffled, so train[:n] is not one class.
    assert len(np.unique(labels[train[:20]])) > 1


def test_small_classes_keep_a_training_sample():
    labels = np.array([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2])
    train, val = stratified_split(labels, 0.1, seed=0)
    assert np.bincount(labels[val], minlength=3).tolist() == [1, 1, 0]
    assert set(labels[train]) == {0, 1, 2}


def test_bad_fraction():
    with pytest.raises(ValueError, match=r"`fraction` must be in \(0, 1\). Received: fraction=1.0"):
        stratified_split(np.array([0, 1]), 1.0, seed=0)
